"""orders.pricing: the golden figures of orders.md and the rules the calculator had to choose."""

import dataclasses
from decimal import Decimal

import pytest

from commerce.money import format_amount
from orders.pricing import (
    OrderInput,
    PromotionInput,
    ShipmentCharge,
    SkuLine,
    TaxSettings,
    calculate,
    line_tax,
    share_out,
)

pytestmark = pytest.mark.sqlite

TOTAL_FIELDS = (
    "subtotal_amount",
    "shipping_amount",
    "payment_method_amount",
    "discount_amount",
    "adjustment_amount",
    "gift_card_amount",
    "total_amount",
    "total_amount_with_taxes",
    "subtotal_tax_amount",
    "shipping_tax_amount",
    "payment_method_tax_amount",
    "discount_tax_amount",
    "adjustment_tax_amount",
    "total_tax_amount",
    "subtotal_taxable_amount",
    "shipping_taxable_amount",
    "payment_method_taxable_amount",
    "discount_taxable_amount",
    "adjustment_taxable_amount",
    "total_taxable_amount",
)


def figures(totals) -> dict:
    return {name: getattr(totals, f"{name}_cents") for name in TOTAL_FIELDS}


def pct(n) -> PromotionInput:
    return PromotionInput(key=f"pct{n}", kind="percentage", percentage=Decimal(n))


def fixed(cents, key="fixed") -> PromotionInput:
    return PromotionInput(key=key, kind="fixed_amount", fixed_amount_cents=cents)


FREE_SHIPPING = PromotionInput(key="free", kind="free_shipping")


# --- golden figures (orders.md) -------------------------------------------------------------


def test_golden_002_cl_tax_included_22_eur():
    totals = calculate(
        OrderInput(
            currency_code="EUR",
            tax_included=True,
            lines=(SkuLine("a", 2500, 2),),
            shipments=(ShipmentCharge("s", 1200),),
            promotions=(pct(10),),
            tax=TaxSettings(rate=Decimal("0.22"), freight_taxable=True),
        )
    )
    assert figures(totals) == {
        "subtotal_amount": 5000,
        "shipping_amount": 1200,
        "payment_method_amount": 0,
        "discount_amount": -500,
        "adjustment_amount": 0,
        "gift_card_amount": 0,
        "total_amount": 5700,
        "total_amount_with_taxes": 5700,
        "subtotal_tax_amount": 902,
        "shipping_tax_amount": 216,
        "payment_method_tax_amount": 0,
        "discount_tax_amount": -90,
        "adjustment_tax_amount": 0,
        "total_tax_amount": 1028,
        "subtotal_taxable_amount": 4098,
        "shipping_taxable_amount": 984,
        "payment_method_taxable_amount": 0,
        "discount_taxable_amount": -410,
        "adjustment_taxable_amount": 0,
        "total_taxable_amount": 4672,
    }
    assert totals.tax_rate == Decimal("0.22")
    assert format_amount(totals.total_amount_cents, "EUR") == "€57,00"
    assert format_amount(totals.total_amount_with_taxes_cents, "EUR") == "€57,00"
    assert format_amount(totals.discount_amount_cents, "EUR") == "-€5,00"
    assert format_amount(totals.total_tax_amount_cents, "EUR") == "€10,28"
    assert totals.triplet("total_tax_amount") == {
        "total_tax_amount_cents": 1028,
        "total_tax_amount_float": 10.28,
        "formatted_total_tax_amount": "€10,28",
    }
    (line,) = totals.lines
    assert (line.key, line.total_amount_cents, line.discount_cents) == ("a", 5000, -500)
    assert (line.tax_amount_cents, line.taxable_amount_cents) == (902 - 90, 4098 - 410)
    assert totals.promotions[0].amount_cents == -500
    assert totals.promotions[0].line_discounts == (("a", -500),)


