"""A return's money (aftersale.md §3 "Money"): the worked figure as a golden test, the rounding
(half away from zero) and the remainder the last return line item of a line takes, with a
discount, over HTTP and in the pure formulas (returns.money)."""

import pytest

from returns.models import Return, ReturnLineItem
from returns.money import LineFigures, Returned, returned_figures, share
from tests.markets_tax_promotions.conftest import FixedAmountPromotionFactory
from tests.returns.conftest import add_line, new_return, paid_order, sku_line, taxed
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def figures(api, return_id) -> tuple[int, list[int]]:
    ret = ok(api.get(f"/api/returns/{return_id}?include=return_line_items"))
    assert ret["attributes"]["estimated_refund_amount_float"] == (
        ret["attributes"]["estimated_refund_amount_cents"] / 100
    )
    return ret["attributes"]["estimated_refund_amount_cents"]


def test_the_worked_figure_two_at_15_dollars_10_percent_excluded_returning_one(
    integration, shop, market
):
    taxed(market)
    order = paid_order(integration, shop)  # 2 x $15.00
    line = sku_line(order)
    assert (line.quantity, line.total_amount_cents, line.tax_amount_cents) == (2, 3000, 300)
    ret = new_return(integration, order)
    item = ok(add_line(integration, ret["id"], line, 1), 201)
    assert item["attributes"]["total_amount_cents"] == 1500
    assert item["attributes"]["formatted_total_amount"] == "$15.00"
    answer = ok(integration.get(f"/api/returns/{ret['id']}"))["attributes"]
    assert answer["estimated_refund_amount_cents"] == 1650
    assert answer["formatted_estimated_refund_amount"] == "$16.50"
    assert answer["skus_count"] == 1


def test_rounding_half_away_and_the_last_line_takes_the_remainder(integration, shop, market):
    """2 x $15.00, a 5 cent discount, 10 % tax excluded: D = -5, X = 300 + round(-0.5) = 299.
    The first unit takes round(-2.5) = -3 and round(149.5) = 150; the second, bringing the
    line's returned units to 2, takes what is left: -2 and 149."""
    taxed(market)
    FixedAmountPromotionFactory(market=market, fixed_amount_cents=5)
    order = paid_order(integration, shop)
    line = sku_line(order)
    assert (line.discount_cents, line.tax_amount_cents) == (-5, 299)

    first = new_return(integration, order)
    ok(add_line(integration, first["id"], line, 1), 201)
    second = new_return(integration, order)
    ok(add_line(integration, second["id"], line, 1), 201)

    a = ReturnLineItem.objects.get(return_record__public_id=first["id"])
    b = ReturnLineItem.objects.get(return_record__public_id=second["id"])
    assert (a.total_amount_cents, a.estimated_refund_cents) == (1497, 1647)
    assert (b.total_amount_cents, b.estimated_refund_cents) == (1498, 1647)
    assert (
        a.total_amount_cents + b.total_amount_cents == line.total_amount_cents + line.discount_cents
    )
    assert figures(integration, first["id"]) == 1647
    assert figures(integration, second["id"]) == 1647

    # The first one cancelled, the second no longer brings the line to 2: its own shares.
    ok(integration.update("returns", first["id"], {"_cancel": True}))
    b.refresh_from_db()
    assert (b.total_amount_cents, b.estimated_refund_cents) == (1497, 1647)
    # Returned again whole, in one line item: the whole line's figures.
    third = new_return(integration, order)
    ok(add_line(integration, third["id"], line, 1), 201)
    b.refresh_from_db()
    c = ReturnLineItem.objects.get(return_record__public_id=third["id"])
    assert (b.total_amount_cents, c.total_amount_cents) == (1497, 1498)
    assert Return.objects.get(public_id=third["id"]).estimated_refund_amount_cents == 1647


def test_tax_included_prices_hold_the_tax(integration, shop, market):
    market.price_list.tax_included = True
    market.price_list.save()
    taxed(market)
    order = paid_order(integration, shop)
    line = sku_line(order)
    assert line.tax_amount_cents > 0
    ret = new_return(integration, order)
    ok(add_line(integration, ret["id"], line, 1), 201)
    assert (
        ok(integration.get(f"/api/returns/{ret['id']}"))["attributes"][
            "estimated_refund_amount_cents"
        ]
        == 1500
    )


def test_shares_of_three_units_add_up_to_the_line():
    line = LineFigures(
        quantity=3,
        unit_amount_cents=1000,
        discount_cents=-500,
        tax_amount_cents=250,
        tax_included=False,
    )
    got = returned_figures(line, [Returned("a", 1), Returned("b", 1), Returned("c", 1)])
    assert [(f.total_amount_cents, f.estimated_refund_cents) for f in got.values()] == [
        (833, 916),
        (833, 916),
        (834, 918),
    ]
    assert sum(f.total_amount_cents for f in got.values()) == 2500
    assert sum(f.estimated_refund_cents for f in got.values()) == 2750
    # Not all units returned: every item takes its rounded share, no remainder.
    partial = returned_figures(line, [Returned("a", 2)])
    assert partial["a"] == type(partial["a"])(2000 - 333, 2000 - 333 + 167)


@pytest.mark.parametrize(
    ("figure", "returned", "quantity", "expected"),
    [(-5, 1, 2, -3), (5, 1, 2, 3), (299, 1, 2, 150), (-1, 1, 3, 0), (-2, 1, 4, -1), (7, 2, 4, 4)],
)
def test_share_rounds_half_away_from_zero(figure, returned, quantity, expected):
    assert share(figure, returned, quantity) == expected
