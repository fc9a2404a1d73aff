"""What a copy makes (aftersale.md §4): a new order in the source's market, for its customer,
with copies of its addresses and each sku line as it was; a frozen copy (the source's
promotion lines and coupon as they are: its figures equal the source's until it changes, then
it refreshes as any cart), or with `apply_promotions` the promotions that apply now; shipments
planned as a cart's, keeping the source's shipping methods; the payment method, and a new wire
transfer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from markets.models import ManualTaxCalculator, TaxRule
from orders.models import ORDER_MONEY, LineItem, Order
from tests import factories as f
from tests.markets_tax_promotions.conftest import (
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.order_copies.conftest import copy_now, placed_order
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LINE_FIELDS = ("sku_code", "quantity", "unit_amount_cents", "name", "image_url")
FIGURES = [f"{name}_cents" for name in ORDER_MONEY if name != "place_total_amount"]


@pytest.fixture
def taxed(market):
    calculator = ManualTaxCalculator.objects.create(name="Sales tax")
    TaxRule.objects.create(
        manual_tax_calculator=calculator,
        name="All",
        tax_rate=Decimal("0.0825"),
        country_code_regex=".*",
        freight_taxable=True,
    )
    market.tax_calculator = calculator
    market.save()
    return market


def coupon(code="SAVE-10PCT", percentage="10", **fields):
    return CouponFactory(
        code=code, promotion_rule__promotion__percentage=Decimal(percentage), **fields
    )


def figures(order: Order) -> dict:
    order.refresh_from_db()
    return {name: getattr(order, name) for name in FIGURES}


def lines(order: Order, *item_types) -> list[tuple]:
    rows = LineItem.objects.filter(order=order).order_by("item_type", "id")
    if item_types:
        rows = rows.filter(item_type__in=item_types)
    return [
        (li.item_type, li.sku_code, li.quantity, li.unit_amount_cents, li.total_amount_cents)
        + (li.discount_cents, li.tax_amount_cents, li.name, li.image_url, li.coupon_code)
        for li in rows
    ]


def test_the_copys_figures_are_the_sources(integration, shop, taxed):
    """Golden: two lines, a 10 % coupon, Express shipping, 8.25 % tax; the copy's every
    figure, line and promotion line equals the source's."""
    coupon()
    sku1, sku2 = shop["skus"]
    ada = f.CustomerFactory(email="ada@example.com")
    source = placed_order(
        integration,
        shop,
        [(sku1, 2), (sku2, 3)],
        customer=ada,
        coupon_code="SAVE-10PCT",
        language_code="it",
    )
    assert source.discount_amount_cents == -500 and source.total_tax_amount_cents > 0

    copy = copy_now(integration, source)
    target = copy.target_order
    assert copy.status == "completed", copy.errors_log
    assert figures(target) == figures(source)
    assert target.total_amount_with_taxes_cents == source.place_total_amount_cents
    assert lines(target) == lines(source)
    assert target.coupon_code == "SAVE-10PCT"

    # A new order, the source's market, customer and language, in a cart's status.
    assert target.number != source.number and target.token != source.token
    assert (target.status, target.payment_status, target.placed_at) == ("pending", "unpaid", None)
    for name in ("market_id", "customer_id", "customer_email", "guest", "language_code"):
        assert getattr(target, name) == getattr(source, name), name
    assert target.currency_code == "USD"
    # Copies of its addresses (one, since the source used one for both).
    assert target.billing_address_id == target.shipping_address_id != source.billing_address_id
    for name in ("line_1", "city", "zip_code", "country_code", "first_name", "phone"):
        assert getattr(target.billing_address, name) == getattr(source.billing_address, name)
    # The payment method, a new wire transfer; Express kept (the cart's default is Standard).
    assert target.payment_method_id == source.payment_method_id
    assert target.payment_source.kind == "wire_transfers"
    assert target.payment_source.order_id == target.pk != source.payment_source.order_id
    assert [s.shipping_method for s in target.shipments.all()] == [shop["express"]] * 2
    assert {s.status for s in target.shipments.all()} == {"draft"}

    # What a GET shows is what was stored.
    shown = ok(integration.get(f"/api/orders/{target.public_id}"))["attributes"]
    source_shown = ok(integration.get(f"/api/orders/{source.public_id}"))["attributes"]
    for name in (
        "total_amount_with_taxes_cents",
        "discount_amount_cents",
        "formatted_total_amount",
    ):
        assert shown[name] == source_shown[name]