def test_golden_000_magento_usd_no_tax():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(
                SkuLine("24-WB03", 3600, 20),
                SkuLine("24-WB01", 3200, 40),
                SkuLine("240-LV06", 2200, 1),
            ),
            shipments=(ShipmentCharge("s", 30000),),
            promotions=(pct(20),),
        )
    )
    assert figures(totals) == {
        "subtotal_amount": 202200,
        "shipping_amount": 30000,
        "payment_method_amount": 0,
        "discount_amount": -40440,
        "adjustment_amount": 0,
        "gift_card_amount": 0,
        "total_amount": 191760,
        "total_amount_with_taxes": 191760,
        "subtotal_tax_amount": 0,
        "shipping_tax_amount": 0,
        "payment_method_tax_amount": 0,
        "discount_tax_amount": 0,
        "adjustment_tax_amount": 0,
        "total_tax_amount": 0,
        "subtotal_taxable_amount": 202200,
        "shipping_taxable_amount": 30000,
        "payment_method_taxable_amount": 0,
        "discount_taxable_amount": -40440,
        "adjustment_taxable_amount": 0,
        "total_taxable_amount": 191760,
    }
    assert totals.tax_rate == 0
    assert format_amount(totals.total_amount_cents, "USD") == "$1,917.60"
    assert format_amount(totals.total_amount_with_taxes_cents, "USD") == "$1,917.60"
    # 20 % of each line exactly: 72000, 128000, 2200.
    assert [f.discount_cents for f in totals.lines] == [-14400, -25600, -440]


def test_golden_003_bigcommerce_tax_excluded_825():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("item", 1000, 1),),
            tax=TaxSettings(rate=Decimal("0.0825")),
        )
    )
    assert figures(totals) == {
        "subtotal_amount": 1000,
        "shipping_amount": 0,
        "payment_method_amount": 0,
        "discount_amount": 0,
        "adjustment_amount": 0,
        "gift_card_amount": 0,
        "total_amount": 1000,
        "total_amount_with_taxes": 1083,  # 82.5 -> 83, half away from zero
        "subtotal_tax_amount": 83,
        "shipping_tax_amount": 0,
        "payment_method_tax_amount": 0,
        "discount_tax_amount": 0,
        "adjustment_tax_amount": 0,
        "total_tax_amount": 83,
        "subtotal_taxable_amount": 1000,
        "shipping_taxable_amount": 0,
        "payment_method_taxable_amount": 0,
        "discount_taxable_amount": 0,
        "adjustment_taxable_amount": 0,
        "total_taxable_amount": 1000,
    }
    assert format_amount(totals.total_amount_with_taxes_cents, "USD") == "$10.83"


def test_golden_004_epages_tax_included_19_full_coupon():
    totals = calculate(
        OrderInput(
            currency_code="EUR",
            tax_included=True,
            lines=(SkuLine("item", 1299, 2),),
            shipments=(ShipmentCharge("s", 1037),),
            promotions=(pct(100),),
            tax=TaxSettings(rate=Decimal("0.19"), freight_taxable=True),
        )
    )
    assert figures(totals) == {
        "subtotal_amount": 2598,
        "shipping_amount": 1037,
        "payment_method_amount": 0,
        "discount_amount": -2598,
        "adjustment_amount": 0,
        "gift_card_amount": 0,
        "total_amount": 1037,
        "total_amount_with_taxes": 1037,
        "subtotal_tax_amount": 415,
        "shipping_tax_amount": 166,
        "payment_method_tax_amount": 0,
        "discount_tax_amount": -415,
        "adjustment_tax_amount": 0,
        "total_tax_amount": 166,
        "subtotal_taxable_amount": 2183,
        "shipping_taxable_amount": 871,
        "payment_method_taxable_amount": 0,
        "discount_taxable_amount": -2183,
        "adjustment_taxable_amount": 0,
        "total_taxable_amount": 871,
    }
    assert format_amount(totals.total_amount_cents, "EUR") == "€10,37"


