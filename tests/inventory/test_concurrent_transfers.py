"""Never oversell when stock transfers race with orders for the same last units (PostgreSQL).

In each round, at one barrier: orders placed earlier are approved (their units leave the
shelf), new orders are placed and draft stock transfers go `upcoming`, all from their own
threads and database connections, over HTTP; how many of each varies by round (2 to 8
threads). Afterwards what is held (order reservations plus what the transfers hold) never
exceeds what is on hand, salable never goes below 0, every refused request is a 422 naming what
was short, no client ever sees a 500 or a deadlock, and PostgreSQL itself reports none.
SQLite serialises every write, so it can't show the race: these tests need PostgreSQL.
"""

import random
from collections import Counter

import pytest
from django.db.models import Sum

from inventory.models import StockItem, StockReservation, StockTransfer
from tests import factories as f
from tests.inventory.racing import all_at_once, assert_clean, deadlocks_detected, patch
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 20
# Per round, how many of each request race (so 2 to 8 threads).
APPROVALS, PLACEMENTS, TRANSFERS = (0, 2), (1, 3), (1, 3)


def _held(item) -> int:
    total = StockReservation.objects.filter(stock_item=item).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def test_transfers_and_orders_racing_for_the_last_units_never_oversell(
    shop, integration, sales_channel, capsys, record_property
):
    rng = random.Random(20261123)
    sku, item = shop["sku"], shop["stock_item"]
    destination = f.StockLocationFactory(code="racing-dest")
    deadlocks_before = deadlocks_detected()
    figures = Counter()
    threads_seen = set()
    for _ in range(ROUNDS):
        on_hand = rng.randint(8, 14)
        approvals, placements, transfers = (
            rng.randint(*n) for n in (APPROVALS, PLACEMENTS, TRANSFERS)
        )
        StockReservation.objects.filter(stock_item=item).delete()
        StockItem.objects.filter(pk=item.pk).update(quantity=on_hand)
        # Orders placed before the round (their units reserved), approved during it.
        approving = {}
        for _ in range(approvals):
            quantity = rng.randint(1, 3)
            order = make_cart(shop, [(sku, quantity)])
            status, body = patch(sales_channel.token, "orders", order.public_id, {"_place": True})
            assert status == 200, body
            approving[order.public_id] = quantity
        placing = {
            make_cart(shop, [(sku, q)]).public_id: q
            for q in (rng.randint(1, 3) for _ in range(placements))
        }
        moving = {
            StockTransfer.objects.create(
                sku=sku,
                origin_stock_location=shop["location"],
                destination_stock_location=destination,
                quantity=q,
            ).public_id: q
            for q in (rng.randint(1, 4) for _ in range(transfers))
        }
        requests = (
            [(k, integration.token, "orders", k, {"_approve": True}) for k in approving]
            + [(k, sales_channel.token, "orders", k, {"_place": True}) for k in placing]
            + [(k, integration.token, "stock_transfers", k, {"_upcoming": True}) for k in moving]
        )
        results = all_at_once(requests)

        assert_clean(results)
        codes = Counter(status for status, _ in results.values())
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
        threads_seen.add(len(requests))
        figures.update(
            rounds=1,
            approved=len(approving),
            tried=len(placing) + len(moving),
            succeeded=len(won),
            orders_placed=sum(1 for k in won if k in placing),
            transfers_upcoming=sum(1 for k in won if k in moving),
            units_held=held,
            units_on_hand=item.quantity,
            refused=codes[422],
        )
    figures["threads_min"], figures["threads_max"] = min(threads_seen), max(threads_seen)
    figures["deadlocks"] = deadlocks_detected() - deadlocks_before
    figures["retries"] = 0  # none exist: the row locks queue the requests
    summary = dict(figures)
    record_property("concurrency_transfers", summary)
    with capsys.disabled():
        print(f"\nconcurrency (orders vs stock transfers): {summary}")
    assert figures["orders_placed"] > 0
    assert figures["transfers_upcoming"] > 0
    assert figures["refused"] > 0  # the races really competed for too few units
    assert figures["deadlocks"] == 0
    assert len(threads_seen) > 3  # N really varied
