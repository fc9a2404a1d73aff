"""Money triplets (`x_cents`, `x_float`, `formatted_x`) on prices, shipping methods and payment
methods, in the currency that applies to each (api.md; formatting as Commerce Layer's
RubyMoney table: `$1,917.60`, `€1.234,56`, `¥1,033`)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def attributes(client, type_name, record, **params):
    response = client.get(f"/api/{type_name}/{record.public_id}", **params)
    assert response.status_code == 200, response.content
    return response.json()["data"]["attributes"]


def triplet(attrs, name):
    return attrs[f"{name}_cents"], attrs[f"{name}_float"], attrs[f"formatted_{name}"]


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("currency", "cents", "expected"),
    [
        ("USD", 3200, (3200, 32.0, "$32.00")),
        ("USD", 191760, (191760, 1917.6, "$1,917.60")),
        ("EUR", 3000, (3000, 30.0, "€30,00")),
        ("EUR", 123456, (123456, 1234.56, "€1.234,56")),
        ("JPY", 1033, (1033, 1033.0, "¥1,033")),
        ("GBP", 5, (5, 0.05, "£0.05")),
    ],
)
def test_price_amount_in_its_price_list_currency(integration, currency, cents, expected):
    price = f.PriceFactory(
        price_list=f.PriceListFactory(currency_code=currency), amount_cents=cents
    )
    attrs = attributes(integration, "prices", price)
    assert triplet(attrs, "amount") == expected, currency
    assert attrs["currency_code"] == currency
    assert (attrs["original_amount_cents"], attrs["formatted_original_amount"]) == (
        expected[0],
        expected[2],
    )


def test_price_compare_at_amount_and_its_absence(integration):
    eur = f.PriceListFactory(currency_code="EUR")
    discounted = f.PriceFactory(price_list=eur, amount_cents=3000, compare_at_amount_cents=4000)
    plain = f.PriceFactory(price_list=eur, amount_cents=3500)
    assert triplet(attributes(integration, "prices", discounted), "compare_at_amount") == (
        4000,
        40.0,
        "€40,00",
    )
    assert triplet(attributes(integration, "prices", plain), "compare_at_amount") == (
        None,
        None,
        None,
    )


def test_price_created_by_sku_code_renders_money(integration):
    sku = f.SkuFactory(code="24-WB03")
    price_list = f.PriceListFactory(currency_code="EUR")
    response = integration.create(
        "prices",
        {"sku_code": "24-WB03", "amount_cents": 3500},
        {"price_list": {"data": {"type": "price_lists", "id": price_list.public_id}}},
    )
    assert response.status_code == 201, response.content
    attrs = response.json()["data"]["attributes"]
    assert (attrs["sku_code"], *triplet(attrs, "amount")) == ("24-WB03", 3500, 35.0, "€35,00")
    assert response.json()["data"]["id"] in [p.public_id for p in sku.prices.all()]


def test_shipping_method_money_in_its_market_currency(integration):
    usd = f.MarketFactory(price_list__currency_code="USD")
    eur = f.MarketFactory(price_list__currency_code="EUR")
    standard = f.ShippingMethodFactory(
        market=usd, price_amount_cents=700, free_over_amount_cents=10000
    )
    corriere = f.ShippingMethodFactory(market=eur, price_amount_cents=1200)
    attrs = attributes(integration, "shipping_methods", standard)
    assert triplet(attrs, "price_amount") == (700, 7.0, "$7.00")
    assert triplet(attrs, "free_over_amount") == (10000, 100.0, "$100.00")
    attrs = attributes(integration, "shipping_methods", corriere)
    assert triplet(attrs, "price_amount") == (1200, 12.0, "€12,00")
    assert triplet(attrs, "free_over_amount") == (None, None, None)
    assert triplet(attrs, "price_amount_for_shipment") == (None, None, None)


def test_shipping_method_currency_code_overrides_the_market(integration):
    method = f.ShippingMethodFactory(
        market=f.MarketFactory(price_list__currency_code="USD"),
        currency_code="GBP",
        price_amount_cents=450,
    )
    assert triplet(attributes(integration, "shipping_methods", method), "price_amount") == (
        450,
        4.5,
        "£4.50",
    )


def test_shipping_method_without_market_or_currency_has_no_formatted_amount(integration):
    method = f.ShippingMethodFactory(market=None, price_amount_cents=700)
    assert triplet(attributes(integration, "shipping_methods", method), "price_amount") == (
        700,
        None,
        None,
    )


def test_payment_method_money_in_its_market_currency(integration):
    wire = f.PaymentMethodFactory(
        market=f.MarketFactory(price_list__currency_code="EUR"),
        price_amount_cents=150,
        auto_capture_max_amount_cents=100000,
    )
    attrs = attributes(integration, "payment_methods", wire)
    assert triplet(attrs, "price_amount") == (150, 1.5, "€1,50")
    assert triplet(attrs, "auto_capture_max_amount") == (100000, 1000.0, "€1.000,00")


def test_money_members_in_sparse_fieldsets(integration):
    price = f.PriceFactory(price_list=f.PriceListFactory(currency_code="EUR"), amount_cents=2000)
    attrs = attributes(integration, "prices", price, QUERY_STRING="fields[prices]=formatted_amount")
    assert attrs == {"formatted_amount": "€20,00"}


@pytest.mark.parametrize(
    ("type_name", "member"),
    [
        ("prices", "amount_float"),
        ("prices", "formatted_amount"),
        ("shipping_methods", "formatted_price_amount"),
        ("payment_methods", "price_amount_float"),
    ],
)
def test_derived_money_members_are_read_only(integration, type_name, member):
    record = {
        "prices": f.PriceFactory,
        "shipping_methods": f.ShippingMethodFactory,
        "payment_methods": f.PaymentMethodFactory,
    }[type_name]()
    response = integration.update(type_name, record.public_id, {member: 1})
    assert response.status_code == 400, f"{type_name}.{member}: {response.content!r}"
    (error,) = response.json()["errors"]
    assert error["code"] == "PARAM_NOT_ALLOWED", type_name
    assert error["source"]["pointer"] == f"/data/attributes/{member}", type_name


@pytest.mark.parametrize("cents", [1.5, "700", None])
def test_non_integer_cents_are_rejected(integration, cents):
    method = f.ShippingMethodFactory()
    response = integration.update(
        "shipping_methods", method.public_id, {"price_amount_cents": cents}
    )
    assert response.status_code == 422, f"{cents!r}: {response.content!r}"
    assert (
        response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/price_amount_cents"
    )


@pytest.mark.parametrize(
    ("type_name", "member"),
    [
        ("prices", "amount_cents"),
        ("prices", "compare_at_amount_cents"),
        ("shipping_methods", "price_amount_cents"),
        ("shipping_methods", "free_over_amount_cents"),
        ("payment_methods", "price_amount_cents"),
        ("payment_methods", "auto_capture_max_amount_cents"),
    ],
)
def test_negative_cents_are_a_validation_error_on_the_attribute(integration, type_name, member):
    record = {
        "prices": f.PriceFactory,
        "shipping_methods": f.ShippingMethodFactory,
        "payment_methods": f.PaymentMethodFactory,
    }[type_name]()
    response = integration.update(type_name, record.public_id, {member: -1})
    assert response.status_code == 422, f"{type_name}.{member}: {response.content!r}"
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == f"/data/attributes/{member}", type_name
    assert error["detail"] == f"{member} - must be greater than or equal to 0", type_name