def test_golden_demo_usa_free_over_100_tax_excluded():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("24-WB03", 3600, 20), SkuLine("24-WB01", 3200, 40)),
            shipments=(ShipmentCharge("standard", 700, free_over_amount_cents=10000),),
            tax=TaxSettings(rate=Decimal("0.0825")),
        )
    )
    assert totals.subtotal_amount_cents == 200000
    assert totals.shipping_amount_cents == 0
    assert totals.shipments[0].amount_cents == 0 and totals.shipments[0].free_over
    assert totals.total_amount_cents == 200000
    assert totals.subtotal_tax_amount_cents == 16500
    assert totals.total_tax_amount_cents == 16500
    assert totals.total_taxable_amount_cents == 200000
    assert totals.total_amount_with_taxes_cents == 216500
    assert format_amount(totals.total_amount_with_taxes_cents, "USD") == "$2,165.00"
    assert [f.tax_amount_cents for f in totals.lines] == [5940, 10560]


# --- rounding and tax per line --------------------------------------------------------------


def test_rounding_is_half_away_from_zero_both_signs():
    assert line_tax(1000, Decimal("0.0825"), False) == (83, 1000)
    assert line_tax(-1000, Decimal("0.0825"), False) == (-83, -1000)
    # 2500 / 1.25 = 2000 exactly; 5 / 1.25 = 4; 10 / 1.6 = 6.25 -> 6; 13 / 1.6 = 8.125 -> 8
    assert line_tax(2500, Decimal("0.25"), True) == (500, 2000)
    assert line_tax(-3, Decimal("0.5"), True) == (-1, -2)  # -2.0
    assert line_tax(-1, Decimal("1"), True) == (0, -1)  # -0.5 -> -1 (away from zero)
    assert line_tax(1, Decimal("1"), True) == (0, 1)  # 0.5 -> 1
    assert line_tax(1, Decimal("0.5"), False) == (1, 1)  # 0.5 -> 1


def test_tax_category_override_applies_to_the_line_and_its_discount_share():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("food", 1000, 1, tax_rate=Decimal("0.05")), SkuLine("toy", 1000, 1)),
            promotions=(pct(10),),
            tax=TaxSettings(rate=Decimal("0.20")),
        )
    )
    food, toy = totals.lines
    assert (food.tax_rate, toy.tax_rate) == (Decimal("0.05"), Decimal("0.20"))
    assert food.tax_amount_cents == 50 - 5 and toy.tax_amount_cents == 200 - 20
    assert totals.subtotal_tax_amount_cents == 250
    assert totals.discount_tax_amount_cents == -25
    assert totals.total_tax_amount_cents == 225
    assert totals.tax_rate == Decimal("0.20")


def test_without_tax_settings_nothing_is_taxed_not_even_an_override():
    totals = calculate(
        OrderInput(
            currency_code="EUR",
            tax_included=True,
            lines=(SkuLine("a", 999, 3, tax_rate=Decimal("0.07")),),
            shipments=(ShipmentCharge("s", 500),),
            payment_method_amount_cents=150,
        )
    )
    assert totals.total_tax_amount_cents == 0
    assert totals.lines[0].tax_rate == 0
    assert totals.total_taxable_amount_cents == 2997 + 500 + 150
    assert totals.total_amount_with_taxes_cents == 2997 + 500 + 150


def test_shipping_and_payment_method_taxed_only_with_their_flags():
    def order(**flags):
        return OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            shipments=(ShipmentCharge("s", 1000),),
            payment_method_amount_cents=200,
            tax=TaxSettings(rate=Decimal("0.10"), **flags),
        )

    plain = calculate(order())
    assert (plain.shipping_tax_amount_cents, plain.payment_method_tax_amount_cents) == (0, 0)
    assert plain.shipping_taxable_amount_cents == 1000
    assert plain.payment_method_taxable_amount_cents == 200
    assert plain.total_tax_amount_cents == 100
    taxed = calculate(order(freight_taxable=True, payment_method_taxable=True))
    assert (taxed.shipping_tax_amount_cents, taxed.payment_method_tax_amount_cents) == (100, 20)
    assert taxed.total_tax_amount_cents == 220
    assert taxed.total_amount_with_taxes_cents == 2200 + 220


# --- discounts ------------------------------------------------------------------------------


