"""Every error under /api and /oauth is a JSON error document, Django's own answers included
(limits.md section 4); the admin keeps Django's HTML pages."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import _get_failure_view
from django.test import Client, RequestFactory

from commerce import error_pages
from commerce.jsonapi.views import ResourceView

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MEDIA_TYPE = "application/vnd.api+json"


@pytest.fixture
def quiet_client(client):
    """A client that gets Django's 500 answer instead of the view's exception."""
    client.raise_request_exception = False
    return client


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE, response.content[:200]
    (error,) = json.loads(response.content)["errors"]
    assert (error["status"], error["code"]) == (str(status), code)
    assert error["title"] and error["detail"]
    return error


def boom(*args, **kwargs):
    raise RuntimeError("secret internals")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unhandled_exception_under_api_is_a_json_500(
    settings, quiet_client, integration, monkeypatch, debug
):
    settings.DEBUG = debug  # with DEBUG on, Django renders its technical page: replaced too
    monkeypatch.setattr(ResourceView, "collection_document", boom)
    response = quiet_client.get("/api/skus", **integration.headers())
    error = assert_json_error(response, 500, "INTERNAL_SERVER_ERROR")
    assert b"secret internals" not in response.content
    assert "Traceback" not in error["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_an_unhandled_exception_under_oauth_is_a_json_500(
    settings, quiet_client, monkeypatch, debug
):
    settings.DEBUG = debug
    monkeypatch.setattr("commerce.auth.views.read_params", boom)
    response = quiet_client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert_json_error(response, 500, "INTERNAL_SERVER_ERROR")
    assert b"secret internals" not in response.content


@pytest.mark.parametrize("path", ["/oauth", "/oauth/nothing", "/oauth/token/", "/api/sku s"])
def test_unmatched_urls_under_api_and_oauth_are_json_404s(settings, client, path):
    settings.DEBUG = False
    assert_json_error(client.get(path), 404, "RECORD_NOT_FOUND")


def test_a_disallowed_host_is_a_json_400(settings, client):
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    for debug in (False, True):
        settings.DEBUG = debug
        response = client.get("/api/skus", HTTP_HOST="evil.example.com")
        assert_json_error(response, 400, "BAD_REQUEST")
        response = client.post("/oauth/token", HTTP_HOST="evil.example.com")
        assert_json_error(response, 400, "BAD_REQUEST")


def test_405s_under_oauth_and_api_are_json(settings, client, integration):
    settings.DEBUG = False
    # The token endpoint's own answers keep its shape (application/json, as js-auth reads it).
    response = client.get("/oauth/token")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    response = client.put("/api/skus", **integration.headers())
    assert_json_error(response, 405, "METHOD_NOT_ALLOWED")


def test_handlers_answer_json_under_api_and_html_elsewhere(settings):
    settings.DEBUG = False
    factory = RequestFactory()
    api, admin = factory.get("/api/skus"), factory.get("/admin/")
    cases = [
        (error_pages.bad_request, (ValueError(),), 400, "BAD_REQUEST"),
        (error_pages.permission_denied, (PermissionDenied(),), 403, "FORBIDDEN"),
        (error_pages.page_not_found, (ValueError(),), 404, "RECORD_NOT_FOUND"),
        (error_pages.server_error, (), 500, "INTERNAL_SERVER_ERROR"),
    ]
    for handler, args, status, code in cases:
        assert_json_error(handler(api, *args), status, code)
        page = handler(admin, *args)
        assert page.status_code == status
        assert page["Content-Type"].startswith("text/html")


def test_csrf_failures_are_json_under_api_and_html_elsewhere(settings, db):
    settings.DEBUG = False
    failure_view = _get_failure_view()
    factory = RequestFactory()
    assert_json_error(failure_view(factory.post("/api/skus"), reason="no token"), 403, "FORBIDDEN")
    assert_json_error(failure_view(factory.post("/oauth/token"), reason="x"), 403, "FORBIDDEN")
    # The admin's login form is protected by CSRF and answers its HTML page.
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_the_admin_keeps_django_html_pages(settings, client):
    settings.DEBUG = False
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
