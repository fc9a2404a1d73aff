"""Bundle lines in the order's figures (catalog.md "Bundles", "Money"): in the subtotal,
discounted like sku lines; list promotions and SKU-list rules reach a bundle line only through
the bundle's own list, never through a component's; buy X pay Y counts bundles apart from SKUs;
taxed at the rule's rate."""

from decimal import Decimal

import pytest

from markets.models import SkuListPromotionRule
from tests.bundles.conftest import bundle_cart, bundle_line, make_bundle, sku_list
from tests.scenarios.test_catalog_golden import _promotion
from tests.scenarios.test_golden_figures import _market, _sku

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _figures(order):
    order.refresh_from_db()
    sku_lines = order.line_items.filter(item_type="skus")
    return {
        "subtotal": order.subtotal_amount_cents,
        "discount": order.discount_amount_cents,
        "bundle": bundle_line(order).discount_cents,
        "skus": [li.discount_cents for li in sku_lines],
    }


def test_a_promotion_on_the_bundle_s_list_reaches_the_bundle_and_its_members(shop):
    _promotion(
        shop["market"],
        "percentage_discount_promotions",
        percentage=10,
        sku_list=shop["bundle"].sku_list,
    )
    order = bundle_cart(shop, 2, lines=[(shop["a"], 1)])
    # A 1500 (a member of the list) + 2 x KIT 2500: 10 % of each
    assert _figures(order) == {"subtotal": 6500, "discount": -650, "bundle": -500, "skus": [-150]}


def test_a_promotion_on_a_component_s_list_does_not_reach_the_bundle(shop):
    _promotion(
        shop["market"],
        "percentage_discount_promotions",
        percentage=10,
        sku_list=sku_list((shop["a"], 1), name="A only"),
    )
    order = bundle_cart(shop, 2, lines=[(shop["a"], 1)])
    assert _figures(order) == {"subtotal": 6500, "discount": -150, "bundle": 0, "skus": [-150]}


def test_an_order_wide_promotion_shares_over_bundle_and_sku_lines(shop):
    _promotion(shop["market"], "fixed_amount_promotions", fixed_amount_cents=650)
    order = bundle_cart(shop, 2, lines=[(shop["a"], 1)])
    assert _figures(order) == {"subtotal": 6500, "discount": -650, "bundle": -500, "skus": [-150]}


def test_sku_list_rules_match_a_bundle_through_its_own_list(shop):
    kit_rule = _promotion(
        shop["market"], "fixed_amount_promotions", fixed_amount_cents=100, name="kit"
    )
    SkuListPromotionRule.objects.create(
        promotion=kit_rule, sku_list=shop["bundle"].sku_list, all_skus=True
    )
    a_rule = _promotion(shop["market"], "fixed_amount_promotions", fixed_amount_cents=7, name="a")
    SkuListPromotionRule.objects.create(
        promotion=a_rule, sku_list=sku_list((shop["a"], 1), name="A only")
    )
    counted = _promotion(
        shop["market"], "fixed_amount_promotions", fixed_amount_cents=20, name="two kits"
    )
    SkuListPromotionRule.objects.create(
        promotion=counted, sku_list=shop["bundle"].sku_list, min_quantity=2
    )
    one = bundle_cart(shop, 1)
    assert _figures(one)["discount"] == -100  # the kit rule holds (a bundle holds every member)
    two = bundle_cart(shop, 2)
    assert _figures(two)["discount"] == -120  # and 2 bundles count 2 towards min_quantity


def test_buy_x_pay_y_counts_bundles_apart_from_their_skus(shop):
    _promotion(shop["market"], "buy_x_pay_y_promotions", x=3, y=2, sku_list=shop["bundle"].sku_list)
    # 3 kits: one free; 2 A on sku lines (members too) are not enough for one free A, and the
    # bundles' A do not count towards them
    order = bundle_cart(shop, 3, lines=[(shop["a"], 2)])
    assert _figures(order) == {"subtotal": 10500, "discount": -2500, "bundle": -2500, "skus": [0]}


def test_fixed_price_on_the_bundle_s_list(shop):
    _promotion(
        shop["market"],
        "fixed_price_promotions",
        fixed_amount_cents=2000,
        sku_list=shop["bundle"].sku_list,
    )
    order = bundle_cart(shop, 2)
    assert _figures(order)["bundle"] == -1000  # 2 x (2500 - 2000)


def test_a_free_gift_gives_skus_never_a_bundle(shop):
    """A free gift makes units of its list's SKUs free; a bundle line is no unit of a SKU."""
    _promotion(
        shop["market"], "free_gift_promotions", max_quantity=1, sku_list=shop["bundle"].sku_list
    )
    order = bundle_cart(shop, 1, lines=[(shop["b"], 1)])
    assert _figures(order) == {"subtotal": 3300, "discount": -800, "bundle": 0, "skus": [-800]}


def test_a_bundle_line_is_taxed_at_the_rule_s_rate():
    market = _market("EUR", tax_included=True, rate="0.22", shipping_cents=0)
    a = _sku(market, 1000)
    bundle = make_bundle([(a, 2)], market=market, price=1220)
    shop = {"market": market, "payment_method": market.payment_methods.get(), "sku": a}
    line = bundle_line(bundle_cart({**shop, "bundle": bundle}, 1))
    assert (line.total_amount_cents, line.tax_amount_cents, line.tax_rate) == (
        1220,
        220,
        Decimal("0.22"),
    )