def test_largest_remainder_ties_go_to_the_earlier_line():
    assert share_out(100, [1, 1, 1]) == [34, 33, 33]
    assert share_out(2, [1, 1, 1]) == [1, 1, 0]
    # exact 1.5, 3.0, 4.5 -> floors 1, 3, 4, one cent left: tie .5/.5 -> the first
    assert share_out(9, [1, 2, 3]) == [2, 3, 4]
    # exact 0.3, 0.7, 1.0 -> floors 0, 0, 1; the largest remainder (.7) takes the cent
    assert share_out(2, [3, 7, 10]) == [0, 1, 1]
    assert share_out(0, [5, 5]) == [0, 0]


def test_line_discounts_sum_to_each_promotion_and_to_the_order():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 333, 1), SkuLine("b", 333, 1), SkuLine("c", 334, 1)),
            promotions=(fixed(100, "f1"), pct(Decimal("12.5"))),
        )
    )
    f1, p = totals.promotions
    # 12.5 % of what the fixed promotion left (900): 112.5 -> 113, shared 300:300:300, the
    # extra cent to the earlier lines.
    assert f1.amount_cents == -100 and p.amount_cents == -113
    assert f1.line_discounts == (("a", -33), ("b", -33), ("c", -34))
    assert p.line_discounts == (("a", -38), ("b", -38), ("c", -37))
    assert sum(line.discount_cents for line in totals.lines) == -213
    assert totals.discount_amount_cents == -213


def test_each_percentage_is_of_what_the_promotions_before_it_left():
    # catalog.md: later percentages are computed on the discounted total: 60 % of 1000, then
    # 60 % of the 400 left, then the fixed 50 of the 160 left.
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            promotions=(pct(60), pct(60), fixed(50)),
        )
    )
    assert [p.amount_cents for p in totals.promotions] == [-600, -240, -50]
    assert totals.discount_amount_cents == -890
    assert totals.total_amount_cents == 110


def test_a_fixed_amount_takes_at_most_what_is_left():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            promotions=(pct(100), fixed(50)),
        )
    )
    assert [p.amount_cents for p in totals.promotions] == [-1000, 0]
    assert totals.total_amount_cents == 0


def test_fixed_amount_never_more_than_the_subtotal():
    totals = calculate(
        OrderInput(
            currency_code="JPY",
            tax_included=True,
            lines=(SkuLine("a", 1033, 1),),
            promotions=(fixed(5000),),
            tax=TaxSettings(rate=Decimal("0.10")),
        )
    )
    assert totals.discount_amount_cents == -1033
    assert totals.total_amount_cents == 0
    assert totals.total_tax_amount_cents == 0


def test_a_line_never_takes_more_discount_than_its_total():
    # Each promotion alone would give its one cent to the first line (a tie); the second must
    # go to the other line, which still has room.
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1, 1), SkuLine("b", 1, 1)),
            promotions=(fixed(1, "f1"), fixed(1, "f2")),
        )
    )
    assert totals.promotions[0].line_discounts == (("a", -1), ("b", 0))
    assert totals.promotions[1].line_discounts == (("a", 0), ("b", -1))
    assert [line.discount_cents for line in totals.lines] == [-1, -1]


def test_each_promotion_is_shared_in_proportion_to_what_is_left_of_the_lines():
    # Lines 5, 6, 1. f1: exact 0.42, 0.5, 0.08 -> the cent to b (left 5, 5, 1); f2: a tie of
    # a and b -> a (left 4, 5, 1); f3 = 4: exact 1.6, 2, 0.4 -> 2, 2, 0 (left 2, 3, 1); f4 takes
    # the rest, exactly what is left of each line.
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 5, 1), SkuLine("b", 6, 1), SkuLine("c", 1, 1)),
            promotions=(fixed(1, "f1"), fixed(1, "f2"), fixed(4, "f3"), fixed(6, "f4")),
        )
    )
    assert [p.amount_cents for p in totals.promotions] == [-1, -1, -4, -6]
    assert [p.line_discounts for p in totals.promotions] == [
        (("a", 0), ("b", -1), ("c", 0)),
        (("a", -1), ("b", 0), ("c", 0)),
        (("a", -2), ("b", -2), ("c", 0)),
        (("a", -2), ("b", -3), ("c", -1)),
    ]
    assert [line.discount_cents for line in totals.lines] == [-5, -6, -1]


