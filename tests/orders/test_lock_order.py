"""The global lock order, as the SQL shows it (PostgreSQL only: SQLite has no row locks). A
write to an order's rows (a line item, a shipment, a transaction) or a record joining the order
(a new line item, a wire transfer) takes the order's row lock before any other lock, and reads
the order once: the race test (test_concurrent_cart_edits.py) shows what the order prevents.
`_place` and `_cancel` then take the coupon and the promotions, before the stock items."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Transaction
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.shop import make_cart

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


# --- coupons and promotions: after the order, before the stock items ----------------------


def _locks(statements) -> list[tuple[str, int | None]]:
    """The row locks in the order taken: (table, None) for a SELECT ... FOR UPDATE ("orders"
    for the order), ("coupon", None) and ("promotion", pk) for the conditional UPDATE that is
    their lock (the coupon's by id or code: there is one)."""
    taken = []
    for sql in statements:
        if "FOR UPDATE" in sql and sql.startswith("SELECT"):
            table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
            taken.append(("orders" if _reads_orders(sql) else table, None))
        elif sql.startswith('UPDATE "markets_coupon"'):
            taken.append(("coupon", None))
        elif sql.startswith('UPDATE "markets_promotion"'):
            taken.append(("promotion", int(re.search(r'"id" = (\d+)', sql)[1])))
    return taken


def test_place_and_cancel_lock_the_coupon_and_promotions_in_the_global_order(
    shop, sales_channel, integration
):
    """order, coupon, promotions with a usage limit by primary key (not by priority), stock
    items, then the promotions without a limit (inventory/locks.py): an unlimited promotion is
    no queue for the market's checkouts while they hold their stock."""
    automatic = [
        PercentageDiscountPromotionFactory(market=shop["market"], total_usage_limit=10)
        for _ in range(2)
    ]
    unlimited = PercentageDiscountPromotionFactory(market=shop["market"])
    promotion = PercentageDiscountPromotionFactory(
        market=shop["market"], priority=1, total_usage_limit=10
    )
    CouponFactory(
        code="LOCKS2026",
        usage_limit=5,
        promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion),
    )
    cart = make_cart(shop, coupon_code="LOCKS2026")
    promotion_pks = sorted(p.pk for p in (*automatic, promotion))
    stock_items = ("inventory_stockitem", None)
    expected = [
        ("orders", None),
        ("coupon", None),
        *[("promotion", pk) for pk in promotion_pks],
        stock_items,
        ("promotion", unlimited.pk),
    ]

    with CaptureQueriesContext(connection) as ctx:
        assert sales_channel.update("orders", cart.public_id, {"_place": True}).status_code == 200
    assert _locks(q["sql"] for q in ctx.captured_queries) == expected

    assert integration.update("orders", cart.public_id, {"_approve": True}).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert integration.update("orders", cart.public_id, {"_cancel": True}).status_code == 200
    assert _locks(q["sql"] for q in ctx.captured_queries) == expected
