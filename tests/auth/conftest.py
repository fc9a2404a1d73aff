"""Fixtures of the auth tests: two markets with stock locations, API clients, token requests."""

import json

import pytest

from commerce.auth.services import create_api_client
from tests import factories as f

INTEGRATION_ID = "auth-test-integration"
INTEGRATION_SECRET = "auth-test-integration-secret"
SALES_CHANNEL_ID = "auth-test-sales-channel"


@pytest.fixture
def usa(db):
    """Market `usa` whose inventory model has two stock locations (wh-usa-1 first)."""
    market = f.MarketFactory(code="usa", price_list__currency_code="USD")
    for priority, code in ((1, "wh-usa-1"), (2, "wh-usa-2")):
        f.InventoryStockLocationFactory(
            inventory_model=market.inventory_model,
            stock_location=f.StockLocationFactory(code=code),
            priority=priority,
        )
    return market


@pytest.fixture
def eu(db):
    market = f.MarketFactory(code="eu", price_list__currency_code="EUR")
    f.InventoryStockLocationFactory(
        inventory_model=market.inventory_model,
        stock_location=f.StockLocationFactory(code="wh-eu"),
        priority=1,
    )
    return market


@pytest.fixture
def integration_client(db):
    return create_api_client(
        kind="integration",
        name="Back office",
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
    )


@pytest.fixture
def sales_channel_client(db):
    """A sales channel without a default scope: its token requests must name a market."""
    return create_api_client(kind="sales_channel", name="Storefront", client_id=SALES_CHANNEL_ID)


@pytest.fixture
def post_token(client):
    """POST /oauth/token with a JSON body (as js-auth does) or, with form=True, a form body."""

    def post(path="/oauth/token", *, form=False, **body):
        if form:
            return client.post(path, data=body)
        return client.post(
            path,
            data=json.dumps(body),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )

    return post


@pytest.fixture
def integration_token(post_token, integration_client):
    def obtain(**extra) -> str:
        response = post_token(
            grant_type="client_credentials",
            client_id=INTEGRATION_ID,
            client_secret=INTEGRATION_SECRET,
            **extra,
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return obtain


@pytest.fixture
def sales_channel_token(post_token, sales_channel_client, usa):
    def obtain(scope="market:code:usa") -> str:
        response = post_token(
            grant_type="client_credentials", client_id=SALES_CHANNEL_ID, scope=scope
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return obtain


def error_of(response) -> dict:
    body = response.json()
    assert list(body) == ["errors"], body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]