def test_share_out_hands_a_capped_share_s_excess_to_the_next_lines():
    # Exact shares 2.5, 3 and 0.5 with room for 3, 2 and 1: the second takes 2, the third 1.
    assert share_out(6, [5, 6, 1], [3, 2, 1]) == [3, 2, 1]


def test_percentage_discount_rounds_half_away():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 5, 1),),
            promotions=(pct(10),),  # 0.5 -> 1
        )
    )
    assert totals.discount_amount_cents == -1


# --- shipping and free shipping -------------------------------------------------------------


def test_free_over_uses_the_discounted_subtotal_unless_use_subtotal():
    def order(use_subtotal):
        return OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 10000, 1),),
            shipments=(ShipmentCharge("s", 700, 10000, use_subtotal),),
            promotions=(pct(10),),
        )

    assert calculate(order(False)).shipping_amount_cents == 700  # 9000 < 10000
    assert calculate(order(True)).shipping_amount_cents == 0  # 10000 >= 10000


def test_free_shipping_promotion_is_a_discount_taxed_as_the_shipping_line():
    order = OrderInput(
        currency_code="EUR",
        tax_included=True,
        lines=(SkuLine("a", 5000, 1),),
        shipments=(ShipmentCharge("s1", 1200), ShipmentCharge("s2", 800, 4000)),
        # free over 4000 is judged without the free-shipping promotion: 5000 - 1500 < 4000
        promotions=(FREE_SHIPPING, fixed(1500), PromotionInput("free2", "free_shipping")),
        tax=TaxSettings(rate=Decimal("0.22"), freight_taxable=True),
    )
    totals = calculate(order)
    assert [s.amount_cents for s in totals.shipments] == [1200, 800]
    assert totals.shipping_amount_cents == 2000
    assert [p.amount_cents for p in totals.promotions] == [-2000, -1500, 0]
    assert totals.promotions[0].line_discounts == ()
    assert totals.lines[0].discount_cents == -1500  # only the sku promotion is shared
    assert totals.discount_amount_cents == -3500
    assert totals.shipping_tax_amount_cents == 361  # 2000 - round(1639.34)
    # the sku share -1500 -> -270, the free-shipping line -2000 -> -361
    assert totals.discount_tax_amount_cents == -270 - 361
    assert totals.discount_taxable_amount_cents == -1230 - 1639
    assert totals.total_amount_cents == 3500
    assert totals.total_tax_amount_cents == 902 - 270


def test_free_shipping_line_is_not_taxed_when_freight_is_not():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            shipments=(ShipmentCharge("s", 500),),
            promotions=(FREE_SHIPPING,),
            tax=TaxSettings(rate=Decimal("0.10")),
        )
    )
    assert totals.discount_amount_cents == -500
    assert totals.discount_tax_amount_cents == 0
    assert totals.discount_taxable_amount_cents == -500
    assert totals.total_amount_with_taxes_cents == 1100


def test_free_shipping_with_nothing_to_ship_is_zero():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            shipments=(ShipmentCharge("s", 500, free_over_amount_cents=0),),
            promotions=(FREE_SHIPPING,),
        )
    )
    assert totals.promotions[0].amount_cents == 0
    assert totals.total_amount_cents == 1000


# --- adjustments, gift cards, payment method ------------------------------------------------


def test_adjustments_are_counted_but_not_taxed():
    totals = calculate(
        OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            adjustment_amount_cents=250,
            tax=TaxSettings(rate=Decimal("0.10")),
        )
    )
    assert totals.adjustment_amount_cents == 250
    assert (totals.adjustment_tax_amount_cents, totals.adjustment_taxable_amount_cents) == (0, 0)
    assert totals.total_amount_cents == 1250
    assert totals.total_taxable_amount_cents == 1000
    assert totals.total_amount_with_taxes_cents == 1350


