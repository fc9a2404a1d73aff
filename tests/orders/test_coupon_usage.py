"""Coupon and promotion usage limits, one request after another (catalog.md "Coupons and usage
limits"): `_place` counts a use, a coupon at its limit refuses the order with a 422 on
`coupon_code` and nothing saved, and `_cancel` (or a full refund) of a placed order gives its
uses back, so another order may then have them. The races are in test_coupon_usage_race.py."""

import pytest

from markets.models import Coupon, Promotion
from orders.models import Order
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    FreeShippingPromotionFactory,
    PercentageDiscountPromotionFactory,
)
from tests.orders.conftest import snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

REACHED = "coupon_code - has reached its usage limit"


@pytest.fixture
def coupon(shop):
    promotion = PercentageDiscountPromotionFactory(market=shop["market"])
    rule = CouponCodesPromotionRuleFactory(promotion=promotion)
    return CouponFactory(code="ONCE2026", promotion_rule=rule, usage_limit=1)


def coupon_cart(shop, sales_channel, code="ONCE2026"):
    cart = make_cart(shop)
    ok(sales_channel.update("orders", cart.public_id, {"coupon_code": code}))
    return cart


def uses(record) -> int:
    record.refresh_from_db()
    return record.usage_count if isinstance(record, Coupon) else record.total_usage_count


def refused_on_coupon_code(response) -> dict:
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == ["/data/attributes/coupon_code"], errors
    assert errors[0]["code"] == "VALIDATION_ERROR"
    assert errors[0]["detail"] == REACHED
    return errors[0]


def test_the_last_use_goes_to_the_first_order_and_cancel_gives_it_back(
    shop, coupon, sales_channel, integration
):
    first = coupon_cart(shop, sales_channel)
    second = coupon_cart(shop, sales_channel)  # applied while a use was left
    placed = ok(sales_channel.update("orders", first.public_id, {"_place": True}))
    assert placed["attributes"]["status"] == "placed"
    assert placed["attributes"]["discount_amount_cents"] == -200  # 10 % of 2 x $10.00
    assert uses(coupon) == 1

    before = snapshot(second)
    refused_on_coupon_code(sales_channel.update("orders", second.public_id, {"_place": True}))
    assert snapshot(second) == before  # still pending: no reservation, no authorization
    assert uses(coupon) == 1
    # A cart can't take the coupon either (the PATCH's own check, unchanged).
    third = make_cart(shop)
    refused_on_coupon_code(
        sales_channel.update("orders", third.public_id, {"coupon_code": "ONCE2026"})
    )

    ok(integration.update("orders", first.public_id, {"_cancel": True}))
    assert uses(coupon) == 0
    again = ok(sales_channel.update("orders", second.public_id, {"_place": True}))
    assert again["attributes"]["status"] == "placed"
    assert again["attributes"]["discount_amount_cents"] == -200
    assert uses(coupon) == 1


def test_a_coupon_without_a_limit_counts_every_use(shop, coupon, sales_channel, integration):
    Coupon.objects.filter(pk=coupon.pk).update(usage_limit=None, usage_count=7)
    cart = coupon_cart(shop, sales_channel)
    ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert uses(coupon) == 8
    ok(integration.update("orders", cart.public_id, {"_cancel": True}))
    assert uses(coupon) == 7


def test_a_coupons_promotion_at_its_limit_refuses_the_coupon(shop, coupon, sales_channel):
    cart = coupon_cart(shop, sales_channel)
    Promotion.objects.filter(pk=coupon.promotion_id).update(
        total_usage_limit=3, total_usage_count=3
    )
    before = snapshot(cart)
    response = sales_channel.update("orders", cart.public_id, {"_place": True})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["source"]["pointer"], e["title"]) for e in errors] == [
        ("/data/attributes/coupon_code", "is not active")
    ]
    assert snapshot(cart) == before
    assert (uses(coupon), uses(coupon.promotion)) == (0, 3)


