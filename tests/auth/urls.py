"""A URLconf for auth tests that need a DRF view but none of the resource routes: `whoami`
answers the TokenContext the project's default authentication and permission produced."""

from dataclasses import asdict

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmI(APIView):
    def get(self, request):
        return Response(asdict(request.auth))


urlpatterns = [
    path("oauth/", include("commerce.auth.urls")),
    path("whoami", WhoAmI.as_view()),
]
