"""Never oversell: concurrent `_place` requests compete for the last units (PostgreSQL only).

Each request runs in its own thread with its own database connection and places an order through
the HTTP API, as storefronts do, all released at one barrier. Every round varies how many
compete (N, 2..8 threads) and how many units are left (K); the multi-SKU race orders its lines in
opposite orders over stock split between two locations, to provoke deadlocks. Every client gets a
200 or a 422 naming the line (never a 500 or a deadlock error), exactly what won is reserved,
reserved never exceeds on hand, a refused order really did not fit, and PostgreSQL itself
reports no deadlock. SQLite serialises every write, so it can't show the race.
"""

import random
from collections import Counter

import pytest
from django.db.models import Sum

from inventory.models import StockItem, StockReservation
from tests import factories as f
from tests.inventory.racing import all_at_once, assert_clean, deadlocks_detected
from tests.shop import build_shop, make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 20
MAX_THREADS = 8


@pytest.fixture
def shop(market, sales_channel):
    """Three priced SKUs, no stock (each test stocks its own), and the storefront's token."""
    shop = build_shop(market, "RACE", skus=3, quantity=None)
    return {**shop, "method": shop["payment_method"], "token": sales_channel.token}


def _pending_order(shop, lines) -> str:
    """A cart ready to place (tests/shop.py's, the same service the API uses)."""
    return make_cart(shop, lines, email="racer@example.com").public_id


def _place_all(shop, order_ids) -> dict:
    return all_at_once([(oid, shop["token"], "orders", oid, {"_place": True}) for oid in order_ids])


def _reserved(items) -> int:
    total = StockReservation.objects.filter(stock_item__in=items).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def _restock(item, quantity) -> None:
    StockReservation.objects.filter(stock_item=item).delete()
    StockItem.objects.filter(pk=item.pk).update(quantity=quantity)


def _report(capsys, name, figures) -> None:
    with capsys.disabled():
        print(f"\nconcurrency ({name}): {dict(figures)}")


def test_concurrent_place_never_oversells(shop, capsys):
    rng = random.Random(20261123)
    sku = shop["skus"][0]
    item = f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=0)
    deadlocks_before = deadlocks_detected()
    figures = Counter()
    threads_seen = set()
    for _ in range(ROUNDS):
        threads = rng.randint(2, MAX_THREADS)  # N competing orders
        quantities = [rng.randint(1, 3) for _ in range(threads)]
        on_hand = rng.randint(1, sum(quantities) - 1)  # K units left: never enough for all
        _restock(item, on_hand)
        wanted = {_pending_order(shop, [(sku, q)]): q for q in quantities}

        results = _place_all(shop, wanted)

        assert_clean(results)
        placed = [oid for oid, (code, _) in results.items() if code == 200]
        reserved = _reserved([item])
        assert reserved == sum(wanted[oid] for oid in placed)  # exactly what won
        assert reserved <= on_hand  # never oversold: salable >= 0
        left = on_hand - reserved
        for oid, (code, body) in results.items():
            if code == 422:
                error = body["errors"][0]
                assert error["source"]["pointer"] == "/data/relationships/line_items"
                assert error["detail"].startswith(f"line_items - {sku.code}: {wanted[oid]} ")
                # ...refused only because what was left could not cover it.
                assert wanted[oid] > left, (body, left)
        assert placed or min(quantities) > on_hand  # when one fits, one wins
        threads_seen.add(threads)
        figures.update(
            rounds=1,
            tried=len(wanted),
            placed=len(placed),
            refused=len(wanted) - len(placed),
            units_reserved=reserved,
            units_on_hand=on_hand,
        )
    figures["threads_min"], figures["threads_max"] = min(threads_seen), max(threads_seen)
    figures["deadlocks"] = deadlocks_detected() - deadlocks_before
    figures["retries"] = 0  # none exist: the row locks queue the requests
    _report(capsys, "1 SKU, N orders for the last K units", figures)
    assert figures["refused"] > 0  # the rounds really competed
    assert figures["deadlocks"] == 0
    assert len(threads_seen) > 3  # N really varied


PERMUTATIONS = [(0, 1, 2), (2, 1, 0), (1, 0, 2), (2, 0, 1), (0, 2, 1), (1, 2, 0)]


def test_concurrent_place_across_skus_in_opposite_orders_never_deadlocks(shop, market, capsys):
    """Three SKUs, each stocked at two locations (split_shipments): an order of one of each
    locks up to six stock items, its lines in one of six orders."""
    rng = random.Random(7)
    model = market.inventory_model
    model.strategy = "split_shipments"
    model.save()
    second = f.StockLocationFactory(code="race-second")
    f.InventoryStockLocationFactory(inventory_model=model, stock_location=second, priority=2)
    items = {
        (sku.pk, location.pk): f.StockItemFactory(stock_location=location, sku=sku, quantity=0)
        for sku in shop["skus"]
        for location in (shop["location"], second)
    }
    deadlocks_before = deadlocks_detected()
    figures = Counter()
    threads_seen = set()
    for _ in range(ROUNDS):
        threads = rng.randint(2, MAX_THREADS)
        # K per SKU, split over the two locations; the scarcest SKU decides who fits.
        on_hand = {}
        for sku in shop["skus"]:
            split = [rng.randint(0, 3), rng.randint(0, 3)]
            if sum(split) == 0:
                split[0] = 1
            for location, quantity in zip((shop["location"], second), split, strict=True):
                _restock(items[(sku.pk, location.pk)], quantity)
            on_hand[sku.pk] = sum(split)
        ids = [
            _pending_order(shop, [(shop["skus"][i], 1) for i in PERMUTATIONS[n % 6]])
            for n in range(threads)
        ]

        results = _place_all(shop, ids)

        assert_clean(results)
        codes = Counter(code for code, _ in results.values())
        fits = min(threads, *on_hand.values())
        assert codes[200] == fits  # exactly the orders that fit
        for sku in shop["skus"]:
            sku_items = [items[(sku.pk, loc.pk)] for loc in (shop["location"], second)]
            assert _reserved(sku_items) == fits <= on_hand[sku.pk]
        for item in items.values():
            item.refresh_from_db()
            assert _reserved([item]) <= item.quantity  # per location too
        threads_seen.add(threads)
        figures.update(
            rounds=1,
            tried=threads,
            placed=codes[200],
            refused=codes[422],
            units_reserved=3 * fits,
            units_on_hand=sum(on_hand.values()),
        )
    figures["threads_min"], figures["threads_max"] = min(threads_seen), max(threads_seen)
    figures["deadlocks"] = deadlocks_detected() - deadlocks_before
    figures["retries"] = 0  # none exist: the row locks queue the requests
    _report(capsys, "3 SKUs x 2 locations, lines in opposite orders", figures)
    assert figures["refused"] > 0
    assert figures["deadlocks"] == 0
    assert len(threads_seen) > 3
