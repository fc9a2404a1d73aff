"""A reorder (aftersale.md §4) copies a bundle line as it was, unit included, when the market
still sells a bundle of its code; else the copy logs it as any line no longer sold; short
components fail the copy naming the bundle."""

import pytest

from inventory.models import StockItem
from tests.bundles.conftest import bundle_cart, bundle_line
from tests.order_copies.conftest import copy_now
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _placed(integration, shop, bundles=2, lines=()):
    source = bundle_cart(shop, bundles, lines=lines)
    ok(integration.update("orders", source.public_id, {"_place": True}))
    return source


def test_a_bundle_line_is_copied_as_it_was(integration, shop):
    source = _placed(integration, shop, lines=[(shop["a"], 1)])
    shop["bundle"].price_amount_cents = 2900  # the price moved on: the copy keeps 2500
    shop["bundle"].save()
    copy = copy_now(integration, source)
    assert (copy.status, copy.errors_log) == ("completed", {})
    line = bundle_line(copy.target_order)
    assert (line.bundle, line.bundle_code, line.quantity, line.unit_amount_cents) == (
        shop["bundle"],
        "KIT",
        2,
        2500,
    )
    assert copy.target_order.subtotal_amount_cents == source.subtotal_amount_cents == 6500
    components = line.stock_line_items.values_list("sku__code", "quantity")
    assert sorted(components) == [(shop["a"].code, 2), (shop["b"].code, 4)]


def test_a_bundle_no_longer_sold_is_logged(integration, shop):
    source = _placed(integration, shop, lines=[(shop["a"], 1)])
    shop["bundle"].price_amount_cents = None
    shop["bundle"].save()
    copy = copy_now(integration, source, skip_errors=True)
    assert copy.errors_log == {"line_items": ["KIT: is no longer sold in usa"]}
    target = copy.target_order
    assert not target.line_items.filter(item_type="bundles").exists()
    assert target.line_items.filter(item_type="skus").count() == 1


def test_short_components_fail_the_copy_naming_the_bundle(integration, shop):
    source = _placed(integration, shop, 2)  # holds 4 of the 10 B
    StockItem.objects.filter(sku=shop["b"]).update(quantity=7)  # 3 salable: 1 bundle's worth
    copy = copy_now(integration, source)
    assert copy.status == "failed"
    assert copy.errors_log == {"line_items": ["KIT: 2 requested, 1 available"]}
