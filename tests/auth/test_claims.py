"""The access token's JWT claims, as Commerce Layer's apps decode them."""

import jwt
import pytest
from django.conf import settings

from commerce.auth import tokens
from commerce.models import ApiClient
from tests.auth.conftest import INTEGRATION_ID, SALES_CHANNEL_ID

pytestmark = pytest.mark.django_db


def test_sales_channel_claims(sales_channel_token, usa):
    token = sales_channel_token()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    claims = tokens.decode(token)
    application = ApiClient.objects.get(application__client_id=SALES_CHANNEL_ID)
    links = list(usa.inventory_model.inventory_stock_locations.order_by("priority"))

    assert claims["organization"] == {
        "id": settings.ORGANIZATION_ID,
        "slug": settings.ORGANIZATION_SLUG,
        "enterprise": False,
        "region": "eu-west-1",
    }
    assert claims["application"] == {
        "id": application.public_id,
        "client_id": SALES_CHANNEL_ID,
        "kind": "sales_channel",
        "public": True,
        "confidential": False,
    }
    assert claims["market"] == {
        "id": [usa.public_id],
        "code": "usa",
        "price_list_id": usa.price_list.public_id,
        "stock_location_ids": [link.stock_location.public_id for link in links],
        "geocoder_id": None,
        "allows_external_prices": False,
    }
    assert claims["scope"] == "market:code:usa"
    assert claims["iss"] == f"https://auth.{settings.API_DOMAIN}"
    assert claims["exp"] - claims["iat"] == settings.ACCESS_TOKEN_EXPIRE_SECONDS
    assert claims["test"] is (settings.COMMERCE_MODE == "test")
    assert isinstance(claims["rand"], float) and 0 <= claims["rand"] < 1
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert "owner" not in claims


def test_integration_claims(integration_token, usa, eu):
    claims = tokens.decode(integration_token())
    assert claims["application"]["client_id"] == INTEGRATION_ID
    assert claims["application"]["kind"] == "integration"
    assert claims["application"]["public"] is False
    assert claims["application"]["confidential"] is True
    assert claims["scope"] == "market:all"
    assert "market" not in claims

    two = tokens.decode(integration_token(scope="market:code:usa market:code:eu"))
    assert two["market"]["id"] == [usa.public_id, eu.public_id]
    assert two["market"]["code"] is None  # several markets: no single code or price list


def test_iss_follows_the_api_domain(settings, integration_token):
    settings.API_DOMAIN = "shop.example.com"
    claims = tokens.decode(integration_token())
    assert claims["iss"] == "https://auth.shop.example.com"


def test_live_mode_tokens_are_not_test(settings, integration_token):
    settings.COMMERCE_MODE = "live"
    assert tokens.decode(integration_token())["test"] is False


def test_tokens_differ_each_time(integration_token):
    assert integration_token() != integration_token()
