"""The pricing of gift cards (orders/pricing.py, no database): a card bought is a line that is
not `discountable` (no promotion or distributed adjustment reaches it, it is in the subtotal and
taxed at its own rate); a card redeemed pays after taxes, up to the amount to pay."""

from decimal import Decimal

import pytest

from orders import pricing

pytestmark = pytest.mark.sqlite

SKU = pricing.SkuLine(key="sku", unit_amount_cents=2000, quantity=3, sku="A")
CARD = pricing.SkuLine(
    key="card", unit_amount_cents=5000, quantity=1, tax_rate=Decimal(0), discountable=False
)
RULE = pricing.TaxSettings(rate=Decimal("0.0825"))


def figures(promotions=(), **order):
    totals = pricing.calculate(
        pricing.OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SKU, CARD),
            promotions=tuple(promotions),
            **order,
        )
    )
    return totals, {line.key: line for line in totals.lines}


@pytest.mark.parametrize(
    "promotion",
    [
        pricing.PromotionInput(key=1, kind=pricing.PERCENTAGE, percentage=Decimal(50)),
        pricing.PromotionInput(key=1, kind=pricing.FIXED_AMOUNT, fixed_amount_cents=100000),
        pricing.PromotionInput(key=1, kind=pricing.BUY_X_PAY_Y, x=3, y=2),
        pricing.PromotionInput(key=1, kind=pricing.FIXED_PRICE, fixed_amount_cents=1),
        pricing.PromotionInput(
            key=1, kind=pricing.PERCENTAGE, percentage=Decimal(50), targets=("card",)
        ),
    ],
)
def test_no_promotion_reaches_a_card_bought(promotion):
    totals, lines = figures([promotion])
    assert lines["card"].discount_cents == 0
    assert totals.subtotal_amount_cents == 11000
    assert -totals.discount_amount_cents <= 6000  # the SKU line's at most


def test_a_card_bought_is_taxed_at_its_own_rate():
    totals, lines = figures(tax=RULE)
    assert (lines["card"].tax_amount_cents, lines["sku"].tax_amount_cents) == (0, 495)
    taxed = pricing.SkuLine(key="card", unit_amount_cents=5000, quantity=1, discountable=False)
    totals = pricing.calculate(
        pricing.OrderInput(currency_code="USD", tax_included=False, lines=(taxed,), tax=RULE)
    )
    assert totals.subtotal_tax_amount_cents == 413  # 412.5 up


def test_a_distributed_adjustment_is_shared_over_the_skus_only():
    adjustment = pricing.AdjustmentCharge(amount_cents=-1000, distribute_discount=True)
    totals, _ = figures(tax=RULE, adjustments=(adjustment,))
    assert totals.adjustment_tax_amount_cents == -83  # 8.25 % of the 1000 on the SKU line


def test_a_card_redeemed_pays_after_taxes_up_to_what_is_left_to_pay():
    totals, _ = figures(tax=RULE, gift_card_amount_cents=-1_000_000)
    assert totals.total_amount_with_taxes_cents == 0
    assert totals.gift_card_amount_cents == -(11000 + 495)
    totals, _ = figures(tax=RULE, gift_card_amount_cents=-2000)
    assert (totals.gift_card_amount_cents, totals.total_amount_with_taxes_cents) == (-2000, 9495)
    assert totals.total_tax_amount_cents == 495  # a payment: no tax moves
