from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from commerce.health import health
from commerce.jsonapi.docs import DocsView, schema_view
from commerce.jsonapi.routing import api_urlpatterns
from commerce.landing import landing, storefront

# Under /api and /oauth Django's own error answers are JSON error documents (error_pages.py).
handler400 = "commerce.error_pages.bad_request"
handler403 = "commerce.error_pages.permission_denied"
handler404 = "commerce.error_pages.page_not_found"
handler500 = "commerce.error_pages.server_error"

urlpatterns = [
    # The front door (what is running, where to go) and the demo storefront's files.
    path("", landing, name="landing"),
    re_path(r"^storefront/(?P<path>.*)$", storefront, name="storefront"),
    path("health", health, name="health"),
    path("oauth/", include("commerce.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/schema", schema_view, name="api-schema"),
    path("api/docs", DocsView.as_view(), name="api-docs"),
    path("api/docs/", RedirectView.as_view(pattern_name="api-docs", permanent=True)),
    # Signed downloads of bulk jobs' files (bulk.md "Exports"), by module path: before the
    # resources' routes, whose related endpoint would take `exports/<id>/download`.
    path("api/", include("bulk.urls")),
    path("api/", include(api_urlpatterns())),
    # Payment gateways' callbacks (payments.md), by module path: the kernel imports no app.
    path("", include("orders.urls")),
]

# --- bench (make bench): a plain DRF baseline, only when settings.BENCH is on ------------------
from django.conf import settings  # noqa: E402

if settings.BENCH:
    urlpatterns += [path("bench/", include("bench.urls"))]
# --- end bench ---------------------------------------------------------------------------------
