"""Never oversell when stock transfers race with orders for the same last units (PostgreSQL).

In each round, at one barrier: orders placed earlier are approved (their units leave the
shelf), new orders are placed and draft stock transfers go `upcoming`, all from their own
threads and database connections, over HTTP. Afterwards what is held (order reservations plus
what the transfers hold) never exceeds what is on hand, salable never goes below 0, every
refused request is a 422 naming what was short, and no client ever sees a 500 or a deadlock.
SQLite serialises every write, so it can't show the race: these tests need PostgreSQL.
"""

import json
import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from inventory.models import StockItem, StockReservation, StockTransfer
from tests import factories as f
from tests.inventory.conftest import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]

ROUNDS = 20
APPROVALS, PLACEMENTS, TRANSFERS = 2, 3, 3
THREADS = APPROVALS + PLACEMENTS + TRANSFERS


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


def _patch(token, type_name, public_id, attributes):
    body = json.dumps({"data": {"type": type_name, "id": public_id, "attributes": attributes}})
    response = Client().patch(
        f"/api/{type_name}/{public_id}",
        data=body,
        content_type="application/vnd.api+json",
        HTTP_ACCEPT="application/vnd.api+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def _all_at_once(requests):
    """Run every (key, token, type, id, attributes) request from its own thread at one barrier;
    {key: (status, body)}, or the exception a thread raised."""
    results = {}
    barrier = threading.Barrier(len(requests))

    def run(key, *args):
        try:
            barrier.wait()
            results[key] = _patch(*args)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            results[key] = (None, repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(requests), "a thread did not finish"
    return results


def _held(item) -> int:
    total = StockReservation.objects.filter(stock_item=item).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def test_transfers_and_orders_racing_for_the_last_units_never_oversell(
    shop, integration, sales_channel, capsys, record_property
):
    rng = random.Random(20261123)
    sku, item = shop["sku"], shop["stock_item"]
    destination = f.StockLocationFactory(code="racing-dest")
    figures = Counter()
    for _ in range(ROUNDS):
        on_hand = rng.randint(8, 14)
        StockReservation.objects.filter(stock_item=item).delete()
        StockItem.objects.filter(pk=item.pk).update(quantity=on_hand)
        # Orders placed before the round (their units reserved), approved during it.
        approving = {}
        for _ in range(APPROVALS):
            quantity = rng.randint(1, 3)
            order = make_cart(shop, [(sku, quantity)])
            status, body = _patch(sales_channel.token, "orders", order.public_id, {"_place": True})
            assert status == 200, body
            approving[order.public_id] = quantity
        placing = {
            make_cart(shop, [(sku, q)]).public_id: q
            for q in (rng.randint(1, 3) for _ in range(PLACEMENTS))
        }
        moving = {
            StockTransfer.objects.create(
                sku=sku,
                origin_stock_location=shop["location"],
                destination_stock_location=destination,
                quantity=q,
            ).public_id: q
            for q in (rng.randint(1, 4) for _ in range(TRANSFERS))
        }
        requests = (
            [(k, integration.token, "orders", k, {"_approve": True}) for k in approving]
            + [(k, sales_channel.token, "orders", k, {"_place": True}) for k in placing]
            + [(k, integration.token, "stock_transfers", k, {"_upcoming": True}) for k in moving]
        )
        results = _all_at_once(requests)

        codes = Counter(status for status, _ in results.values())
        assert set(codes) <= {200, 422}, results
        assert all(results[k][0] == 200 for k in approving), results
        won = {k: q for k, q in {**placing, **moving}.items() if results[k][0] == 200}
        item.refresh_from_db()
        held = _held(item)
        # The approved units left the shelf, once; what is held is exactly what won.
        assert item.quantity == on_hand - sum(approving.values())
        assert held == sum(won.values())
        assert held <= item.quantity  # never oversold: salable >= 0
        left = item.quantity - held
        for key, (status, body) in results.items():
            if status == 422:
                pointer = body["errors"][0]["source"]["pointer"]
                expected = "/data/attributes/quantity" if key in moving else "line_items"
                assert pointer.endswith(expected), body
                # ...refused only because what was left could not cover it.
                assert {**placing, **moving}[key] > left, (body, left)
        figures.update(
            rounds=1,
            tried=len(placing) + len(moving),
            succeeded=len(won),
            orders_placed=sum(1 for k in won if k in placing),
            transfers_upcoming=sum(1 for k in won if k in moving),
            units_held=held,
            units_on_hand=item.quantity,
            refused=codes[422],
        )
    figures["threads"] = THREADS
    summary = dict(figures)
    record_property("concurrency_transfers", summary)
    with capsys.disabled():
        print(f"\nconcurrency (orders vs stock transfers): {summary}")
    assert figures["orders_placed"] > 0
    assert figures["transfers_upcoming"] > 0
    assert figures["refused"] > 0  # the races really competed for too few units
