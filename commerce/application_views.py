"""The two read-only singletons the CL CLI reads when it logs in (bulk.md "What the CLI needs
besides", resources.md "organizations" and "applications").

`GET /api/application` answers the calling token's API client and `GET /api/organization` the
organization the server stands for. They have no id in their path and no collection, so they
are not ResourceViews: routing.py serves every view of `registry.singletons` at its own path.
Any token kind may read both (a customer token reads the sales channel it was issued through).
"""

from django.conf import settings
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.auth.context import INTEGRATION, TokenContext
from commerce.exceptions import InvalidToken, NotFound
from commerce.jsonapi.document import resource_meta
from commerce.jsonapi.fields import TimestampField
from commerce.jsonapi.registry import register_singleton
from commerce.models import ApiClient

TIMESTAMP = TimestampField()


class SingletonView(APIView):
    """GET only; the document's one resource comes from `resource(ctx)`."""

    path: str = ""
    resource_type: str = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, TokenContext):
            raise InvalidToken()

    def get(self, request):
        public_id, attributes = self.resource(request.auth)
        url = request.build_absolute_uri(f"/api/{self.path}")
        return Response(
            {
                "data": {
                    "id": public_id,
                    "type": self.resource_type,
                    "links": {"self": url},
                    "attributes": attributes,
                    "meta": resource_meta(),
                }
            }
        )

    def resource(self, ctx: TokenContext) -> tuple[str, dict]:
        raise NotImplementedError

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    def finalize_response(self, request, response, *args, **kwargs):
        # The rate-limit headers every API answer carries (commerce/throttling.py).
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "ratelimit_headers", {}).items():
            response[name] = value
        return response


@register_singleton
class ApplicationView(SingletonView):
    """The token's API client: id is the token's `application.id` claim, `kind` integration or
    sales_channel, `public_access` true for a client without secret (a sales channel, as the
    claim's `public`), `redirect_uri` the first of the client's redirect URIs (none by default),
    `scopes` the scope used when a token request names none. One query."""

    path = "application"
    resource_type = "applications"

    def resource(self, ctx):
        client = (
            ApiClient.objects.select_related("application")
            .filter(application_id=ctx.application_id)
            .first()
        )
        if client is None:  # the client was deleted while the token lived
            raise NotFound()
        redirect_uris = (client.application.redirect_uris or "").split()
        return client.public_id, {
            "name": client.application.name or client.application.client_id,
            "kind": client.kind,
            "public_access": client.kind != INTEGRATION,
            "redirect_uri": redirect_uris[0] if redirect_uris else None,
            "scopes": client.scope or None,
            "created_at": TIMESTAMP.to_representation(client.created_at),
            "updated_at": TIMESTAMP.to_representation(client.updated_at),
            "reference": client.reference,
            "reference_origin": client.reference_origin,
            "metadata": client.metadata,
        }


@register_singleton
class OrganizationView(SingletonView):
    """The organization of the tokens' `organization` claim (settings ORGANIZATION_ID, _SLUG,
    _NAME); `domain` is `<slug>.<API_DOMAIN>`, the host CL's clients build for it. The other
    attributes of resources.md are settings this server does not have: left out. No query."""

    path = "organization"
    resource_type = "organizations"

    def resource(self, ctx):
        return settings.ORGANIZATION_ID, {
            "name": settings.ORGANIZATION_NAME,
            "slug": settings.ORGANIZATION_SLUG,
            "domain": f"{settings.ORGANIZATION_SLUG}.{settings.API_DOMAIN}",
        }
