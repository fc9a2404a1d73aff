"""Lists cost a fixed number of queries whatever their size, with every include."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    FixedAmountPromotionFactory,
    FreeShippingPromotionFactory,
    ManualTaxCalculatorFactory,
    PercentageDiscountPromotionFactory,
    TaxCategoryFactory,
    TaxRuleFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PROMOTION_FACTORIES = [
    PercentageDiscountPromotionFactory,
    FixedAmountPromotionFactory,
    FreeShippingPromotionFactory,
]


def _calculators(count, market):
    for _ in range(count):
        calculator = ManualTaxCalculatorFactory()
        TaxRuleFactory.create_batch(2, manual_tax_calculator=calculator)
        TaxCategoryFactory(tax_calculator=calculator)
        f.MarketFactory(tax_calculator=calculator, price_list=market.price_list)


def _promotions(factories):
    """`count` promotions of each kind: a document costs queries per type it holds (each type
    is rendered in one batch), so the small and large lists hold the same kinds."""

    def make(count, market):
        for _ in range(count):
            for factory in factories:
                rule = CouponCodesPromotionRuleFactory(promotion=factory(market=market))
                CouponFactory.create_batch(2, promotion_rule=rule)

    return make


# type -> (builder, includes to try)
LISTS = {
    "tax_calculators": (_calculators, ["", "markets"]),
    "manual_tax_calculators": (_calculators, ["", "markets", "tax_rules", "markets,tax_rules"]),
    "tax_rules": (_calculators, ["", "manual_tax_calculator", "manual_tax_calculator.markets"]),
    "tax_categories": (
        _calculators,
        ["", "sku", "tax_calculator", "sku,tax_calculator", "tax_calculator.tax_rules"],
    ),
    "markets": (_calculators, ["", "tax_calculator", "tax_calculator.tax_rules"]),
    "promotions": (
        _promotions(PROMOTION_FACTORIES),
        [
            "",
            "market",
            "coupon_codes_promotion_rule",
            "coupons",
            "market,coupon_codes_promotion_rule,coupons",
        ],
    ),
    "percentage_discount_promotions": (
        _promotions([PercentageDiscountPromotionFactory]),
        [
            "",
            "market",
            "coupon_codes_promotion_rule",
            "coupons",
            "coupon_codes_promotion_rule.coupons,coupons",
        ],
    ),
    "fixed_amount_promotions": (
        _promotions([FixedAmountPromotionFactory]),
        ["", "market", "coupon_codes_promotion_rule", "coupons", "market.price_list"],
    ),
    "free_shipping_promotions": (
        _promotions([FreeShippingPromotionFactory]),
        ["", "market", "coupon_codes_promotion_rule", "coupons"],
    ),
    "coupon_codes_promotion_rules": (
        _promotions(PROMOTION_FACTORIES),
        ["", "promotion", "coupons", "promotion,coupons"],
    ),
    "coupons": (
        _promotions(PROMOTION_FACTORIES),
        ["", "promotion_rule", "promotion_rule.promotion"],
    ),
}
CASES = [(type_name, include) for type_name, (_, includes) in LISTS.items() for include in includes]


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["data"])


def _assert_constant(api, market, type_name, include, builder):
    url = f"/api/{type_name}?page[size]=25" + (f"&include={include}" if include else "")
    builder(1, market)
    small, small_rows = _count(api, url)
    builder(9, market)
    large, large_rows = _count(api, url)
    assert large_rows > small_rows
    assert large == small, f"{type_name} include={include!r}: {small} vs {large} queries"


@pytest.mark.parametrize("type_name,include", CASES)
def test_integration_lists_are_constant(integration, market, type_name, include):
    _assert_constant(integration, market, type_name, include, LISTS[type_name][0])


@pytest.mark.parametrize(
    "type_name",
    [
        "promotions",
        "percentage_discount_promotions",
        "fixed_amount_promotions",
        "free_shipping_promotions",
    ],
)
def test_sales_channel_promotion_lists_are_constant(sales_channel, market, type_name):
    _assert_constant(
        sales_channel,
        market,
        type_name,
        "market,coupons,coupon_codes_promotion_rule",
        LISTS[type_name][0],
    )
