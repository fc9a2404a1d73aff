"""A small shop for the inventory tests (tests/shop.py): one market location with stock, a
priced SKU, a standard and an express shipping method and a wire-transfer payment method; and
an integration token scoped to the market."""

import pytest

from tests.conftest import JsonApiClient, obtain_token
from tests.shop import build_shop


@pytest.fixture
def shop(market):
    return build_shop(market, "INV", express=True)


@pytest.fixture
def market_integration(client, make_api_client, market):
    """An integration token scoped to the market (`market:code:usa`)."""
    scope = f"market:code:{market.code}"
    client_id = make_api_client("integration", scope)
    token = obtain_token(
        client,
        grant_type="client_credentials",
        client_id=client_id,
        client_secret="test-secret",
        scope=scope,
    )
    return JsonApiClient(client, token)
