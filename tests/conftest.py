"""Shared fixtures: a JSON:API client with real tokens from /oauth/token, and demo-like markets."""

import json
import logging
import os

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

from tests import factories as f

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

MEDIA_TYPE = "application/vnd.api+json"


def pytest_collection_modifyitems(items):
    """Tests marked `slow` (minutes each) first, the rest in their order: with `--dist
    worksteal` (scripts/test.sh) the worker that starts on them hands the rest of its share to
    the other, instead of one worker finishing them alone at the end of the run."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a failed test (`item.failed`) so a browser test's page fixture can screenshot its
    page (tests/admin, tests/storefront)."""
    report = yield
    if report.when == "call" and report.failed:
        item.failed = True
    return report


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Client secrets and customer passwords are hashed; tests need no slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(request, settings):
    """Rate limits are tested where a test is marked `throttle`; elsewhere they would only
    add cache queries to the pinned query budgets."""
    if request.node.get_closest_marker("throttle") is None:
        settings.API_THROTTLE_ENABLED = False


class JsonApiClient:
    """Django's test client speaking JSON:API with one bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra=None) -> dict:
        headers = {"HTTP_ACCEPT": MEDIA_TYPE}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, url, **extra):
        return self.client.get(url, **self.headers(extra))

    def delete(self, url, **extra):
        return self.client.delete(url, **self.headers(extra))

    def post(self, url, body, *, content_type=MEDIA_TYPE, **extra):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(url, data=data, content_type=content_type, **self.headers(extra))

    def patch(self, url, body, *, content_type=MEDIA_TYPE, **extra):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.patch(url, data=data, content_type=content_type, **self.headers(extra))

    # Shorthands for resource documents.
    def create(self, type_name, attributes=None, relationships=None, **extra):
        body = {
            "data": {
                "type": type_name,
                "attributes": attributes or {},
                "relationships": relationships or {},
            }
        }
        return self.post(f"/api/{type_name}", body, **extra)

    def update(self, type_name, public_id, attributes=None, relationships=None, **extra):
        body = {
            "data": {
                "type": type_name,
                "id": public_id,
                "attributes": attributes or {},
                "relationships": relationships or {},
            }
        }
        return self.patch(f"/api/{type_name}/{public_id}", body, **extra)


# A guest's address in `usa` (Boston): the attributes a storefront sends to create it.
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line_1": "1 Main St",
    "city": "Boston",
    "zip_code": "02108",
    "state_code": "MA",
    "country_code": "US",
    "phone": "555-0100",
}


def rel(type_name, public_id):
    return {"data": {"type": type_name, "id": public_id}}


UNAUTHORIZED_DETAIL = "You are not authorized to perform this action on the requested resource."


def assert_unauthorized(response, what=""):
    """Commerce Layer's permission denial: 401 UNAUTHORIZED with its fixed detail."""
    assert response.status_code == 401, f"{what}: {response.status_code} {response.content!r}"
    (error,) = response.json()["errors"]
    assert (error["code"], error["status"], error["detail"]) == (
        "UNAUTHORIZED",
        "401",
        UNAUTHORIZED_DETAIL,
    ), what


def assert_not_found(response, what=""):
    """A record out of reach answers as one that does not exist."""
    assert response.status_code == 404, f"{what}: {response.status_code} {response.content!r}"
    assert response.json()["errors"][0]["code"] == "RECORD_NOT_FOUND", what


def obtain_token(client, **body) -> str:
    response = client.post("/oauth/token", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def market(db):
    """A USD market with its own price list, inventory model and one stock location."""
    market = f.MarketFactory(code="usa", price_list__currency_code="USD")
    f.InventoryStockLocationFactory(inventory_model=market.inventory_model, priority=1)
    return market


@pytest.fixture
def other_market(db):
    return f.MarketFactory(code="eu", price_list__currency_code="EUR")


@pytest.fixture
def make_api_client(db):
    from commerce.auth.services import create_api_client

    def make(kind: str, scope: str = "") -> str:
        client_id = f"test-{kind}-{scope.replace(':', '-') or 'all'}"
        create_api_client(
            kind=kind,
            name=client_id,
            scope=scope,
            client_id=client_id,
            client_secret="test-secret" if kind == "integration" else None,
        )
        return client_id

    return make


@pytest.fixture
def integration(client, make_api_client):
    client_id = make_api_client("integration")
    token = obtain_token(
        client, grant_type="client_credentials", client_id=client_id, client_secret="test-secret"
    )
    return JsonApiClient(client, token)


@pytest.fixture
def sales_channel(client, make_api_client, market):
    scope = f"market:code:{market.code}"
    client_id = make_api_client("sales_channel", scope)
    token = obtain_token(client, grant_type="client_credentials", client_id=client_id, scope=scope)
    return JsonApiClient(client, token)


@pytest.fixture
def other_sales_channel(client, make_api_client, other_market):
    scope = f"market:code:{other_market.code}"
    client_id = make_api_client("sales_channel", scope)
    token = obtain_token(client, grant_type="client_credentials", client_id=client_id, scope=scope)
    return JsonApiClient(client, token)


@pytest.fixture
def customer_token(client, make_api_client):
    """`customer_token(market, email)`: a signed-in customer's client in that market (password
    grant through a sales channel of the market), the customer created on first use."""

    from oauth2_provider.models import get_application_model

    from orders.models import Customer
    from orders.services.customers import create_customer

    def make(market, email: str) -> JsonApiClient:
        scope = f"market:code:{market.code}"
        # The sales channel the `sales_channel` fixture makes, if it made it already.
        client_id = f"test-sales_channel-{scope.replace(':', '-')}"
        if not get_application_model().objects.filter(client_id=client_id).exists():
            make_api_client("sales_channel", scope)
        if not Customer.objects.filter(email=email).exists():
            create_customer(email=email, password="s3cret-pass")
        token = obtain_token(
            client,
            grant_type="password",
            client_id=client_id,
            username=email,
            password="s3cret-pass",
            scope=scope,
        )
        return JsonApiClient(client, token)

    return make


@pytest.fixture
def anonymous(client):
    return JsonApiClient(client, None)


@pytest.fixture
def races():
    """For the PostgreSQL race tests (tests/inventory/racing.py): skipped elsewhere, since
    SQLite serialises every write and can't show a race; the expected 422s would log a warning
    each, so only errors (5xx) still log."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
