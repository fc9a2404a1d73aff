"""POST /oauth/token: client credentials for both kinds, errors in Commerce Layer's envelope."""

import time

import jwt
import pytest

from commerce.auth import grants
from commerce.auth.scopes import resolve_scope
from commerce.auth.services import IssuedToken, issue_token
from tests.auth.conftest import INTEGRATION_ID, INTEGRATION_SECRET, SALES_CHANNEL_ID, error_of

pytestmark = pytest.mark.django_db

INVALID_CLIENT = {
    "title": "invalid_client",
    "detail": "Client authentication failed due to unknown client, no client authentication "
    "included, or unsupported authentication method.",
    "code": "UNAUTHORIZED",
    "status": 401,
}


def claims_of(response) -> dict:
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})


def assert_token_response(response, scope):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "created_at"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7200
    assert body["scope"] == scope
    assert abs(body["created_at"] - time.time()) < 60
    return body


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_integration_without_scope_gets_every_market(post_token, integration_client, form):
    response = post_token(
        grant_type="client_credentials",
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
        form=form,
    )
    assert_token_response(response, "market:all")
    claims = claims_of(response)
    assert claims["application"]["kind"] == "integration"
    assert "market" not in claims


def test_integration_with_market_scope(post_token, integration_client, usa):
    response = post_token(
        grant_type="client_credentials",
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
        scope="market:code:usa",
    )
    assert_token_response(response, "market:code:usa")
    assert claims_of(response)["market"]["id"] == [usa.public_id]


def test_integration_with_http_basic(client, integration_client):
    import base64

    basic = base64.b64encode(f"{INTEGRATION_ID}:{INTEGRATION_SECRET}".encode()).decode()
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert_token_response(response, "market:all")


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_sales_channel_with_market_scope(post_token, sales_channel_client, usa, form):
    response = post_token(
        grant_type="client_credentials",
        client_id=SALES_CHANNEL_ID,
        scope="market:code:usa",
        form=form,
    )
    assert_token_response(response, "market:code:usa")
    application = claims_of(response)["application"]
    assert application["kind"] == "sales_channel"
    assert application["public"] is True and application["confidential"] is False


def test_sales_channel_by_market_id(post_token, sales_channel_client, usa):
    scope = f"market:id:{usa.public_id}"
    response = post_token(grant_type="client_credentials", client_id=SALES_CHANNEL_ID, scope=scope)
    assert_token_response(response, scope)


def test_sales_channel_default_scope_applies_when_none_asked(post_token, usa):
    from commerce.auth.services import create_api_client

    create_api_client(
        kind="sales_channel", name="US store", scope="market:code:usa", client_id="sc-usa"
    )
    response = post_token(grant_type="client_credentials", client_id="sc-usa")
    assert_token_response(response, "market:code:usa")


def test_sales_channel_ignores_a_secret(post_token, sales_channel_client, usa):
    response = post_token(
        grant_type="client_credentials",
        client_id=SALES_CHANNEL_ID,
        client_secret="anything",
        scope="market:code:usa",
    )
    assert response.status_code == 200


