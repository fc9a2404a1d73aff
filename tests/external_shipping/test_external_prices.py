"""The `external` scheme's call itself (orders.services.external_shipping.external_price_cents),
against a merchant's service on loopback: what is sent and how it is signed, which answers are
prices, when it is asked again, and the circuit breaker. The figures an order shows from it are
in test_order_figures."""

import json
import logging

import pytest
from django.db import transaction

from commerce.exceptions import ValidationError
from commerce.kept import keeping_refused_writes
from markets.models import ShippingMethod
from orders.locks import ORDER_LOCK_RELATED
from orders.models import Order, Shipment
from orders.selectors import order_shipments
from orders.services.external_shipping import external_price_cents
from tests import factories as f
from tests.conftest import rel
from tests.external_shipping.conftest import THRESHOLD, TIMEOUT, price
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def read(cart) -> tuple[Order, Shipment]:
    """The order as the API's write path reads it, and its shipment as a refresh does."""
    order = Order.objects.select_related(*ORDER_LOCK_RELATED).get(pk=cart.pk)
    (shipment,) = order_shipments(order)
    return order, shipment


def ask(cart, method) -> int:
    order, shipment = read(cart)
    method = ShippingMethod.objects.get(pk=method.pk)
    return external_price_cents(order, shipment, method)


def circuit(method) -> tuple[str, int]:
    method.refresh_from_db()
    return method.circuit_state, method.circuit_failure_count


def test_the_shipment_is_posted_signed_with_its_method_and_order(cart, external, merchant):
    merchant.cents = 1234
    assert ask(cart, external) == 1234
    (hit,) = merchant.hits
    assert hit.path == "/shipping-prices"
    assert hit.signed_with(external.shared_secret)
    assert hit.headers["Content-Type"] == "application/vnd.api+json"
    shipment = cart.shipments.get()
    body = hit.body
    assert (body["data"]["type"], body["data"]["id"]) == ("shipments", shipment.public_id)
    included = {(r["type"], r["id"]) for r in body["included"]}
    assert ("shipping_methods", external.public_id) not in included  # not yet the shipment's
    assert ("orders", cart.public_id) in included
    assert ("addresses", cart.shipping_address.public_id) in included
    lines = [r for r in body["included"] if r["type"] == "stock_line_items"]
    assert [(r["attributes"]["sku_code"], r["attributes"]["quantity"]) for r in lines] == [
        ("XSH-1", 2)
    ]


def test_the_shipments_own_method_is_included_without_its_secret(cart, external, merchant):
    Shipment.objects.filter(order=cart).update(shipping_method=external)
    ask(cart, external)
    (hit,) = merchant.hits
    assert hit.signed_with(external.shared_secret)
    (method,) = [r for r in hit.body["included"] if r["type"] == "shipping_methods"]
    assert method["id"] == external.public_id
    assert method["attributes"]["scheme"] == "external"
    assert "shared_secret" not in method["attributes"]
    assert external.shared_secret.encode() not in hit.raw


def test_external_includes_add_what_shipments_serve_and_ignore_the_rest(cart, external, merchant):
    external.external_includes = ["stock_line_items.sku", "nothing_here", 7, "order.market"]
    external.save()
    assert ask(cart, external) == merchant.cents
    kinds = {r["type"] for r in merchant.hits[0].body["included"]}
    assert {"skus", "markets", "orders", "stock_line_items"} <= kinds


def test_an_unchanged_shipment_is_not_asked_again(cart, external, merchant):
    merchant.cents = 800
    assert ask(cart, external) == 800
    merchant.cents = 999  # the merchant would answer otherwise now: not asked
    assert ask(cart, external) == 800
    assert len(merchant.hits) == 1
    stored = Shipment.objects.get(order=cart)
    assert stored.external_price_cents == 800
    assert stored.external_price_key


