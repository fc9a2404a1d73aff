"""Routes of bulk outside the JSON:API resources: the signed downloads of jobs' files
(bulk/files.py). Included under /api/ before the resources' routes, which would take
`<type>/<id>/download` for a related endpoint."""

from django.urls import path

from bulk import files

urlpatterns = [
    path(
        f"{kind}/<str:pk>/download",
        files.download,
        {"kind": kind},
        name=f"{kind}-download",
    )
    for kind in ("exports", "imports")
]