@pytest.mark.parametrize("scope", [None, "", "market:all"])
def test_sales_channel_without_market_scope_is_invalid_scope(
    post_token, sales_channel_client, usa, scope
):
    body = {"scope": scope} if scope is not None else {}
    response = post_token(grant_type="client_credentials", client_id=SALES_CHANNEL_ID, **body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = error_of(response)
    assert error["title"] == "invalid_scope"
    assert error["status"] == 400


def test_sales_channel_with_two_markets_is_invalid_scope(post_token, sales_channel_client, usa, eu):
    response = post_token(
        grant_type="client_credentials",
        client_id=SALES_CHANNEL_ID,
        scope="market:code:usa market:code:eu",
    )
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_scope"


def test_sales_channel_disabled_market_is_invalid_scope(post_token, sales_channel_client, usa):
    from django.utils import timezone

    usa.disabled_at = timezone.now()
    usa.save()
    response = post_token(
        grant_type="client_credentials", client_id=SALES_CHANNEL_ID, scope="market:code:usa"
    )
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_scope"


@pytest.mark.parametrize(
    "scope",
    [
        "market:code:nowhere",  # unknown market
        "market:id:ZZZZZZZZZZ",
        "market:usa",  # legacy / malformed
        "store:code:usa",
        "market:code:",
        "stock_location:code:wh-usa-1",  # stock location without its market
        "market:code:usa stock_location:code:wh-eu",  # stock location of another market
        "market:code:usa stock_location:code:nowhere",
    ],
)
def test_bad_scope_is_invalid_scope(post_token, sales_channel_client, usa, eu, scope):
    response = post_token(grant_type="client_credentials", client_id=SALES_CHANNEL_ID, scope=scope)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["title"] == "invalid_scope"
    assert error["code"] == "BAD_REQUEST"
    assert error["status"] == 400


def test_integration_unknown_market_is_invalid_scope(post_token, integration_client, usa):
    response = post_token(
        grant_type="client_credentials",
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
        scope="market:code:mars",
    )
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_scope"


def test_stock_location_with_its_market(post_token, sales_channel_client, usa):
    response = post_token(
        grant_type="client_credentials",
        client_id=SALES_CHANNEL_ID,
        scope="market:code:usa stock_location:code:wh-usa-2",
    )
    assert_token_response(response, "market:code:usa stock_location:code:wh-usa-2")
    wh2 = usa.inventory_model.inventory_stock_locations.get(priority=2).stock_location
    assert claims_of(response)["market"]["stock_location_ids"] == [wh2.public_id]


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": INTEGRATION_ID, "client_secret": "wrong"},
        {"client_id": INTEGRATION_ID},  # no secret
        {"client_id": INTEGRATION_ID, "client_secret": ""},
        {"client_id": "nobody", "client_secret": INTEGRATION_SECRET},
        {},  # no client at all
    ],
    ids=["wrong-secret", "no-secret", "empty-secret", "unknown-client", "no-client"],
)
@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_bad_client_is_invalid_client(post_token, integration_client, body, form):
    response = post_token(grant_type="client_credentials", form=form, **body)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": [INVALID_CLIENT]}


def test_wrong_basic_credentials_is_invalid_client(client, integration_client):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic bm9ib2R5Om5vdGhpbmc=",
    )
    assert response.status_code == 401
    assert response.json() == {"errors": [INVALID_CLIENT]}


# `password` is a customer's grant, registered by the orders app (tests/customers).
@pytest.mark.parametrize("grant_type", ["authorization_code", "magic"])
def test_unsupported_grant_type(post_token, sales_channel_client, grant_type):
    response = post_token(
        grant_type=grant_type,
        client_id=SALES_CHANNEL_ID,
        username="a@example.com",
        password="secret",
        scope="market:code:usa",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["title"] == "unsupported_grant_type"
    assert error["status"] == 400


def test_missing_grant_type_is_invalid_request(post_token, integration_client):
    response = post_token(client_id=INTEGRATION_ID, client_secret=INTEGRATION_SECRET)
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_request"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'{"grant_type": 3}'])
def test_malformed_json_is_invalid_request(client, raw):
    response = client.post("/oauth/token", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_request"


def test_get_is_not_allowed(client):
    response = client.get("/oauth/token")
    assert response.status_code == 405
    assert error_of(response)["status"] == 405


def test_token_endpoint_is_csrf_exempt(integration_client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": INTEGRATION_ID,
            "client_secret": INTEGRATION_SECRET,
        },
    )
    assert response.status_code == 200


def test_a_registered_grant_handler_is_served(post_token, sales_channel_client, usa, monkeypatch):
    """The extension point the password grant (customers) plugs into."""
    seen = {}

    def password_grant(request: grants.TokenRequest) -> IssuedToken:
        seen["username"] = request.require("username")
        seen["client"] = request.client
        return issue_token(request.client, resolve_scope(request.params["scope"], kind="customer"))

    monkeypatch.setitem(grants.GRANT_HANDLERS, grants.PASSWORD, password_grant)
    response = post_token(
        grant_type="password",
        client_id=SALES_CHANNEL_ID,
        username="ada@example.com",
        password="pw",
        scope="market:code:usa",
    )
    assert_token_response(response, "market:code:usa")
    assert seen["username"] == "ada@example.com"
    assert seen["client"].kind == "sales_channel"
