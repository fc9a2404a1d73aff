"""No query per row (issue 3), for the tax and promotion lists: 1 row and 25 rows cost the same
with every include of the type at once, and the count is pinned. (tests/markets_tax_promotions
checks more include combinations without pinning; markets are in test_query_budget.py.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.jsonapi.registry import registry
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

KINDS = {
    "percentage_discount_promotions": PercentageDiscountPromotionFactory,
    "fixed_amount_promotions": FixedAmountPromotionFactory,
    "free_shipping_promotions": FreeShippingPromotionFactory,
}


def tax_calculator(market, type_name):
    """A calculator with two rules and a category, used by a market."""
    calculator = ManualTaxCalculatorFactory()
    TaxRuleFactory.create_batch(2, manual_tax_calculator=calculator)
    TaxCategoryFactory(tax_calculator=calculator)
    f.MarketFactory(tax_calculator=calculator, price_list=market.price_list)


def promotion(market, type_name):
    """A promotion (of the listed kind, or each kind for mixed lists) with a coupon rule and
    two coupons."""
    factories = [KINDS[type_name]] if type_name in KINDS else list(KINDS.values())
    for factory in factories:
        rule = CouponCodesPromotionRuleFactory(promotion=factory(market=market))
        CouponFactory.create_batch(2, promotion_rule=rule)


# type -> (builder, queries for a page of 1 or 25 rows with every include)
BUDGET = {
    "tax_calculators": (tax_calculator, 4),
    "manual_tax_calculators": (tax_calculator, 5),
    "tax_rules": (tax_calculator, 4),
    "tax_categories": (tax_calculator, 4),
    # 5, and the SKU-list and order-amount rules (`promotion_rules` reads the same three)
    "promotions": (promotion, 7),
    # +1 for the taggable kinds and coupons: their `tags` (bulk.md), one read per page
    "percentage_discount_promotions": (promotion, 8),
    "fixed_amount_promotions": (promotion, 8),
    "free_shipping_promotions": (promotion, 8),
    "coupon_codes_promotion_rules": (promotion, 10),
    "coupons": (promotion, 5),
}


def first_page(api, type_name):
    include = ",".join(n for n, r in registry[type_name].relationships().items() if r.includable)
    url = f"/api/{type_name}?page[size]=25&include={include}"
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    document = response.json()
    return len(captured.captured_queries), len(document["data"]), document["meta"]


@pytest.mark.parametrize("type_name", BUDGET)
def test_list_with_every_include_costs_the_same_for_1_and_25_rows(integration, market, type_name):
    build, pinned = BUDGET[type_name]
    build(market, type_name)
    few, rows, _ = first_page(integration, type_name)
    assert rows >= 1
    while first_page(integration, type_name)[2]["record_count"] < 25:
        build(market, type_name)
    many, rows, _ = first_page(integration, type_name)
    assert rows == 25
    assert many == few, f"{type_name}: {few} queries for a small page, {many} for 25 rows"
    assert few == pinned, f"{type_name}: {few} queries (pinned {pinned})"
