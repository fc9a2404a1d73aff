"""Never oversell a bundle (inventory.md "Never oversell", catalog.md "Bundles"): carts of the
bundle and carts of one of its components race to `_place` for the last units (PostgreSQL,
real threads and connections, tests/inventory/racing.py). What won is exactly what is
reserved, reserved never exceeds on hand, and a refused cart really did not fit."""

import random

import pytest
from django.db.models import Sum

from inventory.models import StockItem, StockReservation
from tests.bundles.conftest import bundle_cart
from tests.inventory.racing import all_at_once, assert_clean, deadlocks_detected
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 12


def _reserved(sku) -> int:
    rows = StockReservation.objects.filter(stock_item__sku=sku)
    return rows.aggregate(total=Sum("quantity"))["total"] or 0


def _restock(shop, a, b) -> None:
    StockReservation.objects.all().delete()
    StockItem.objects.filter(sku=shop["a"]).update(quantity=a)
    StockItem.objects.filter(sku=shop["b"]).update(quantity=b)


def test_a_bundle_and_its_component_on_the_last_units(shop, sales_channel):
    """Round 1 is the plain case: 2 B left, one kit (B x2) against one cart of B x1."""
    rng = random.Random(20261207)
    deadlocks_before = deadlocks_detected()
    refused = 0
    for round_ in range(ROUNDS):
        b_left = 2 if round_ == 0 else rng.randint(2, 6)
        _restock(shop, 10, b_left)
        carts = {}  # order id -> units of B it needs
        kits = 1 if round_ == 0 else rng.randint(1, 3)
        singles = 1 if round_ == 0 else rng.randint(1, 3)
        for _ in range(kits):
            bundles = rng.randint(1, 2) if round_ else 1
            carts[bundle_cart(shop, bundles).public_id] = 2 * bundles
        for _ in range(singles):
            units = rng.randint(1, 3) if round_ else 1
            carts[make_cart(shop, [(shop["b"], units)]).public_id] = units
        if sum(carts.values()) <= b_left:
            continue  # every cart fits: no race to see

        results = all_at_once(
            [(oid, sales_channel.token, "orders", oid, {"_place": True}) for oid in carts]
        )

        assert_clean(results)
        placed = [oid for oid, (status, _) in results.items() if status == 200]
        reserved = _reserved(shop["b"])
        assert reserved == sum(carts[oid] for oid in placed)  # exactly what won
        assert reserved <= b_left  # never oversold
        for oid, (status, body) in results.items():
            if status == 422:
                refused += 1
                error = body["errors"][0]
                assert error["source"]["pointer"] == "/data/relationships/line_items"
                assert carts[oid] > b_left - reserved, (body, b_left, reserved)
        if round_ == 0:
            assert len(placed) == 1  # one of the two, never both
    assert refused > 0
    assert deadlocks_detected() - deadlocks_before == 0
