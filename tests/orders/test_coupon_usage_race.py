"""Checkouts racing for a coupon's or a promotion's last uses (PostgreSQL only, real threads;
catalog.md "Coupons and usage limits"). Each cart has its own SKU, so only the usage limit
stands between them: of N carts racing with a limit of K, exactly K are placed with the
discount, the others get a 422 (on `coupon_code`, or naming an automatic promotion on
`line_items`) and stay pending with nothing reserved or authorized; the count ends at K, and
PostgreSQL breaks no deadlock. Seen before: with a limit of 1, 2 to 4 of 4 racing orders were
placed and the count reached 4.
"""

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StockReservation
from markets.models import Promotion
from orders.models import Order, Transaction
from tests import factories as f
from tests.inventory.racing import all_at_once, assert_clean, deadlocks_detected
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.shop import make_cart, ok

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 6
MAX_THREADS = 8


def own_sku_cart(shop, **order):
    """A ready cart of one unit of a SKU no other cart has (stock is never what they race for)."""
    sku = f.SkuFactory()
    f.PriceFactory(price_list=shop["market"].price_list, sku=sku, amount_cents=1000)
    f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=5)
    return make_cart(shop, [(sku, 1)], **order)


def trigger(token, cart, name) -> tuple:
    return (cart.public_id, token, "orders", cart.public_id, {name: True})


def place_all(token, carts) -> dict:
    return all_at_once([trigger(token, cart, "_place") for cart in carts])


def assert_left_as_it_was(cart) -> None:
    """A refused order: still pending, nothing reserved, nothing authorized."""
    cart.refresh_from_db()
    assert (cart.status, cart.placed_at, cart.payment_status) == ("pending", None, "unpaid")
    assert not StockReservation.objects.filter(stock_line_item__shipment__order=cart).exists()
    assert not Transaction.objects.filter(order=cart).exists()


def race(shop, token, carts, refusal) -> list[str]:
    """Place every cart at once; every loser gets `refusal` (pointer, detail) and is left as it
    was. Returns the ids placed."""
    results = place_all(token, carts)
    assert_clean(results)
    placed = [oid for oid, (code, _) in results.items() if code == 200]
    for cart in carts:
        code, body = results[cart.public_id]
        if code == 200:
            assert body["data"]["attributes"]["status"] == "placed"
            assert body["data"]["attributes"]["discount_amount_cents"] == -100  # 10 % of $10
            continue
        errors = body["errors"]
        assert [(e["source"]["pointer"], e["detail"]) for e in errors] == [refusal], body
        assert_left_as_it_was(cart)
    return placed


def report(capsys, name, figures) -> None:
    with capsys.disabled():
        print(f"\nusage-limit race ({name}): {dict(figures)}")


def test_racing_checkouts_share_a_coupons_last_uses(shop, sales_channel, capsys):
    rng = random.Random(14)
    deadlocks_before = deadlocks_detected()
    figures = Counter()
    for round_number in range(ROUNDS):
        threads = rng.randint(4, MAX_THREADS)
        limit = 1 if round_number % 2 == 0 else rng.randint(2, 3)
        code = f"RACE{round_number:04d}"
        promotion = PercentageDiscountPromotionFactory(market=shop["market"])
        coupon = CouponFactory(
            code=code,
            usage_limit=limit,
            promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion),
        )
        carts = [own_sku_cart(shop, coupon_code=code) for _ in range(threads)]

        placed = race(
            shop,
            sales_channel.token,
            carts,
            ("/data/attributes/coupon_code", "coupon_code - has reached its usage limit"),
        )

        assert len(placed) == limit  # exactly K of N
        coupon.refresh_from_db()
        promotion.refresh_from_db()
        assert (coupon.usage_count, promotion.total_usage_count) == (limit, limit)
        assert Order.objects.filter(public_id__in=placed, status="placed").count() == limit
        figures.update(rounds=1, tried=threads, placed=len(placed), refused=threads - len(placed))
    figures["deadlocks"] = deadlocks_detected() - deadlocks_before
    report(capsys, "a coupon, N carts for its last K uses", figures)
    assert figures["deadlocks"] == 0


