"""Checkouts placed at the same moment, on both databases. On SQLite (the `make run` default)
four at once used to answer three 500 "database is locked": a transaction read first and could
not upgrade to the write lock while another held it. Transactions now begin IMMEDIATE and wait
the busy timeout (settings.py): every checkout is placed. A wait that runs out is a 409 JSON:API
error, never a 500, and leaves nothing half-written (commerce/dblimits.py).

Each thread has its own connection, and on SQLite the database is a file (tests/databases.py),
as a server has them."""

from functools import partial

import pytest

from inventory.models import StockReservation
from orders.models import Order, Transaction
from tests.databases import file_database_fixture, lock_timeout_fixture  # noqa: F401
from tests.inventory.racing import at_once, patch
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sqlite,
    pytest.mark.usefixtures("file_database"),
]

CHECKOUTS = 4


def place_at_once(shop, token) -> tuple[list[Order], dict]:
    carts = [make_cart(shop, [(shop["sku"], 3)]) for _ in range(CHECKOUTS)]
    results = at_once(
        {
            cart.public_id: partial(patch, token, "orders", cart.public_id, {"_place": True})
            for cart in carts
        }
    )
    return carts, results


def assert_all_or_nothing(shop, carts, results) -> set[str]:
    """Each answer is a 200 or a JSON:API 409 (a view that raised shows as None: a 500); a
    placed checkout holds its stock and its authorization, a refused one nothing at all."""
    placed = set()
    for key, (status, body) in results.items():
        assert status in (200, 409), (key, status, body)
        if status == 409:
            assert body["errors"][0]["code"] == "CONFLICT", body
        else:
            placed.add(key)
    for cart in carts:
        order = Order.objects.get(pk=cart.pk)
        reserved = StockReservation.objects.filter(stock_line_item__shipment__order=cart)
        authorized = Transaction.objects.filter(order=cart, kind="authorizations")
        if cart.public_id in placed:
            assert (order.status, order.payment_status) == ("placed", "authorized")
            assert sum(r.quantity for r in reserved) == 3
            assert authorized.count() == 1
        else:
            assert order.status == cart.status
            assert not reserved.exists() and not authorized.exists()
    held = StockReservation.objects.filter(stock_item=shop["stock_item"])
    assert sum(r.quantity for r in held) == 3 * len(placed)
    return placed


def test_checkouts_placed_at_once_wait_their_turn_and_are_all_placed(shop, sales_channel):
    carts, results = place_at_once(shop, sales_channel.token)
    placed = assert_all_or_nothing(shop, carts, results)
    assert placed == {cart.public_id for cart in carts}, results


def test_checkouts_that_wait_too_long_answer_409_with_nothing_written(
    shop, sales_channel, lock_timeout
):
    lock_timeout(1)  # milliseconds: the checkouts' transactions all but certainly collide
    carts, results = place_at_once(shop, sales_channel.token)
    assert_all_or_nothing(shop, carts, results)