def test_a_frozen_copy_keeps_a_promotion_that_no_longer_applies_until_it_changes(integration, shop):
    promotion = PercentageDiscountPromotionFactory(percentage=Decimal("20"))
    source = placed_order(integration, shop)
    assert source.discount_amount_cents == -400
    # The promotion ends before the copy is made.
    promotion.expires_at = timezone.now() - timedelta(minutes=1)
    promotion.save()

    target = copy_now(integration, source).target_order
    assert figures(target) == figures(source)
    assert lines(target, "percentage_discount_promotions") == lines(
        source, "percentage_discount_promotions"
    )

    # The cart changes: it refreshes as any cart, without the promotion that ended.
    line = target.line_items.get(item_type="skus")
    ok(integration.update("line_items", line.public_id, {"quantity": 3}))
    target.refresh_from_db()
    assert target.discount_amount_cents == 0
    assert not target.line_items.filter(item_type="percentage_discount_promotions").exists()


def test_apply_promotions_takes_the_promotions_that_apply_now(integration, shop):
    ended = PercentageDiscountPromotionFactory(percentage=Decimal("20"))
    source = placed_order(integration, shop)
    ended.expires_at = timezone.now() - timedelta(minutes=1)
    ended.save()
    PercentageDiscountPromotionFactory(percentage=Decimal("50"), name="Half price")

    frozen = copy_now(integration, source).target_order
    assert frozen.discount_amount_cents == -400  # the source's 20 %, not today's 50 %

    applied = copy_now(integration, source, apply_promotions=True)
    target = applied.target_order
    assert applied.status == "completed"
    assert target.discount_amount_cents == -1000  # 50 % of $20.00
    assert [li[7] for li in lines(target, "percentage_discount_promotions")] == ["Half price"]
    assert target.subtotal_amount_cents == source.subtotal_amount_cents


def test_a_source_shipping_method_no_longer_available_gives_the_carts_default(integration, shop):
    source = placed_order(integration, shop)
    shop["express"].disabled_at = timezone.now()
    shop["express"].save()
    target = copy_now(integration, source).target_order
    assert [s.shipping_method for s in target.shipments.all()] == [shop["standard"]]
    assert target.shipping_amount_cents == 500


def test_a_guest_order_copies_to_a_guest_order(integration, shop, sales_channel):
    source = placed_order(integration, shop, express=False)
    assert source.guest
    target = copy_now(integration, source).target_order
    assert target.guest and target.customer_email == "shopper@example.com"
    # A guest order names its shopper by email; the copy, a cart given that email, links the
    # customer record of it (carts.create_order), as the API links any guest cart's.
    assert target.customer.email == source.customer_email
    # Reached by id as any guest order of the market.
    assert ok(sales_channel.get(f"/api/orders/{target.public_id}"))["id"] == target.public_id


def test_a_cart_copies_too(integration, shop):
    """The source may be in any status (CL): a pending cart copies to a pending cart."""
    source = make_cart(shop)
    target = copy_now(integration, source).target_order
    assert target.status == "pending" and figures(target) == figures(source)


def test_a_copy_keeps_each_line_s_options(integration, shop):
    """catalog.md "SKU options": a reorder costs what the source did, its options included."""
    from markets.models import SkuOption
    from orders.models import LineItemOption

    engraving = SkuOption.objects.create(name="Engraving", price_amount_cents=500)
    cart = make_cart(shop, [(shop["skus"][0], 2)])
    line = LineItem.objects.get(order=cart, item_type="skus")
    ok(
        integration.create(
            "line_item_options",
            {"quantity": 2, "options": {"text": "Ada"}},
            {
                "line_item": {"data": {"type": "line_items", "id": line.public_id}},
                "sku_option": {"data": {"type": "sku_options", "id": engraving.public_id}},
            },
        ),
        201,
    )
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 2 * 1000 + 2 * 500

    target = copy_now(integration, cart).target_order
    assert figures(target) == figures(cart)
    copied = LineItemOption.objects.get(line_item__order=target)
    assert (copied.sku_option_id, copied.quantity, copied.total_amount_cents, copied.options) == (
        engraving.pk,
        2,
        1000,
        {"text": "Ada"},
    )
    assert LineItem.objects.get(order=target, item_type="skus").options_amount_cents == 1000
