"""Codes are real codes (limits.md section 3; commerce/codes.py): a country, currency or language
code that does not exist is a 422 on its attribute, with nothing written; a real one is taken
in any case and stored upper-case (language lower-case)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.models import Address
from markets.models import PaymentMethod, PriceList, Promotion, ShippingMethod
from orders.models import Order
from tests import factories as f
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

NOT_COUNTRIES = ["ZZ", "ÜS", "ıt", "EU", "XK", "U1", "USA", "", "  "]
NOT_CURRENCIES = ["XYZ", "ÜSD", "ıdr", "US", "EURO", ""]
NOT_LANGUAGES = ["xx", "und", "ıt", "e", "english", "en-ZZ", "en-", "en-US-x", ""]


def assert_refused(response, attribute):
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"]["pointer"] == f"/data/attributes/{attribute}"


@pytest.mark.parametrize("code", NOT_COUNTRIES)
def test_an_address_with_a_country_that_does_not_exist_is_refused(integration, code):
    before = Address.objects.count()
    response = integration.create("addresses", {**ADDRESS, "country_code": code})
    assert_refused(response, "country_code")
    assert Address.objects.count() == before


@pytest.mark.parametrize("code", ["us", "Us", "US"])
def test_a_country_code_is_taken_in_any_case_and_stored_upper_case(sales_channel, code):
    response = sales_channel.create("addresses", {**ADDRESS, "country_code": code})
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["attributes"]["country_code"] == "US"
    assert Address.objects.get(public_id=data["id"]).country_code == "US"


def test_an_address_update_to_a_country_that_does_not_exist_changes_nothing(integration):
    address = Address.objects.create(**{**ADDRESS, "country_code": "IT"})
    response = integration.update("addresses", address.public_id, {"country_code": "zz"})
    assert_refused(response, "country_code")
    address.refresh_from_db()
    assert address.country_code == "IT"
    response = integration.update("addresses", address.public_id, {"country_code": "fr"})
    assert response.status_code == 200, response.content
    address.refresh_from_db()
    assert address.country_code == "FR"


def _promotion(market):
    now = timezone.now()
    return Promotion.objects.create(
        kind="fixed_amount_promotions",
        name="Ten off",
        market=market,
        fixed_amount_cents=1000,
        starts_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=30),
    )


# Every resource whose `currency_code` is writable (resources.json), with a record to update.
CURRENCY_RECORDS = {
    "price_lists": lambda market: market.price_list,
    "shipping_methods": lambda market: f.ShippingMethodFactory(market=market),
    "payment_methods": lambda market: f.PaymentMethodFactory(market=market),
    "fixed_amount_promotions": _promotion,
}
MODELS = {
    "price_lists": PriceList,
    "shipping_methods": ShippingMethod,
    "payment_methods": PaymentMethod,
    "fixed_amount_promotions": Promotion,
}


@pytest.mark.parametrize("type_name", CURRENCY_RECORDS)
def test_a_currency_that_does_not_exist_is_refused_everywhere(integration, market, type_name):
    record = CURRENCY_RECORDS[type_name](market)
    before = MODELS[type_name].objects.get(pk=record.pk).currency_code
    for code in NOT_CURRENCIES:
        response = integration.update(type_name, record.public_id, {"currency_code": code})
        assert_refused(response, "currency_code")
        assert MODELS[type_name].objects.get(pk=record.pk).currency_code == before, code
    response = integration.update(type_name, record.public_id, {"currency_code": "eur"})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["currency_code"] == "EUR"
    assert MODELS[type_name].objects.get(pk=record.pk).currency_code == "EUR"


def test_a_price_list_is_created_with_its_currency_upper_case_and_refused_with_a_fake_one(
    integration,
):
    response = integration.create("price_lists", {"name": "Yen", "currency_code": "ZZZ"})
    assert_refused(response, "currency_code")
    response = integration.create("price_lists", {"name": "Yen", "currency_code": "jpy"})
    assert response.status_code == 201, response.content
    assert PriceList.objects.get(name="Yen").currency_code == "JPY"


@pytest.mark.parametrize("code", NOT_LANGUAGES)
def test_an_order_with_a_language_that_does_not_exist_is_refused(sales_channel, code):
    response = sales_channel.create("orders", {"language_code": code})
    assert_refused(response, "language_code")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "code, stored",
    [("en", "en"), ("IT", "it"), ("fil", "fil"), ("en-US", "en-us"), ("pt_BR", "pt-br")],
)
def test_a_language_code_is_taken_in_any_case_and_stored_lower_case(sales_channel, code, stored):
    response = sales_channel.create("orders", {"language_code": code})
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.language_code == stored
    response = sales_channel.update("orders", order.public_id, {"language_code": "xx"})
    assert_refused(response, "language_code")
    order.refresh_from_db()
    assert order.language_code == stored
