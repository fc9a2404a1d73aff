"""Which payment methods an order may pay with (payments.md, issue 17 item 4): its
`available_payment_methods` are its market's methods that are enabled, whose gateway is enabled
and whose currency is none or the order's; any other method set on it is a 422 on
/data/relationships/payment_method that changes nothing, and `_place` checks again."""

import pytest
from django.utils import timezone

from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def methods(market, other_market):
    """The shop's own method (USD market, no currency) and one of each kind it may not take."""
    shop = build_shop(market, "PAY")
    off = f.ManualGatewayFactory(disabled_at=timezone.now())
    return shop, {
        "own": shop["payment_method"],
        "usd": f.PaymentMethodFactory(market=market, currency_code="USD"),
        "disabled": f.PaymentMethodFactory(market=market, disabled_at=timezone.now()),
        "gateway disabled": f.PaymentMethodFactory(market=market, payment_gateway=off),
        "other currency": f.PaymentMethodFactory(market=market, currency_code="EUR"),
        "other market": f.PaymentMethodFactory(market=other_market),
    }


def available(api, order) -> set:
    body = api.get(f"/api/orders/{order.public_id}?include=available_payment_methods").json()
    return {r["id"] for r in body["data"]["relationships"]["available_payment_methods"]["data"]}


def choose(api, order, method):
    return api.update(
        "orders",
        order.public_id,
        relationships={"payment_method": rel("payment_methods", method.public_id)},
    )


def test_only_enabled_methods_of_the_orders_market_and_currency_are_available(
    methods, sales_channel, integration
):
    shop, by_name = methods
    order = make_cart(shop)
    assert order.currency_code == "USD"
    expected = {by_name["own"].public_id, by_name["usd"].public_id}
    assert available(sales_channel, order) == expected
    assert available(integration, order) == expected
    related = integration.get(f"/api/orders/{order.public_id}/available_payment_methods")
    assert {r["id"] for r in related.json()["data"]} == expected


@pytest.mark.parametrize("name", ["disabled", "gateway disabled", "other currency", "other market"])
def test_another_method_is_a_422_that_changes_nothing(methods, integration, name):
    shop, by_name = methods
    order = make_cart(shop)
    response = choose(integration, order, by_name[name])
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/relationships/payment_method"}
    assert error["detail"] == "payment_method - is not available for this order"
    order.refresh_from_db()
    assert order.payment_method_id == shop["payment_method"].pk


def test_an_available_method_is_taken(methods, sales_channel):
    shop, by_name = methods
    order = make_cart(shop)
    response = choose(sales_channel, order, by_name["usd"])
    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert order.payment_method_id == by_name["usd"].pk


@pytest.mark.parametrize("what", ["method", "gateway"])
def test_place_refuses_a_method_disabled_since_the_cart_chose_it(methods, sales_channel, what):
    shop, _ = methods
    order = make_cart(shop)
    method = shop["payment_method"]
    target = method if what == "method" else method.payment_gateway
    target.disabled_at = timezone.now()
    target.save()
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert response.status_code == 422, response.json()
    pointers = [e["source"]["pointer"] for e in response.json()["errors"]]
    assert pointers == ["/data/relationships/payment_method"]
    order.refresh_from_db()
    assert order.status == "pending"

    target.disabled_at = None
    target.save()
    placed = sales_channel.update("orders", order.public_id, {"_place": True})
    assert placed.json()["data"]["attributes"]["status"] == "placed"


def create_wire_transfer(api, order):
    return api.create("wire_transfers", relationships={"order": rel("orders", order.public_id)})


@pytest.mark.parametrize(
    ("method", "detail"),
    [
        (None, "order - has no payment method: choose one before its payment source"),
        ("stripe_payments", "order - pays by stripe_payments, not wire_transfers"),
    ],
)
def test_a_payment_source_of_another_type_than_its_methods_is_a_422(
    methods, sales_channel, method, detail
):
    """The source is of the type the order's method takes (payments.md): else a 422 on the
    order relationship, and the order keeps the source it had."""
    shop, _ = methods
    order = make_cart(shop)
    order.payment_method = (
        None
        if method is None
        else f.PaymentMethodFactory(market=shop["market"], payment_source_type=method)
    )
    order.save()
    kept = order.payment_source_id
    response = create_wire_transfer(sales_channel, order)
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert (error["source"]["pointer"], error["detail"]) == ("/data/relationships/order", detail)
    order.refresh_from_db()
    assert order.payment_source_id == kept

    order.payment_method = shop["payment_method"]
    order.save()
    created = create_wire_transfer(sales_channel, order)
    assert created.status_code == 201, created.json()
    order.refresh_from_db()
    assert order.payment_source.public_id == created.json()["data"]["id"]


def test_place_refuses_a_source_made_for_another_method(methods, sales_channel):
    """The method was changed after the source was made (a PATCH may do that): `_place` checks
    the pair again."""
    shop, _ = methods
    order = make_cart(shop)
    other = f.PaymentMethodFactory(market=shop["market"], payment_source_type="external_payments")
    order.payment_method = other
    order.save()
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert response.status_code == 422, response.json()
    assert [(e["source"]["pointer"], e["detail"]) for e in response.json()["errors"]] == [
        (
            "/data/relationships/payment_source",
            "payment_source - is a wire_transfers, the payment method takes external_payments",
        )
    ]
    order.refresh_from_db()
    assert order.status == "pending"
