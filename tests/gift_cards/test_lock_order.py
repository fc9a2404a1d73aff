"""Where a gift card's lock sits in the global lock order (orders/locks.py), as the SQL shows it
(PostgreSQL only: SQLite has no row locks): `_place` locks the order, then the card, then counts
the coupon (its conditional UPDATE is its lock), then locks the stock items; `_cancel` and
`_stop_editing` take the card before the coupon and the stock items too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import rel
from tests.gift_cards.conftest import card, cart, redeem
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def locks_taken(call, status=200) -> list[str]:
    """The tables each locking statement names first, in order (`FOR UPDATE` reads, and the
    coupon's counting UPDATE)."""
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == status, response.json()
    order = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" in sql:
            table = sql.partition(" FROM ")[2].split()[0].strip('"')
        elif sql.startswith('UPDATE "markets_coupon"'):
            table = "markets_coupon"
        else:
            continue
        if not order or order[-1] != table:
            order.append(table)
    return order


@pytest.fixture
def coupon(shop):
    promotion = PercentageDiscountPromotionFactory(market=shop["market"])
    rule = CouponCodesPromotionRuleFactory(promotion=promotion)
    return CouponFactory(code="LOCKS-0001", usage_limit=10, promotion_rule=rule)


def test_place_locks_the_card_after_the_order_and_before_coupon_and_stock(
    sales_channel, integration, shop, coupon
):
    gift_card = card(balance_cents=1000)
    order = cart(shop, coupon_code=coupon.code)
    redeem(sales_channel, order, gift_card.code)
    placing = locks_taken(lambda: sales_channel.update("orders", order.public_id, {"_place": True}))
    assert placing == [
        "orders_order",
        "orders_giftcard",
        "markets_coupon",
        "inventory_stockitem",
    ]
    editing = locks_taken(
        lambda: integration.update("orders", order.public_id, {"_start_editing": True})
    )
    assert "orders_giftcard" not in editing
    closing = locks_taken(
        lambda: integration.update("orders", order.public_id, {"_stop_editing": True})
    )
    assert closing[:3] == ["orders_order", "orders_giftcard", "inventory_stockitem"]
    cancelling = locks_taken(
        lambda: integration.update("orders", order.public_id, {"_cancel": True})
    )
    assert cancelling[:3] == ["orders_order", "orders_giftcard", "markets_coupon"]


def test_a_card_bought_is_locked_by_the_cart_adding_it_after_the_order(sales_channel, shop):
    order = cart(shop)
    gift_card = card(status="draft")
    adding = locks_taken(
        lambda: sales_channel.create(
            "line_items",
            {"item_type": "gift_cards"},
            {
                "order": rel("orders", order.public_id),
                "item": rel("gift_cards", gift_card.public_id),
            },
        ),
        status=201,
    )
    assert adding == ["orders_order", "orders_giftcard"]
    placing = locks_taken(lambda: sales_channel.update("orders", order.public_id, {"_place": True}))
    assert placing[:2] == ["orders_order", "orders_giftcard"]
    assert ok(sales_channel.get(f"/api/orders/{order.public_id}"))["attributes"]["status"] == (
        "placed"
    )


def test_place_without_a_card_locks_none(sales_channel, shop):
    order = cart(shop)
    placing = locks_taken(lambda: sales_channel.update("orders", order.public_id, {"_place": True}))
    assert placing == ["orders_order", "inventory_stockitem"]
