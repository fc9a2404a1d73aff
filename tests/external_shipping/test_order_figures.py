"""An `external` method's price in an order's figures, over HTTP as a storefront sends it
(shipping.md "The `external` scheme"): set on a shipment, the merchant's answer is the shipment's
`cost_amount` and the order's `shipping_amount`, free-over rules still apply, an unchanged
refresh does not ask again, a changed quantity or address does, a failure is the method's own
price and never fails the request, and listing available methods never asks."""

import pytest

from tests.conftest import ADDRESS, rel
from tests.external_shipping.conftest import THRESHOLD
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

FIGURES = "?include=shipments&fields[orders]=shipping_amount_cents,subtotal_amount_cents,shipments"


def choose(api, cart, method):
    """The storefront picks `method` for the cart's (one) shipment."""
    shipment = cart.shipments.get()
    return api.update(
        "shipments",
        shipment.public_id,
        relationships={"shipping_method": rel("shipping_methods", method.public_id)},
    )


def figures(api, cart) -> tuple[int, int]:
    """(the order's shipping_amount_cents, its shipment's cost_amount_cents)."""
    document = api.get(f"/api/orders/{cart.public_id}{FIGURES}").json()
    (shipment,) = document["included"]
    return (
        document["data"]["attributes"]["shipping_amount_cents"],
        shipment["attributes"]["cost_amount_cents"],
    )


def test_the_merchants_price_is_the_shipments_cost(cart, external, merchant, sales_channel):
    merchant.cents = 1234
    ok(choose(sales_channel, cart, external))
    assert figures(sales_channel, cart) == (1234, 1234)
    (hit,) = merchant.hits
    assert hit.signed_with(external.shared_secret)
    included = {(r["type"], r["id"]) for r in hit.body["included"]}
    assert ("shipping_methods", external.public_id) in included
    assert ("orders", cart.public_id) in included


def test_free_over_applies_to_the_merchants_price(shop, cart, external, merchant, sales_channel):
    external.free_over_amount_cents = 3000  # the cart's subtotal is $20.00
    external.save()
    merchant.cents = 1234
    ok(choose(sales_channel, cart, external))
    assert figures(sales_channel, cart) == (1234, 1234)
    line = cart.line_items.get(item_type="skus")
    ok(sales_channel.update("line_items", line.public_id, {"quantity": 3}))  # $30.00
    assert figures(sales_channel, cart) == (0, 0)


def test_an_unchanged_refresh_does_not_ask_again(cart, external, merchant, sales_channel):
    ok(choose(sales_channel, cart, external))
    ok(sales_channel.update("orders", cart.public_id, {"_refresh": True}))
    ok(sales_channel.update("orders", cart.public_id, {"customer_email": "other@example.com"}))
    assert len(merchant.hits) == 1
    assert figures(sales_channel, cart) == (merchant.cents, merchant.cents)


def test_a_changed_quantity_asks_again(cart, external, merchant, sales_channel):
    merchant.cents = 1000
    ok(choose(sales_channel, cart, external))
    merchant.cents = 1500
    line = cart.line_items.get(item_type="skus")
    ok(sales_channel.update("line_items", line.public_id, {"quantity": 3}))
    assert len(merchant.hits) == 2
    sent = [r for r in merchant.hits[1].body["included"] if r["type"] == "stock_line_items"]
    assert [r["attributes"]["quantity"] for r in sent] == [3]
    assert figures(sales_channel, cart) == (1500, 1500)


def test_a_changed_address_asks_again(cart, external, merchant, sales_channel):
    merchant.cents = 1000
    ok(choose(sales_channel, cart, external))
    merchant.cents = 2500
    address = ok(sales_channel.create("addresses", {**ADDRESS, "zip_code": "10001"}), 201)
    ok(
        sales_channel.update(
            "orders",
            cart.public_id,
            relationships={"shipping_address": rel("addresses", address["id"])},
        )
    )
    assert len(merchant.hits) == 2
    sent = [r for r in merchant.hits[1].body["included"] if r["type"] == "addresses"]
    assert "10001" in {r["attributes"]["zip_code"] for r in sent}
    assert figures(sales_channel, cart) == (2500, 2500)


def test_a_failing_merchant_is_the_methods_price_and_the_request_succeeds(
    cart, external, merchant, sales_channel, integration
):
    for _ in range(THRESHOLD):
        merchant.answer(500, {})
    ok(choose(sales_channel, cart, external))
    assert figures(sales_channel, cart) == (900, 900)
    # Nothing was stored: each refresh asks again until the circuit opens.
    for _ in range(THRESHOLD):
        ok(sales_channel.update("orders", cart.public_id, {"_refresh": True}))
    assert len(merchant.hits) == THRESHOLD
    method = ok(integration.get(f"/api/shipping_methods/{external.public_id}"))["attributes"]
    assert (method["circuit_state"], method["circuit_failure_count"]) == ("open", THRESHOLD)
    assert figures(sales_channel, cart) == (900, 900)
    ok(integration.update("shipping_methods", external.public_id, {"_reset_circuit": True}))
    merchant.cents = 700
    ok(sales_channel.update("orders", cart.public_id, {"_refresh": True}))
    assert len(merchant.hits) == THRESHOLD + 1
    assert figures(sales_channel, cart) == (700, 700)


def test_placing_keeps_the_merchants_price(cart, external, merchant, sales_channel):
    merchant.cents = 1234
    ok(choose(sales_channel, cart, external))
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert placed["attributes"]["status"] == "placed"
    assert placed["attributes"]["shipping_amount_cents"] == 1234
    assert len(merchant.hits) == 1  # `_place` refreshed an unchanged shipment


def test_listing_available_methods_never_asks(cart, external, merchant, sales_channel):
    shipment = cart.shipments.get()
    listed = ok(
        sales_channel.get(f"/api/shipments/{shipment.public_id}/available_shipping_methods")
    )
    (shown,) = [m for m in listed if m["id"] == external.public_id]
    assert shown["attributes"]["price_amount_for_shipment_cents"] == 900
    assert merchant.hits == []
