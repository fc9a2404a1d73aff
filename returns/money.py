"""A return's money (aftersale.md §3 "Money"): pure functions over integer cents, no models.

From an order line's frozen figures: quantity q, unit amount U, discount D (<= 0) and tax
amount X (`tax_amount_cents`, the tax of its total and of its discount share). For the live
return line items of that line, oldest first, returning r_1, r_2, ... units:

    share_i(F) = round_half_away(F x r_i / q)
                 except for the item that brings the line's returned units to q, which takes
                 F - (the shares of the items before it), so the shares of a line fully
                 returned add up to F exactly;
    total_i    = r_i x U + share_i(D)                       (CL's definition)
    estimate_i = total_i + share_i(X)   when tax is excluded from the prices,
                 total_i                when included (the prices hold the tax).

A return's `estimated_refund_amount` is the sum of its items' estimates. Shipping, payment fees
and adjustments are no part of it (an operator adds them with `_refund_amount_cents`).

Worked figure: 2 x $15.00, 10 % tax excluded (X = 300), one returned: total 1500, estimate
1500 + round(300 x 1 / 2) = 1650.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from commerce.money import round_half_away


@dataclass(frozen=True)
class LineFigures:
    quantity: int
    unit_amount_cents: int
    discount_cents: int
    tax_amount_cents: int
    tax_included: bool


@dataclass(frozen=True)
class Returned:
    key: Hashable
    quantity: int


@dataclass(frozen=True)
class ReturnedFigures:
    total_amount_cents: int
    estimated_refund_cents: int


def share(figure: int, returned: int, quantity: int) -> int:
    """round_half_away(figure x returned / quantity): half a cent away from zero."""
    return round_half_away(Fraction(figure * returned, quantity))


def returned_figures(line: LineFigures, items: Sequence[Returned]) -> dict:
    """{key: ReturnedFigures} for the live return line items of one line, oldest first. Items
    past the line's quantity (they can't be stored: the services refuse them) would only take
    their rounded shares."""
    figures = {}
    returned = 0
    discount_given = tax_given = 0
    for item in items:
        returned += item.quantity
        if returned == line.quantity:
            discount = line.discount_cents - discount_given
            tax = line.tax_amount_cents - tax_given
        else:
            discount = share(line.discount_cents, item.quantity, line.quantity)
            tax = share(line.tax_amount_cents, item.quantity, line.quantity)
        discount_given += discount
        tax_given += tax
        total = item.quantity * line.unit_amount_cents + discount
        estimate = total if line.tax_included else total + tax
        figures[item.key] = ReturnedFigures(total, max(estimate, 0))
    return figures