def test_gift_card_applied_only_up_to_the_amount_to_pay():
    def order(gift, adjustment=0):
        return OrderInput(
            currency_code="USD",
            tax_included=False,
            lines=(SkuLine("a", 1000, 1),),
            tax=TaxSettings(rate=Decimal("0.10")),
            gift_card_amount_cents=gift,
            adjustment_amount_cents=adjustment,
        )

    partial = calculate(order(-300))
    assert (partial.gift_card_amount_cents, partial.total_amount_with_taxes_cents) == (-300, 800)
    full = calculate(order(-5000))
    assert (full.gift_card_amount_cents, full.total_amount_with_taxes_cents) == (-1100, 0)
    # A negative adjustment larger than the rest: total_amount follows the formula, what is
    # to pay stays at 0 and no gift card is used.
    negative = calculate(order(-300, adjustment=-2000))
    assert negative.total_amount_cents == -1000
    assert negative.gift_card_amount_cents == 0
    assert negative.total_amount_with_taxes_cents == 0


def test_payment_method_amount_is_in_the_total():
    totals = calculate(
        OrderInput(
            currency_code="KWD",
            tax_included=True,
            lines=(SkuLine("a", 12345, 1),),
            payment_method_amount_cents=1000,
            tax=TaxSettings(rate=Decimal("0.05"), payment_method_taxable=True),
        )
    )
    assert totals.total_amount_cents == 13345
    assert totals.payment_method_tax_amount_cents == 1000 - 952  # 952.38
    assert totals.total_amount_with_taxes_cents == 13345
    assert totals.triplet("total_amount")["total_amount_float"] == 13.345


# --- validation and purity ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"lines": (SkuLine("a", 100, 0),)},
        {"lines": (SkuLine("a", -1, 1),)},
        {"shipments": (ShipmentCharge("s", -1),)},
        {"promotions": (PromotionInput("p", "buy_x_pay_y"),)},
        {"promotions": (PromotionInput("p", "percentage"),)},
        {"promotions": (fixed(-1),)},
        {"payment_method_amount_cents": -1},
        {"gift_card_amount_cents": 1},
        {"tax": TaxSettings(rate=Decimal("-0.1"))},
        {"currency_code": "XYZ"},
    ],
)
def test_invalid_inputs_are_refused(change):
    base = {"currency_code": "USD", "tax_included": False, "lines": (SkuLine("a", 100, 1),)}
    with pytest.raises(ValueError):
        calculate(OrderInput(**{**base, **change}))


def test_calculate_is_pure():
    order = OrderInput(
        currency_code="EUR",
        tax_included=True,
        lines=(SkuLine("a", 2500, 2), SkuLine("b", 1, 7)),
        shipments=(ShipmentCharge("s", 1200),),
        promotions=(pct(10), FREE_SHIPPING),
        tax=TaxSettings(rate=Decimal("0.22"), freight_taxable=True),
    )
    first = calculate(order)
    calculate(OrderInput(currency_code="USD", tax_included=False, lines=(SkuLine("x", 1, 1),)))
    assert calculate(order) == first
    assert hash(first) == hash(calculate(order))


# --- the kinds of catalog.md: item level first, then order level --------------------------


def _usd(*lines, promotions=()):
    return calculate(
        OrderInput(currency_code="USD", tax_included=False, lines=lines, promotions=promotions)
    )


def test_buy_x_pay_y_counts_units_per_sku_across_its_lines_in_line_order():
    # SKU A on two lines (4 + 3 = 7 units, 3-for-2: 2 free): the first line takes both.
    # SKU B (2 units) gets nothing; C is not on the list.
    three_for_two = PromotionInput("b", "buy_x_pay_y", x=3, y=2, targets=("a1", "a2", "b1"))
    totals = _usd(
        SkuLine("a1", 1000, 4, sku="A"),
        SkuLine("a2", 900, 3, sku="A"),
        SkuLine("b1", 500, 2, sku="B"),
        SkuLine("c1", 700, 3, sku="C"),
        promotions=(three_for_two,),
    )
    assert totals.promotions[0].line_discounts == (
        ("a1", -2000),
        ("a2", 0),
        ("b1", 0),
        ("c1", 0),
    )