@pytest.mark.parametrize(
    "change",
    ["quantity", "sku line", "zip code", "another address", "no address", "url"],
)
def test_what_the_price_depends_on_asks_again(cart, shop, external, merchant, change):
    merchant.cents = 800
    ask(cart, external)
    shipment = Shipment.objects.get(order=cart)
    if change == "quantity":
        shipment.stock_line_items.update(quantity=3)
    elif change == "sku line":
        shipment.stock_line_items.update(sku_code="XSH-OTHER")
    elif change == "zip code":
        type(cart.shipping_address).objects.filter(pk=cart.shipping_address_id).update(
            zip_code="10001"
        )
    elif change == "another address":
        Order.objects.filter(pk=cart.pk).update(shipping_address=f.AddressFactory())
    elif change == "no address":
        Order.objects.filter(pk=cart.pk).update(shipping_address=None)
    else:
        ShippingMethod.objects.filter(pk=external.pk).update(
            external_prices_url=merchant.url + "?v=2"
        )
    merchant.cents = 999
    assert ask(cart, external) == 999
    assert len(merchant.hits) == 2


def test_the_refresh_just_planned_lines_are_used_as_they_are(cart, external, merchant):
    """A refresh that re-planned the shipment hands its stock line items over
    (`current_stock_line_items`): nothing is read for them, and the digest follows them."""
    order, shipment = read(cart)
    lines = list(shipment.stock_line_items.all())
    shipment.current_stock_line_items = lines
    assert external_price_cents(order, shipment, external) == merchant.cents
    lines[0].quantity = 5  # as a re-plan would leave it before the answer is asked
    assert external_price_cents(order, shipment, external) == merchant.cents
    assert len(merchant.hits) == 2


def test_a_stored_answer_costs_one_query_or_none(
    cart, external, merchant, django_assert_num_queries
):
    ask(cart, external)
    order, shipment = read(cart)
    with django_assert_num_queries(1):  # its stock line items
        assert external_price_cents(order, shipment, external) == merchant.cents
    shipment.current_stock_line_items = list(shipment.stock_line_items.all())
    with django_assert_num_queries(0):
        assert external_price_cents(order, shipment, external) == merchant.cents
    assert len(merchant.hits) == 1


BAD_ANSWERS = {
    "500": (500, price(100)),
    "404": (404, price(100)),
    "malformed JSON": (200, b"{not json"),
    "not an object": (200, [100]),
    "success false": (200, {"success": False, "data": {"price_amount_cents": 100}}),
    "success as text": (200, {"success": "true", "data": {"price_amount_cents": 100}}),
    "no data": (200, {"success": True}),
    "negative": (200, price(-1)),
    "bool": (200, price(True)),
    "float": (200, price(100.0)),
    "text": (200, price("100")),
    "too large": (200, price(10**19)),
}


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=list(BAD_ANSWERS))
def test_a_bad_answer_is_the_methods_price_and_a_failure(cart, external, merchant, bad):
    status, body = BAD_ANSWERS[bad]
    merchant.answer(status, body)
    assert ask(cart, external) == 900
    assert circuit(external) == ("closed", 1)
    stored = Shipment.objects.get(order=cart)
    assert (stored.external_price_key, stored.external_price_cents) == (None, None)
    # Nothing stored: the next refresh asks again, and a good answer forgets the failure.
    assert ask(cart, external) == merchant.cents
    assert len(merchant.hits) == 2
    assert circuit(external) == ("closed", 0)


def test_a_zero_price_is_a_price(cart, external, merchant):
    merchant.cents = 0
    assert ask(cart, external) == 0
    assert circuit(external) == ("closed", 0)


def test_a_timeout_is_the_methods_price_and_a_failure(cart, external, merchant):
    merchant.answer(200, price(100), delay=TIMEOUT * 3)
    assert ask(cart, external) == 900
    assert circuit(external) == ("closed", 1)


def test_no_server_is_the_methods_price_and_a_failure(cart, external, merchant):
    merchant.stop()
    assert ask(cart, external) == 900
    assert circuit(external) == ("closed", 1)


