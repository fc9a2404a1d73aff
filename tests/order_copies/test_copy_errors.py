"""What fails a copy (aftersale.md §4): a SKU gone or short of stock, an invalid coupon, a
`_place` or `_cancel` refused; each is logged (`errors_log` {name: [messages]},
`errors_count`), the copy `failed` and no target order left behind, the source untouched.
With `skip_errors` only making the target counts: the rest is logged and the copy completes;
`ignore_invalid_coupon` drops an invalid coupon without a word."""

import pytest

from commerce.models import Address
from inventory.models import StockItem
from markets.models import Price
from orders.models import LineItem, Order, Shipment
from tests.markets_tax_promotions.conftest import CouponFactory
from tests.order_copies.conftest import copy_now, placed_order
from tests.shop import make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def counts():
    return (
        Order.objects.count(),
        LineItem.objects.count(),
        Shipment.objects.count(),
        Address.objects.count(),
    )


def assert_failed(copy, errors_log):
    assert copy.status == "failed"
    assert copy.errors_log == errors_log
    assert copy.errors_count == sum(len(messages) for messages in errors_log.values())
    assert copy.failed_at is not None and copy.completed_at is None
    assert copy.target_order is None


def failed_copy(integration, source, errors_log, **options):
    before = counts()
    copy = copy_now(integration, source, **options)
    assert_failed(copy, errors_log)
    assert counts() == before  # no target, no lines, shipments or address copies left
    return copy


def test_a_sku_no_longer_sold_fails_the_copy(integration, shop):
    sku1, sku2 = shop["skus"]
    source = placed_order(integration, shop, [(sku1, 2), (sku2, 1)])
    Price.objects.filter(sku=shop["sku"]).delete()
    failed_copy(integration, source, {"line_items": ["CPY-1: is no longer sold in usa"]})


def test_a_sku_short_of_stock_fails_the_copy(integration, shop):
    source = placed_order(integration, shop)  # holds 2 of the 50 CPY-1
    StockItem.objects.filter(pk=shop["stock_item"].pk).update(quantity=3)  # 1 salable
    failed_copy(integration, source, {"line_items": ["CPY-1: 2 requested, 1 available"]})


def test_an_invalid_coupon_fails_the_copy_unless_ignored(integration, shop):
    CouponFactory(code="ONCE2026", usage_limit=1)
    source = placed_order(integration, shop, coupon_code="ONCE2026")  # its one use
    assert source.discount_amount_cents == -200
    failed_copy(integration, source, {"coupon_code": ["ONCE2026 has reached its usage limit"]})

    ignored = copy_now(integration, source, ignore_invalid_coupon=True)
    assert (ignored.status, ignored.errors_log, ignored.errors_count) == ("completed", {}, 0)
    target = ignored.target_order
    # Dropped, and the promotion it unlocked with it.
    assert target.coupon_code is None and target.discount_amount_cents == 0
    assert (
        not target.line_items.exclude(item_type__in=("skus", "shipments"))
        .exclude(item_type="payment_methods")
        .exists()
    )


def test_a_refused_place_fails_the_copy(integration, shop):
    source = make_cart(shop)
    Order.objects.filter(pk=source.pk).update(billing_address=None, shipping_address=None)
    source.refresh_from_db()
    copy = failed_copy(
        integration,
        source,
        {
            "_place": [
                "billing_address - can't be blank",
                "shipping_address - can't be blank",
            ]
        },
        place_target_order=True,
    )
    assert copy.started_at is not None


def test_a_refused_cancel_fails_the_copy_before_the_target_is_placed(integration, shop):
    source = placed_order(integration, shop)
    cancelled = integration.update("orders", source.public_id, {"_cancel": True})
    assert cancelled.status_code == 200
    source.refresh_from_db()
    placed = Order.objects.filter(status="placed").count()
    failed_copy(
        integration,
        source,
        {"_cancel": ["status - cannot transition from cancelled to cancelled"]},
        place_target_order=True,
        cancel_source_order=True,
    )
    assert Order.objects.filter(status="placed").count() == placed


def test_a_source_without_sku_lines_fails_even_when_skipping_errors(integration, shop):
    source = make_cart(shop, ready=False, customer_email="ada@example.com")
    failed_copy(
        integration,
        source,
        {"line_items": ["the source order has no sku lines"]},
        skip_errors=True,
    )


def test_skip_errors_copies_what_it_can_and_logs_the_rest(integration, shop):
    sku1, sku2 = shop["skus"]
    CouponFactory(code="ONCE2026", usage_limit=1)
    source = placed_order(integration, shop, [(sku1, 1), (sku2, 2)], coupon_code="ONCE2026")
    Price.objects.filter(sku=sku1).delete()
    copy = copy_now(
        integration, source, skip_errors=True, place_target_order=True, cancel_source_order=True
    )
    assert copy.status == "completed" and copy.failed_at is None
    assert copy.errors_log == {
        "line_items": ["CPY-1: is no longer sold in usa"],
        "coupon_code": ["ONCE2026 has reached its usage limit"],
    }
    assert copy.errors_count == 2
    target = copy.target_order
    assert [(li.sku_code, li.quantity) for li in target.line_items.filter(item_type="skus")] == [
        ("CPY-2", 2)
    ]
    # Then placed, and the source cancelled, as asked.
    assert target.status == "placed" and target.coupon_code is None
    source.refresh_from_db()
    assert source.status == "cancelled"


def test_skip_errors_logs_a_refused_cancel_and_completes(integration, shop):
    source = placed_order(integration, shop)
    integration.update("orders", source.public_id, {"_cancel": True})
    copy = copy_now(integration, source, skip_errors=True, cancel_source_order=True)
    assert copy.status == "completed"
    assert copy.errors_log == {
        "_cancel": ["status - cannot transition from cancelled to cancelled"]
    }
    assert copy.target_order.status == "pending"


def test_every_sku_gone_fails_even_when_skipping_errors(integration, shop):
    source = placed_order(integration, shop)
    Price.objects.filter(sku=shop["sku"]).delete()
    failed_copy(
        integration,
        source,
        {
            "line_items": [
                "CPY-1: is no longer sold in usa",
                "none of the source order's SKUs is sold any more",
            ]
        },
        skip_errors=True,
    )
