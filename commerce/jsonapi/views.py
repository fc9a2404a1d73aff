"""ResourceView: one declaration per resource type serves its whole JSON:API surface.

A subclass declares what the resource is (declaration.py: `resource_type`, `model`,
`serializer_class`, `relationships`, `access`, `scope`, `triggers`) and how it changes
(`create_resource`, `update_resource`, `delete_resource`). This view only dispatches: it checks
the token and the action, then hands GETs to the read path (reading.py) and writes to the
write path (writing.py).

Routes (see routing.py): collection (GET list, POST), member (GET, PATCH, DELETE), related
(`/<id>/<relationship>`, GET) and relationship (`/<id>/relationships/<name>`, GET linkage).
"""

from django.db.models import Q
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.auth.context import TokenContext
from commerce.exceptions import BadRequest, InvalidToken, Unauthorized
from commerce.idempotency import idempotent
from commerce.jsonapi import storable
from commerce.jsonapi.declaration import ALL_KINDS, INTEGRATION_ONLY, ResourceDeclaration
from commerce.jsonapi.query import check_storable_params
from commerce.jsonapi.reading import Reading
from commerce.jsonapi.serializers import COMMON_ATTRIBUTES, Rel
from commerce.jsonapi.writing import Writing


class ResourceView(ResourceDeclaration, Reading, Writing, APIView):
    mode: str = "collection"  # set per route by routing.py

    @property
    def ctx(self) -> TokenContext:
        if not isinstance(self.request.auth, TokenContext):
            raise InvalidToken()
        return self.request.auth

    def check_action(self, action: str) -> None:
        if action not in self.ops:
            raise MethodNotAllowed(self.request.method)
        if self.ctx.kind not in self.access.get(action, ()):
            raise Unauthorized()

    def get(self, request, pk=None, relationship=None):
        if self.mode == "collection":
            self.check_action("list")
            query = self.parse(collection=True)
            return Response(self.list_document(query))
        if self.mode == "member":
            self.check_action("retrieve")
            query = self.parse(collection=False)
            return Response(self.member_document(pk, query))
        if self.mode == "related":
            return Response(self.related_document(pk, relationship))
        return Response(self.relationship_document(pk, relationship))

    @idempotent
    def post(self, request, **kwargs):
        if self.mode != "collection":
            raise MethodNotAllowed(request.method)
        self.check_action("create")
        query = self.parse(collection=False)
        instance = self.create()
        # The caller sees what it just created, even where its scope would not list it (a
        # storefront signing a customer up).
        return Response(self.written_document(instance, query, created=True), status=201)

    @idempotent
    def patch(self, request, pk=None, **kwargs):
        if self.mode != "member":
            raise MethodNotAllowed(request.method)
        self.check_action("update")
        query = self.parse(collection=False)
        instance = self.update(pk)
        return Response(self.written_document(instance, query))

    def delete(self, request, pk=None, **kwargs):
        if self.mode != "member":
            raise MethodNotAllowed(request.method)
        self.check_action("delete")
        self.destroy(pk)
        return Response(status=204)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "ratelimit_headers", {}).items():
            response[name] = value
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    def initial(self, request, *args, **kwargs):
        # Text the database can't store is refused before anything looks it up (limits.md 2).
        check_storable_path(kwargs)
        check_storable_params(request.query_params)
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, TokenContext):
            raise InvalidToken()


def check_storable_path(kwargs: dict) -> None:
    """400 for a path segment holding a NUL or a lone surrogate: the member id (INVALID_RESOURCE_ID,
    `source.parameter` "id") or a relationship name. Such an id can't exist, but looking it up
    is a database error on PostgreSQL."""
    for name, code in (("pk", "INVALID_RESOURCE_ID"), ("relationship", "BAD_REQUEST")):
        value = kwargs.get(name)
        if isinstance(value, str) and storable.is_unstorable(value):
            raise BadRequest(
                f"The path contains {storable.describe(value)}, which can't be stored.",
                title="Invalid resource id" if name == "pk" else "Bad request",
                code=code,
                parameter="id" if name == "pk" else name,
            )


__all__ = ["ResourceView", "ALL_KINDS", "INTEGRATION_ONLY", "Rel", "COMMON_ATTRIBUTES", "Q"]
