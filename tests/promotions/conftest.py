"""Factories and fixtures of the promotion kinds that target a SKU list (buy X pay Y, free gift,
fixed price) and of the SKU-list and order-amount rules (catalog.md "Promotions")."""

import factory
import pytest

from markets.models import (
    BuyXPayYPromotion,
    FixedPricePromotion,
    FreeGiftPromotion,
    OrderAmountPromotionRule,
    SkuListPromotionRule,
)
from tests import factories as f
from tests.factories import SkuListFactory, SkuListItemFactory  # noqa: F401 (the tests import them here)
from tests.markets_tax_promotions.conftest import (
    FixedAmountPromotionFactory,
    FreeShippingPromotionFactory,
    PercentageDiscountPromotionFactory,
    PromotionFactory,
)


class BuyXPayYPromotionFactory(PromotionFactory):
    class Meta:
        model = BuyXPayYPromotion

    sku_list = factory.SubFactory(SkuListFactory)
    x = 3
    y = 2


class FreeGiftPromotionFactory(PromotionFactory):
    class Meta:
        model = FreeGiftPromotion

    sku_list = factory.SubFactory(SkuListFactory)
    max_quantity = 1


class FixedPricePromotionFactory(PromotionFactory):
    class Meta:
        model = FixedPricePromotion

    sku_list = factory.SubFactory(SkuListFactory)
    fixed_amount_cents = 900


class SkuListPromotionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkuListPromotionRule

    promotion = factory.SubFactory(PercentageDiscountPromotionFactory)
    sku_list = factory.SubFactory(SkuListFactory)


class OrderAmountPromotionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderAmountPromotionRule

    promotion = factory.SubFactory(PercentageDiscountPromotionFactory)
    order_amount_cents = 5000


# Every promotion kind: its factory and the attributes a create needs besides the shared ones.
FACTORIES = {
    "percentage_discount_promotions": PercentageDiscountPromotionFactory,
    "fixed_amount_promotions": FixedAmountPromotionFactory,
    "free_shipping_promotions": FreeShippingPromotionFactory,
    "buy_x_pay_y_promotions": BuyXPayYPromotionFactory,
    "free_gift_promotions": FreeGiftPromotionFactory,
    "fixed_price_promotions": FixedPricePromotionFactory,
}
LIST_KINDS = ["buy_x_pay_y_promotions", "free_gift_promotions", "fixed_price_promotions"]
KIND_ATTRIBUTES = {
    "percentage_discount_promotions": {"percentage": 10},
    "fixed_amount_promotions": {"fixed_amount_cents": 500},
    "free_shipping_promotions": {},
    "buy_x_pay_y_promotions": {"x": 3, "y": 2, "cheapest_free": True},
    "free_gift_promotions": {"max_quantity": 2},
    "fixed_price_promotions": {"fixed_amount_cents": 900},
}


@pytest.fixture
def sku_list(db):
    """A manual list of two SKUs, the second created first in position (LIST-B, LIST-A)."""
    sku_list = SkuListFactory(name="Summer")
    a = f.SkuFactory(code="LIST-A")
    b = f.SkuFactory(code="LIST-B")
    SkuListItemFactory(sku_list=sku_list, sku=a, position=2)
    SkuListItemFactory(sku_list=sku_list, sku=b, position=1)
    return sku_list


@pytest.fixture
def shop(market):
    """SKU PRM-1 at $10.00 in `usa`, stock, shipping and payment (tests.shop.build_shop)."""
    from tests.shop import build_shop

    return build_shop(market, "PRM")
