"""Writes to one order's rows at the same moment (PostgreSQL only): a shipment's or a line
item's PATCH racing the order's `_place` or another write to the cart. Every write takes the
order's row lock before any of its rows (the global lock order), so they queue: each client gets
its answer (2xx or a 422 once the order is placed), PostgreSQL breaks no deadlock, and the
order ends consistent. Without that order (the row first, then its order) `_place`, which holds
the order and then updates the shipments, deadlocks against the shipment's PATCH."""

from functools import partial

import pytest

from orders.models import Order
from tests import factories as f
from tests.conftest import rel
from tests.inventory.racing import assert_clean, at_once, deadlocks_detected, patch
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 8


def test_shipment_and_line_item_writes_queue_behind_place(shop, sales_channel):
    token = sales_channel.token
    express = f.ShippingMethodFactory(
        market=shop["market"], name="Express", price_amount_cents=1500
    )
    second_sku = f.SkuFactory(code="ORD-2", shipping_category=shop["sku"].shipping_category)
    f.PriceFactory(price_list=shop["market"].price_list, sku=second_sku, amount_cents=700)
    f.StockItemFactory(stock_location=shop["location"], sku=second_sku, quantity=50)
    deadlocks_before = deadlocks_detected()
    for round_number in range(ROUNDS):
        order = make_cart(shop, [(shop["sku"], 2), (second_sku, 1)])
        shipment = order.shipments.get()
        line = order.line_items.get(sku=shop["sku"])
        method = express if round_number % 2 else shop["standard"]
        chosen = {"shipping_method": rel("shipping_methods", method.public_id)}
        results = at_once(
            {
                "place": partial(patch, token, "orders", order.public_id, {"_place": True}),
                "shipping method": partial(
                    patch, token, "shipments", shipment.public_id, {}, chosen
                ),
                "quantity": partial(patch, token, "line_items", line.public_id, {"quantity": 3}),
            }
        )
        assert_clean(results)
        assert results["place"][0] == 200, results["place"]
        order = Order.objects.get(pk=order.pk)
        assert order.status == "placed"
        # What won before the place is in the placed figures; what came after was refused.
        line.refresh_from_db()
        shipment.refresh_from_db()
        assert line.quantity == (3 if results["quantity"][0] == 200 else 2)
        expected_method = method if results["shipping method"][0] == 200 else shop["standard"]
        assert shipment.shipping_method_id == expected_method.pk
        assert order.skus_count == line.quantity + 1
        assert order.shipping_amount_cents == expected_method.price_amount_cents
        assert order.subtotal_amount_cents == line.quantity * 1000 + 700
    assert deadlocks_detected() - deadlocks_before == 0