def test_buy_x_pay_y_cheapest_free_pools_the_list_and_frees_the_cheapest_units():
    # 2 + 2 units pooled, 2-for-1: 2 units free, the cheapest line's both.
    promotion = PromotionInput("b", "buy_x_pay_y", x=2, y=1, cheapest_free=True)
    totals = _usd(
        SkuLine("dear", 1000, 2, sku="A"),
        SkuLine("cheap", 300, 2, sku="B"),
        promotions=(promotion,),
    )
    assert totals.promotions[0].line_discounts == (("dear", 0), ("cheap", -600))


def test_free_gift_takes_list_order_item_caps_and_max_quantity():
    # List order B then A; B capped at 1 by its item, max 3 in all: 1 of B, then 2 of A.
    gift = PromotionInput("g", "free_gift", gifts=(("B", 1), ("A", None)), max_quantity=3)
    totals = _usd(
        SkuLine("a", 100, 5, sku="A"),
        SkuLine("b", 250, 4, sku="B"),
        promotions=(gift,),
    )
    assert totals.promotions[0].line_discounts == (("a", -200), ("b", -250))


def test_only_the_first_free_gift_applies_and_fixed_prices_skip_its_lines():
    first = PromotionInput("g1", "free_gift", gifts=(("A", None),))
    second = PromotionInput("g2", "free_gift", gifts=(("B", None),))
    price = PromotionInput("fp", "fixed_price", fixed_amount_cents=100, targets=("a", "b"))
    totals = _usd(
        SkuLine("a", 500, 2, sku="A"),
        SkuLine("b", 500, 2, sku="B"),
        promotions=(price, second, first),
    )
    by_key = {p.key: p for p in totals.promotions}
    # g2 comes first in the given order, so it is "the first"; g1 gives nothing.
    assert by_key["g2"].line_discounts == (("a", 0), ("b", -500))
    assert by_key["g1"].amount_cents == 0
    # the fixed price reaches only the line no gift touched: 1000 - 100 x 2
    assert by_key["fp"].line_discounts == (("a", -800), ("b", 0))


def test_a_fixed_price_never_raises_a_line_and_reaches_a_line_once():
    low = PromotionInput("low", "fixed_price", fixed_amount_cents=300)
    high = PromotionInput("high", "fixed_price", fixed_amount_cents=100)
    totals = _usd(SkuLine("a", 200, 2), SkuLine("b", 500, 1), promotions=(low, high))
    by_key = {p.key: p for p in totals.promotions}
    assert by_key["low"].line_discounts == (("a", 0), ("b", -200))
    assert by_key["high"].amount_cents == 0  # both lines were reached by `low` first


def test_order_amount_rule_basis_is_the_subtotal_less_what_was_given_before():
    ten = PromotionInput("ten", "percentage", percentage=Decimal(10))
    ruled = PromotionInput("r", "fixed_amount", fixed_amount_cents=50, order_amount_cents=1000)
    bare = dataclasses.replace(ruled, key="bare", use_subtotal=True)
    totals = _usd(SkuLine("a", 1000, 1), promotions=(ten, ruled, bare))
    by_key = {p.key: p for p in totals.promotions}
    # after 10 % the basis is 900 < 1000: the rule fails; with use_subtotal it is 1000.
    assert (by_key["r"].amount_cents, by_key["bare"].amount_cents) == (0, -50)


def test_an_exclusive_promotion_that_gives_something_applies_alone():
    ten = PromotionInput("ten", "percentage", percentage=Decimal(10))
    alone = PromotionInput("x", "fixed_amount", fixed_amount_cents=30, exclusive=True)
    empty = PromotionInput("e", "percentage", percentage=Decimal(50), exclusive=True, targets=())
    totals = _usd(SkuLine("a", 1000, 1), promotions=(ten, empty, alone))
    assert [p.amount_cents for p in totals.promotions] == [0, 0, -30]
    # none of the exclusive ones gives anything: they are left out, the others apply
    totals = _usd(SkuLine("a", 1000, 1), promotions=(ten, empty))
    assert [p.amount_cents for p in totals.promotions] == [-100, 0]


def test_options_are_part_of_the_line_total_and_of_what_a_percentage_takes():
    totals = _usd(SkuLine("a", 3000, 2, options_amount_cents=1000), promotions=(pct(10),))
    assert totals.lines[0].total_amount_cents == 7000
    assert totals.discount_amount_cents == -700
