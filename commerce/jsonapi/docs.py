"""/api/schema (the OpenAPI document) and /api/docs (Swagger UI, served from the installed
drf-spectacular-sidecar package: no CDN)."""

from django.http import JsonResponse
from drf_spectacular.views import SpectacularSwaggerView

from commerce.jsonapi.openapi import build_schema


def schema_view(request):
    return JsonResponse(build_schema(), json_dumps_params={"ensure_ascii": False})


class DocsView(SpectacularSwaggerView):
    url_name = "api-schema"
    authentication_classes = []
    permission_classes = []
