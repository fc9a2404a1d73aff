"""`_stop_editing` racing `_place` for the last units (PostgreSQL only; aftersale.md §1): the
edit closes under the same locks as `_place`, so exactly one of them gets the last unit, the
other is a 422 naming the short line, and the stock is never reserved past what is on hand.

Each thread has its own database connection and goes through the HTTP API."""

from collections import Counter

import pytest
from django.db import connection

from inventory.models import StockItem, StockReservation
from orders.models import LineItem, Order
from tests.inventory.racing import all_at_once
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

ROUNDS = 6
STOP, PLACE = {"_stop_editing": True}, {"_place": True}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


def test_an_edit_and_a_placement_never_both_get_the_last_unit(market, integration, sales_channel):
    shop = build_shop(market, "RACE", skus=2, quantity=None)
    sku, other = shop["skus"]
    StockItem.objects.create(stock_location=shop["location"], sku=other, quantity=1000)
    outcomes = Counter()
    for round_ in range(ROUNDS):
        item = StockItem.objects.create(stock_location=shop["location"], sku=sku, quantity=2)
        edited = make_cart(shop, [(sku, 1), (other, 2)], email=f"edit{round_}@example.com")
        ok(integration.update("orders", edited.public_id, {"_place": True}))
        ok(integration.update("orders", edited.public_id, {"_start_editing": True}))
        # One unit of the other SKU swapped for the last unit of this one: the same total.
        for line_sku, quantity in ((other, 1), (sku, 2)):
            line = LineItem.objects.get(order=edited, sku=line_sku)
            ok(integration.update("line_items", line.public_id, {"quantity": quantity}))
        rival = make_cart(shop, [(sku, 1)], email=f"rival{round_}@example.com")

        results = all_at_once(
            [
                (edited.public_id, integration.token, "orders", edited.public_id, STOP),
                (rival.public_id, sales_channel.token, "orders", rival.public_id, PLACE),
            ]
        )
        codes = {order_id: code for order_id, (code, _) in results.items()}
        assert sorted(codes.values()) == [200, 422], results
        for code, body in results.values():
            if code == 422:
                pointers = [e["source"]["pointer"] for e in body["errors"]]
                assert pointers == ["/data/relationships/line_items"], body
        reserved = sum(
            StockReservation.objects.filter(stock_item=item).values_list("quantity", flat=True)
        )
        assert reserved <= item.quantity == 2
        edited.refresh_from_db()
        rival.refresh_from_db()
        if codes[edited.public_id] == 200:
            assert (edited.status, rival.status, reserved) == ("placed", "pending", 2)
            outcomes["edit"] += 1
        else:
            # The edit stays open with its one unit held; the rival holds the other.
            assert (edited.status, rival.status, reserved) == ("editing", "placed", 2)
            outcomes["place"] += 1
        # Clean up the round: cancel both so the next round starts from a fresh stock item.
        for order in (edited, rival):
            if order.status in ("placed", "editing"):
                ok(integration.update("orders", order.public_id, {"_cancel": True}))
        assert not StockReservation.objects.filter(stock_item=item).exists()
        Order.objects.filter(pk__in=[edited.pk, rival.pk]).delete()
        item.delete()
    assert sum(outcomes.values()) == ROUNDS
