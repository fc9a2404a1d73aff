"""Shipping rules over plain values (shipping.md "Shipping zones", "Weight", "What a method
costs for a shipment"): no models, no database, no floats in any comparison. The services read
the rows and ask these (orders.services.shipping_costs, orders.services.planning).

Zones. A zone matches an address by six optional regexes: `country_code_regex`,
`state_code_regex`, `zip_code_regex` must each match the address's field, their `not_` twins
must not. Matching is Python's `re.search` (Ruby's `=~`: unanchored; a pattern anchors itself
with `^...$`), case-sensitive unless the pattern says `(?i)`. A blank pattern is no condition.
A blank field (None or "") matches no regex at all: a positive pattern on it fails, a `not_`
pattern on it holds (shipping.md fixes the first; the second is our reading of the same rule:
"US but not Hawaii" takes a US address without a state). A pattern that does not compile (the
API refuses one, but the admin or an older row may hold it) makes the zone match nothing:
better no method than a method for the wrong places.

Weight. Units `gr`, `oz`, `lb`, converted exactly to grams with Decimal (1 oz = 28.349523125 g,
1 lb = 16 oz = 453.59237 g). Stored weights are floats: each is read through its shortest
repr (`Decimal(str(x))`: 0.5 is 0.5, never 0.5000000000000000277...), then only multiplied
and added, so 2 x 8 oz is exactly 1 lb. A weight without unit is in grams. Bounds and tiers
are converted to grams (a multiplication, exact) rather than the weight to their unit (a
division, not exact).

Tiers. The tier with the smallest `up_to` >= the weight applies (a weight equal to `up_to`
takes that tier); above every `up_to`, the tier whose `up_to` is null; without one, the
method's own price.
"""

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext

GRAMS_PER_UNIT = {
    "gr": Decimal(1),
    "oz": Decimal("28.349523125"),
    "lb": Decimal("453.59237"),
}
ZONE_FIELDS = ("country_code", "state_code", "zip_code")
ZERO = Decimal(0)
# Enough digits that no product or sum of stored weights (floats: 17 significant digits at
# most, times a unit of 11, times a quantity) is ever rounded.
_PRECISION = 80


# --- zones ----------------------------------------------------------------------------------


def field_matches(value: str | None, pattern: str | None, not_pattern: str | None) -> bool:
    """Whether one address field passes a zone's pair of patterns for it (see the module's
    docstring). Raises re.error for a pattern that does not compile."""
    blank = not value
    if pattern:
        if blank or re.search(pattern, value) is None:
            return False
    if not_pattern and not blank and re.search(not_pattern, value) is not None:
        return False
    return True


def zone_matches(zone, address) -> bool:
    """Whether `address` (anything with `country_code`, `state_code`, `zip_code`; None: no
    address) is in `zone` (anything with the six `*_regex` attributes). No address is in no
    zone."""
    if address is None:
        return False
    try:
        return all(
            field_matches(
                getattr(address, name, None),
                getattr(zone, f"{name}_regex", None),
                getattr(zone, f"not_{name}_regex", None),
            )
            for name in ZONE_FIELDS
        )
    except (re.error, RecursionError, OverflowError):
        return False


# --- weights --------------------------------------------------------------------------------


def exact(value) -> Decimal | None:
    """A stored number as an exact Decimal: a float through its shortest repr, never its binary
    value; None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def to_grams(amount, unit: str | None) -> Decimal:
    """`amount` in `unit` (None: grams), in grams, exactly."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return exact(amount) * GRAMS_PER_UNIT[unit or "gr"]


def total_grams(items: Iterable[tuple[object, str | None, int]]) -> Decimal:
    """The weight of `(weight, unit_of_weight, quantity)` items in grams: each weight times its
    quantity, summed. A weight of None weighs 0 (a SKU without weight)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        total = ZERO
        for weight, unit, quantity in items:
            if weight is None:
                continue
            total += exact(weight) * GRAMS_PER_UNIT[unit or "gr"] * quantity
        return total


def within_bounds(grams: Decimal, min_weight, max_weight, unit: str | None) -> bool:
    """`min_weight <= W` and `W <= max_weight` for each bound that is set, both in `unit`
    (both inclusive)."""
    if min_weight is not None and grams < to_grams(min_weight, unit):
        return False
    if max_weight is not None and grams > to_grams(max_weight, unit):
        return False
    return True


def tier_price_cents(
    grams: Decimal, tiers: Sequence[tuple[object, int]], unit: str | None, fallback_cents: int
) -> int:
    """The price of the tier that applies to a weight of `grams`: `tiers` are `(up_to,
    price_amount_cents)` with `up_to` in `unit` (None: the beyond tier); `fallback_cents` (the
    method's price) when no tier applies."""
    best = None
    beyond = None
    for up_to, cents in tiers:
        if up_to is None:
            beyond = cents
            continue
        limit = to_grams(up_to, unit)
        if grams <= limit and (best is None or limit < best[0]):
            best = (limit, cents)
    if best is not None:
        return best[1]
    return beyond if beyond is not None else fallback_cents
