"""GET /api/application and GET /api/organization: the singletons the CL CLI reads when it logs
in (bulk.md "What the CLI needs besides", resources.md "applications" and "organizations")."""

import jwt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def claims(api) -> dict:
    return jwt.decode(api.token, options={"verify_signature": False})


def test_integration_reads_its_own_application(integration):
    response = integration.get("/api/application")

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.api+json")
    data = response.json()["data"]
    assert data["type"] == "applications"
    # The same id the token's `application` claim carries (the CLI stores both).
    assert data["id"] == claims(integration)["application"]["id"]
    assert data["links"]["self"].endswith("/api/application")
    assert data["meta"]["mode"] == "test"
    attributes = data["attributes"]
    assert attributes["name"] == "test-integration-all"
    assert attributes["kind"] == "integration"
    assert attributes["public_access"] is False
    assert attributes["redirect_uri"] is None
    assert attributes["scopes"] is None
    assert attributes["created_at"].endswith("Z")


def test_sales_channel_reads_its_own_application(sales_channel, integration):
    data = sales_channel.get("/api/application").json()["data"]

    assert data["id"] == claims(sales_channel)["application"]["id"]
    assert data["id"] != claims(integration)["application"]["id"]
    assert data["attributes"]["kind"] == "sales_channel"
    assert data["attributes"]["public_access"] is True
    assert data["attributes"]["scopes"] == "market:code:usa"


def test_customer_token_reads_the_sales_channel_it_came_through(market, customer_token):
    shopper = customer_token(market, "ada@example.com")

    data = shopper.get("/api/application").json()["data"]

    assert data["attributes"]["kind"] == "sales_channel"
    assert data["id"] == claims(shopper)["application"]["id"]


def test_application_costs_the_token_read_and_one_query(integration):
    integration.get("/api/application")  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = integration.get("/api/application")
    assert response.status_code == 200
    # The token's row (authentication) and the API client with its credentials row.
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_no_token_is_invalid_token(anonymous):
    response = anonymous.get("/api/application")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "INVALID_TOKEN"


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_the_singletons_are_read_only(integration, method):
    for path in ("/api/application", "/api/organization"):
        if method == "delete":
            response = integration.delete(path)
        else:
            body = {"data": {"type": path.rsplit("/", 1)[1] + "s", "attributes": {"name": "x"}}}
            response = getattr(integration, method)(path, body)
        assert response.status_code == 405, (path, response.content)
        assert response.json()["errors"][0]["status"] == "405"


def test_an_id_after_the_singleton_is_not_found(integration):
    response = integration.get("/api/application/abc")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "RECORD_NOT_FOUND"


def test_organization_is_the_one_of_the_token(settings, sales_channel):
    response = sales_channel.get("/api/organization")

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    organization = claims(sales_channel)["organization"]
    assert (data["type"], data["id"]) == ("organizations", organization["id"])
    assert data["attributes"]["slug"] == organization["slug"]
    assert data["attributes"]["name"] == settings.ORGANIZATION_NAME
    assert data["attributes"]["domain"] == f"{organization['slug']}.{settings.API_DOMAIN}"
