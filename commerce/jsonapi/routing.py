"""URL patterns for every registered resource, built from the registry."""

from django.urls import path
from rest_framework.views import APIView

from commerce.exceptions import NotFound
from commerce.jsonapi.registry import registry, singletons


class UnknownRoute(APIView):
    authentication_classes = []
    permission_classes = []

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs, self.request = args, kwargs, self.initialize_request(request)
        self.headers = self.default_response_headers
        response = self.handle_exception(NotFound())
        self.response = self.finalize_response(self.request, response, *args, **kwargs)
        return self.response


MODES = ("collection", "member", "relationship", "related")


def _by_type(mode: str, views: dict, unknown):
    """One view for `mode` of every type: the type's view looked up by name (a dict), where a
    route per type made Django try some 400 patterns in turn, and build the list of those it
    tried, for each request (~0.5 ms of a request's CPU)."""

    def view(request, type_name, **kwargs):
        found = views.get(type_name)
        if found is None:
            return unknown(request, type_name=type_name, **kwargs)
        return found[mode](request, **kwargs)

    view.csrf_exempt = True  # as DRF's own views (authentication decides, not a cookie)
    return view


def api_urlpatterns():
    """The routes of every resource in the registry: each app registers its resources when
    Django starts (its AppConfig.ready imports its views), so the kernel names no app.
    `/api/<type>`, `/api/<type>/<id>`, `/api/<type>/<id>/relationships/<name>` and
    `/api/<type>/<id>/<name>` dispatch on the type's name; the singletons (`application`,
    `organization`) come first, by their paths."""
    clash = set(singletons) & set(registry)
    if clash:
        raise RuntimeError(f"singleton paths named as resource types: {sorted(clash)}")
    views = {
        type_name: {mode: resource_cls.as_view(mode=mode) for mode in MODES}
        for type_name, resource_cls in registry.items()
    }
    unknown = UnknownRoute.as_view()
    patterns = [
        path(singleton_path, view_cls.as_view(), name=f"{singleton_path}-singleton")
        for singleton_path, view_cls in sorted(singletons.items())
    ]
    patterns += [
        path("<str:type_name>", _by_type("collection", views, unknown)),
        path("<str:type_name>/<str:pk>", _by_type("member", views, unknown)),
        path(
            "<str:type_name>/<str:pk>/relationships/<str:relationship>",
            _by_type("relationship", views, unknown),
        ),
        path("<str:type_name>/<str:pk>/<str:relationship>", _by_type("related", views, unknown)),
        path("<path:unknown>", unknown),
        path("", unknown),
    ]
    return patterns
