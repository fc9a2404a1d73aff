"""The global lock order, as the SQL shows it (PostgreSQL only: SQLite has no row locks). A
write to an order's rows (a line item, a shipment, a transaction) or a record joining the order
(a new line item, a wire transfer) takes the order's row lock before any other lock, and reads
the order once: the race test (test_concurrent_cart_edits.py) shows what the order prevents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Transaction
from tests.conftest import rel
from tests.orders.conftest import make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def _reads_orders(sql: str) -> bool:
    _, found, tail = sql.partition(" FROM ")
    return sql.startswith("SELECT") and bool(found) and tail.startswith('"orders_order"')


def assert_order_locked_first(call, status=200):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == status, response.content
    statements = [q["sql"] for q in ctx.captured_queries]
    locks = [sql for sql in statements if "FOR UPDATE" in sql]
    assert locks, "the write took no row lock"
    assert _reads_orders(locks[0]), locks[0]
    order_reads = [sql for sql in statements if _reads_orders(sql)]
    assert order_reads == locks[:1], order_reads  # read once, under its lock


@pytest.fixture
def cart(shop):
    return make_cart(shop)


def test_a_line_item_patch_and_delete_lock_the_order_first(cart, sales_channel):
    line = cart.line_items.get(item_type="skus")
    assert_order_locked_first(
        lambda: sales_channel.update("line_items", line.public_id, {"quantity": 3})
    )
    assert_order_locked_first(
        lambda: sales_channel.delete(f"/api/line_items/{line.public_id}"), status=204
    )


def test_a_new_line_item_and_a_wire_transfer_lock_their_order_as_they_name_it(
    cart, shop, sales_channel
):
    assert_order_locked_first(
        lambda: sales_channel.create(
            "line_items",
            {"sku_code": shop["sku"].code, "quantity": 1},
            {"order": rel("orders", cart.public_id)},
        ),
        status=201,
    )
    assert_order_locked_first(
        lambda: sales_channel.create(
            "wire_transfers", relationships={"order": rel("orders", cart.public_id)}
        ),
        status=201,
    )


def test_a_shipment_patch_locks_the_order_first(cart, shop, sales_channel):
    shipment = cart.shipments.get()
    assert_order_locked_first(
        lambda: sales_channel.update(
            "shipments",
            shipment.public_id,
            relationships={"shipping_method": rel("shipping_methods", shop["standard"].public_id)},
        )
    )


def test_an_authorization_trigger_locks_the_order_first(cart, sales_channel, integration):
    assert sales_channel.update("orders", cart.public_id, {"_place": True}).status_code == 200
    authorization = Transaction.objects.get(order=cart, kind="authorizations")
    assert_order_locked_first(
        lambda: integration.update("authorizations", authorization.public_id, {"_void": True})
    )
    cart.refresh_from_db()
    assert cart.payment_status == "voided"