def test_a_method_without_url_is_its_price_and_no_failure(cart, external, merchant):
    ShippingMethod.objects.filter(pk=external.pk).update(external_prices_url=None)
    assert ask(cart, external) == 900
    assert merchant.hits == []
    assert circuit(external) == ("closed", 0)


def test_a_private_url_is_refused_without_the_setting(cart, external, merchant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    assert ask(cart, external) == 900
    assert merchant.hits == []
    assert circuit(external) == ("closed", 1)


def test_the_circuit_opens_at_the_threshold_and_closes_on_reset(
    cart, external, merchant, integration
):
    for n in range(1, THRESHOLD + 1):
        merchant.answer(500, {})
        assert ask(cart, external) == 900
        assert circuit(external) == ("open" if n == THRESHOLD else "closed", n)
    # Open: the URL is not called, nothing more is counted.
    assert ask(cart, external) == 900
    assert len(merchant.hits) == THRESHOLD
    assert circuit(external) == ("open", THRESHOLD)
    attributes = ok(integration.get(f"/api/shipping_methods/{external.public_id}"))["attributes"]
    assert (attributes["circuit_state"], attributes["circuit_failure_count"]) == (
        "open",
        THRESHOLD,
    )
    ok(integration.update("shipping_methods", external.public_id, {"_reset_circuit": True}))
    assert circuit(external) == ("closed", 0)
    assert ask(cart, external) == merchant.cents
    assert len(merchant.hits) == THRESHOLD + 1


def test_failures_counted_elsewhere_meanwhile_are_not_lost(cart, external, merchant):
    """The count is an increment of the row, not of the copy the refresh read."""
    order, shipment = read(cart)
    method = ShippingMethod.objects.get(pk=external.pk)  # read with 0 failures
    ShippingMethod.objects.filter(pk=external.pk).update(circuit_failure_count=THRESHOLD - 1)
    merchant.answer(500, {})
    assert external_price_cents(order, shipment, method) == 900
    assert circuit(external) == ("open", THRESHOLD)


def test_a_frozen_order_is_not_asked(cart, external, merchant):
    ask(cart, external)
    Order.objects.filter(pk=cart.pk).update(status="placed")
    Shipment.objects.filter(order=cart).update(external_price_key="other")
    assert ask(cart, external) == merchant.cents  # what was answered, not asked again
    assert len(merchant.hits) == 1


def test_a_failure_is_logged_with_the_method_and_no_secret(cart, external, merchant, caplog):
    merchant.answer(503, {})
    with caplog.at_level(logging.WARNING, logger="orders.services.external_shipping"):
        ask(cart, external)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert external.public_id in record.getMessage()
    assert "http 503" in record.getMessage()
    assert external.shared_secret not in caplog.text
    assert merchant.url not in caplog.text


def test_the_signature_is_over_the_exact_body(cart, external, merchant):
    ask(cart, external)
    (hit,) = merchant.hits
    reencoded = json.dumps(hit.body).encode()
    assert hit.raw != reencoded  # compact, as sent: a receiver verifies the raw bytes
    assert hit.signed_with(external.shared_secret)
    assert not hit.signed_with(external.shared_secret + "x")


def test_setting_the_method_by_patch_is_allowed_for_an_external_method(
    cart, external, sales_channel
):
    """Available like any method of the market (its price in lists is its own)."""
    shipment = cart.shipments.get()
    ok(
        sales_channel.update(
            "shipments",
            shipment.public_id,
            relationships={"shipping_method": rel("shipping_methods", external.public_id)},
        )
    )


def test_the_count_is_kept_when_the_request_is_refused(cart, external, merchant):
    """The merchant's URL failed whatever became of the request (commerce.kept)."""
    merchant.answer(500, {})
    with pytest.raises(ValidationError), keeping_refused_writes(), transaction.atomic():
        assert ask(cart, external) == 900
        raise ValidationError("base", "refused for another reason")
    assert circuit(external) == ("closed", 1)
