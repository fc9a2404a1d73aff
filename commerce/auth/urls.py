"""Mounted at `oauth/` by commerce.urls."""

from django.urls import path

from commerce.auth import views

app_name = "oauth"

urlpatterns = [
    path("token", views.token, name="token"),
    path("revoke", views.revoke, name="revoke"),
]
