"""Factories and fixtures of the tax settings and promotions resources."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import factory
import pytest
from django.utils import timezone

from markets.models import (
    Coupon,
    CouponCodesPromotionRule,
    FixedAmountPromotion,
    FreeShippingPromotion,
    ManualTaxCalculator,
    PercentageDiscountPromotion,
    TaxCategory,
    TaxRule,
)
from tests import factories as f


class ManualTaxCalculatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualTaxCalculator

    name = factory.Sequence(lambda n: f"Taxes {n}")


class TaxRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRule

    manual_tax_calculator = factory.SubFactory(ManualTaxCalculatorFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    tax_rate = Decimal("0.22")
    country_code_regex = "IT"


class TaxCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxCategory

    code = factory.Sequence(lambda n: f"TC{n:03d}")
    sku = factory.SubFactory(f.SkuFactory)
    tax_calculator = factory.SubFactory(ManualTaxCalculatorFactory)


_promotion_numbers = count(1)


class PromotionFactory(factory.django.DjangoModelFactory):
    """Active now (started yesterday, expires in a month), market-less unless given one."""

    class Meta:
        abstract = True

    # One counter for every kind (each concrete factory would count on its own).
    name = factory.LazyFunction(lambda: f"Promotion {next(_promotion_numbers)}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    market = None


class PercentageDiscountPromotionFactory(PromotionFactory):
    class Meta:
        model = PercentageDiscountPromotion

    percentage = Decimal("10")


class FixedAmountPromotionFactory(PromotionFactory):
    class Meta:
        model = FixedAmountPromotion

    fixed_amount_cents = 500


class FreeShippingPromotionFactory(PromotionFactory):
    class Meta:
        model = FreeShippingPromotion


class CouponCodesPromotionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponCodesPromotionRule

    promotion = factory.SubFactory(PercentageDiscountPromotionFactory)


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"COUPON{n:05d}")
    promotion_rule = factory.SubFactory(CouponCodesPromotionRuleFactory)


@pytest.fixture
def calculator(db):
    return ManualTaxCalculatorFactory(name="EU VAT")


@pytest.fixture
def sku(db):
    return f.SkuFactory(code="TSHIRT-M")