def test_racing_checkouts_share_an_automatic_promotions_last_use(shop, sales_channel, capsys):
    """Every cart was shown the promotion; the one that counts its last use is placed with it,
    the others are told (422 on `line_items`, naming it) instead of being placed at a price
    they were not shown."""
    deadlocks_before = deadlocks_detected()
    figures = Counter()
    for _ in range(ROUNDS // 2):
        Promotion.objects.update(disabled_at=shop["market"].created_at)  # the last round's
        promotion = PercentageDiscountPromotionFactory(market=shop["market"], total_usage_limit=1)
        carts = [own_sku_cart(shop) for _ in range(4)]

        placed = race(
            shop,
            sales_channel.token,
            carts,
            (
                "/data/relationships/line_items",
                f"line_items - promotion {promotion.name} has reached its usage limit",
            ),
        )

        assert len(placed) == 1
        promotion.refresh_from_db()
        assert promotion.total_usage_count == 1
        figures.update(rounds=1, tried=4, placed=1, refused=3)
    figures["deadlocks"] = deadlocks_detected() - deadlocks_before
    report(capsys, "an automatic promotion with 1 use left, 4 carts", figures)
    assert figures["deadlocks"] == 0


def test_racing_checkouts_with_a_coupon_and_promotions_never_deadlock(
    shop, sales_channel, integration, capsys
):
    """A coupon and two automatic promotions (no limits: every cart is placed), while placed
    orders of the same coupon are cancelled: each takes the coupon, then the promotions by
    primary key, then the stock items, so nobody waits in a circle."""
    promotion = PercentageDiscountPromotionFactory(market=shop["market"])
    coupon = CouponFactory(
        code="NOLIMIT1", promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion)
    )
    automatic = [PercentageDiscountPromotionFactory(market=shop["market"]) for _ in range(2)]
    # One SKU for all: the carts race for its stock item as well.
    to_cancel = [make_cart(shop, coupon_code="NOLIMIT1") for _ in range(3)]
    for cart in to_cancel:
        ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    carts = [make_cart(shop, coupon_code="NOLIMIT1") for _ in range(5)]
    deadlocks_before = deadlocks_detected()

    results = all_at_once(
        [trigger(sales_channel.token, cart, "_place") for cart in carts]
        + [trigger(integration.token, cart, "_cancel") for cart in to_cancel]
    )

    assert_clean(results)
    assert Counter(code for code, _ in results.values()) == {200: 8}
    coupon.refresh_from_db()
    assert coupon.usage_count == 5
    for record in (promotion, *automatic):
        record.refresh_from_db()
        assert record.total_usage_count == 5
    assert deadlocks_detected() - deadlocks_before == 0


def place_statements(api, cart) -> int:
    with CaptureQueriesContext(connection) as ctx:
        ok(api.update("orders", cart.public_id, {"_place": True}))
    return len(ctx.captured_queries)


def test_a_coupon_costs_place_three_statements_and_no_coupon_none(shop, sales_channel):
    """Counted as a server runs them (no test transaction). Without a coupon or a promotion,
    `_place` runs what it ran before usage limits were counted (the promotions were read
    anyway; tests/orders/test_checkout_query_budget.py pins that checkout). A coupon adds its
    read and the two conditional UPDATEs that lock and count it and its promotion — one fewer
    than before, when the coupon was read twice and counted after the stock items."""
    plain = own_sku_cart(shop)
    without = place_statements(sales_channel, plain)
    promotion = PercentageDiscountPromotionFactory(market=shop["market"])
    CouponFactory(
        code="BUDGET01",
        usage_limit=10,
        promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion),
    )
    with_coupon = place_statements(sales_channel, own_sku_cart(shop, coupon_code="BUDGET01"))
    assert with_coupon == without + 3
