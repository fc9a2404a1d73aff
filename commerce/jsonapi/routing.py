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


def api_urlpatterns():
    """The routes of every resource in the registry: each app registers its resources when
    Django starts (its AppConfig.ready imports its views), so the kernel names no app."""
    patterns = []
    for type_name, resource_cls in sorted(registry.items()):
        patterns += [
            path(
                f"{type_name}",
                resource_cls.as_view(mode="collection"),
                name=f"{type_name}-collection",
            ),
            path(
                f"{type_name}/<str:pk>",
                resource_cls.as_view(mode="member"),
                name=f"{type_name}-member",
            ),
            path(
                f"{type_name}/<str:pk>/relationships/<str:relationship>",
                resource_cls.as_view(mode="relationship"),
                name=f"{type_name}-relationship",
            ),
            path(
                f"{type_name}/<str:pk>/<str:relationship>",
                resource_cls.as_view(mode="related"),
                name=f"{type_name}-related",
            ),
        ]
    for singleton_path, view_cls in sorted(singletons.items()):
        view = view_cls.as_view()
        patterns.append(path(singleton_path, view, name=f"{singleton_path}-singleton"))
    patterns.append(path("<path:unknown>", UnknownRoute.as_view()))
    patterns.append(path("", UnknownRoute.as_view()))
    return patterns