def test_place_counts_every_promotion_it_applied_and_cancel_gives_them_back(
    shop, coupon, sales_channel, integration
):
    automatic = PercentageDiscountPromotionFactory(market=shop["market"], total_usage_limit=1)
    cart = coupon_cart(shop, sales_channel)
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert placed["attributes"]["discount_amount_cents"] < -200  # both promotions applied
    assert (uses(coupon), uses(coupon.promotion), uses(automatic)) == (1, 1, 1)

    # Used up, the automatic promotion no longer applies to the next cart (catalog.md: active
    # only below its total_usage_limit), which is placed without it.
    later = make_cart(shop)
    placed_later = ok(sales_channel.update("orders", later.public_id, {"_place": True}))
    assert placed_later["attributes"]["discount_amount_cents"] == 0
    assert uses(automatic) == 1

    ok(integration.update("orders", cart.public_id, {"_cancel": True}))
    assert (uses(coupon), uses(coupon.promotion), uses(automatic)) == (0, 0, 0)


def test_a_promotion_used_up_after_the_cart_was_shown_it_refuses_the_cart(shop, sales_channel):
    """Another checkout took the promotion's last use between this cart's last refresh and its
    `_place` (what the racing test meets when the winner commits first): the cart is refused
    naming the promotion, not placed quietly without the discount it showed; a refresh then
    drops the promotion and the cart is placed at the price it shows."""
    automatic = PercentageDiscountPromotionFactory(market=shop["market"], total_usage_limit=1)
    cart = make_cart(shop)
    assert cart.discount_amount_cents == -200  # shown: 10 % of 2 x $10.00
    Promotion.objects.filter(pk=automatic.pk).update(total_usage_count=1)

    before = snapshot(cart)
    response = sales_channel.update("orders", cart.public_id, {"_place": True})
    assert response.status_code == 422, response.content
    assert [(e["source"]["pointer"], e["detail"]) for e in response.json()["errors"]] == [
        (
            "/data/relationships/line_items",
            f"line_items - promotion {automatic.name} has reached its usage limit",
        )
    ]
    assert snapshot(cart) == before
    assert uses(automatic) == 1

    refreshed = ok(sales_channel.update("orders", cart.public_id, {"_refresh": True}))
    assert refreshed["attributes"]["discount_amount_cents"] == 0
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert (placed["attributes"]["status"], placed["attributes"]["discount_amount_cents"]) == (
        "placed",
        0,
    )
    assert uses(automatic) == 1


def test_a_promotion_that_gives_nothing_is_not_counted(shop, sales_channel):
    """A candidate is counted before the figures are known, and given its use back when it gave
    nothing (here free shipping on an order that ships nothing)."""
    free_shipping = FreeShippingPromotionFactory(market=shop["market"], total_usage_limit=5)
    cart = make_cart(shop, [(shop["free_sku"], 1)])
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert placed["attributes"]["status"] == "placed"
    assert uses(free_shipping) == 0


def test_a_full_refund_gives_the_uses_back(shop, coupon, sales_channel, integration):
    cart = coupon_cart(shop, sales_channel)
    ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    ok(integration.update("orders", cart.public_id, {"_approve_and_capture": True}))
    assert (uses(coupon), uses(coupon.promotion)) == (1, 1)
    refunded = ok(integration.update("orders", cart.public_id, {"_refund": True}))
    assert refunded["attributes"]["status"] == "cancelled"
    assert (uses(coupon), uses(coupon.promotion)) == (0, 0)


def test_cancelling_a_pending_cart_gives_nothing_back(shop, coupon, sales_channel, integration):
    Coupon.objects.filter(pk=coupon.pk).update(usage_limit=None, usage_count=2)
    cart = coupon_cart(shop, sales_channel)
    ok(sales_channel.update("orders", cart.public_id, {"_cancel": True}))
    assert Order.objects.get(pk=cart.pk).status == "cancelled"
    assert uses(coupon) == 2


def test_a_use_given_back_never_goes_below_zero(shop, coupon, sales_channel, integration):
    cart = coupon_cart(shop, sales_channel)
    ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    Coupon.objects.filter(pk=coupon.pk).update(usage_count=0)  # an operator's reset
    Promotion.objects.filter(pk=coupon.promotion_id).update(total_usage_count=0)
    ok(integration.update("orders", cart.public_id, {"_cancel": True}))
    assert (uses(coupon), uses(coupon.promotion)) == (0, 0)
