"""Order pricing: every figure of an order from its inputs, as orders.md ("Order formulas") says.

A pure calculator: plain frozen dataclasses in, plain frozen dataclasses out, no models, no
database, no floats. Amounts are integer minor units (`*_cents`); rates and percentages are kept
exact (`Fraction`) and every step that produces cents rounds through
`commerce.money.round_half_away` (half away from zero).

The steps, in order:

1. `subtotal` = sum of sku line totals (unit x quantity).
2. Sku promotions (`percentage`, `fixed_amount`), in the order given. A percentage promotion wants
   `round_half_away(subtotal * percentage / 100)` (always of the bare subtotal, never compounded),
   a fixed one its `fixed_amount_cents`; each takes at most what is left of the subtotal after the
   promotions before it, so the sku discounts never exceed the subtotal. Each promotion's amount
   is shared over the sku lines in proportion to their totals by the largest remainder method
   (`share_out`): floors first, then one cent each to the largest remainders, ties to the earlier
   line, so the shares sum exactly to the promotion's amount. A line never takes more discount
   than what is left of its own total; should a share hit that bound (only possible when the
   promotions together eat nearly the whole subtotal), the excess goes to the next lines in the
   same remainder order.
3. Shipping: per shipment its method's price, or 0 when `free_over_amount_cents` is set and
   `subtotal + sku discount` (the bare subtotal with `use_subtotal`) is >= it; the free-shipping
   promotions are left out of that discount. `shipping_amount` = sum.
4. Free-shipping promotions: the first one is a promotion line of minus the shipping amount;
   any further one is 0 (the shipping is already free). Counted in `discount_amount`, taxed as the
   shipping line is (the rule's rate, only when `freight_taxable`), its tax and taxable amount go
   to `discount_tax`/`discount_taxable`, never shared over sku lines.
5. Taxes per line (`line_tax`): each sku line's total and, separately, its discount share (at the
   line's rate: its `tax_rate` override, else the rule's), the shipping line (the whole
   `shipping_amount` as one line) and the payment method line. Tax included:
   `tax = amount - round(amount / (1 + rate))`, `taxable = amount - tax`; tax excluded:
   `tax = round(amount * rate)`, `taxable = amount`. A line that is not taxed (shipping without
   `freight_taxable`, payment method without `payment_method_taxable`, any line when the order
   has no `TaxSettings`) is a line at rate 0: tax 0, taxable = amount. Without `TaxSettings` a
   line's `tax_rate` override is ignored too (no rule matched: no tax), and its reported rate is 0.
6. `total_amount` = subtotal + shipping + payment_method + discount + adjustment;
   `total_tax` = subtotal_tax + shipping_tax + payment_method_tax + discount_tax +
   adjustment_tax; `total_taxable` = subtotal_taxable + shipping_taxable +
   payment_method_taxable + discount_taxable + adjustment_taxable.
7. `total_amount_with_taxes` = total_amount (+ total_tax when tax is excluded), then + the gift
   card amount, never below 0: the gift card is applied only up to what there is to pay, and
   `gift_card_amount_cents` in the result is the amount applied (so the formula holds exactly).

Choices where orders.md is silent:
- Adjustments (aftersale.md §2): a positive one is taxed like the shipping line when the rule
  has `adjustment_taxable`; a negative one with `distribute_discount` is shared over the sku
  lines in proportion to their totals (largest remainder) and each share taxed at its line's
  rate, as a discount is; any other is untaxed and no part of the taxable base (tax and taxable
  0). Their tax and taxable are `adjustment_tax_amount_cents`/`adjustment_taxable_amount_cents`,
  added to `total_tax`/`total_taxable`; `adjustment_amount_cents` in the input is an untaxed
  lump. `total_amount` follows the formula exactly, so a
  negative adjustment larger than everything else makes it negative; the amount to pay
  (`total_amount_with_taxes`) is still never below 0.
- Inputs must be sane: quantities >= 1, unit/shipping/payment prices and fixed amounts >= 0,
  percentages and rates >= 0, gift card amount <= 0, a known currency; otherwise `ValueError`.
  A percentage over 100 is allowed and simply capped by the subtotal.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from commerce.money import exponent, money_triplet, round_half_away

PERCENTAGE = "percentage"
FIXED_AMOUNT = "fixed_amount"
FREE_SHIPPING = "free_shipping"
PROMOTION_KINDS = (PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING)

ZERO = Decimal(0)


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxSettings:
    """The tax rule that matched the order's address (`OrderInput.tax = None`: no tax)."""

    rate: Decimal  # a fraction: Decimal("0.0825")
    freight_taxable: bool = False
    payment_method_taxable: bool = False
    adjustment_taxable: bool = False


@dataclass(frozen=True)
class AdjustmentCharge:
    """An operator's adjustment line (aftersale.md §2): its total, either sign."""

    amount_cents: int
    distribute_discount: bool = False


@dataclass(frozen=True)
class SkuLine:
    key: Hashable  # the caller's id for the line
    unit_amount_cents: int
    quantity: int
    tax_rate: Decimal | None = None  # the tax category's rate; None: the rule's rate


@dataclass(frozen=True)
class ShipmentCharge:
    key: Hashable
    price_amount_cents: int
    free_over_amount_cents: int | None = None
    use_subtotal: bool = False


@dataclass(frozen=True)
class PromotionInput:
    key: Hashable
    kind: str  # "percentage" | "fixed_amount" | "free_shipping"
    percentage: Decimal | None = None  # a number of percent: 10 means 10 %
    fixed_amount_cents: int | None = None  # >= 0, the amount taken off


@dataclass(frozen=True)
class OrderInput:
    currency_code: str
    tax_included: bool
    lines: tuple[SkuLine, ...]
    shipments: tuple[ShipmentCharge, ...] = ()
    payment_method_amount_cents: int = 0
    promotions: tuple[PromotionInput, ...] = ()
    tax: TaxSettings | None = None
    adjustment_amount_cents: int = 0  # an untaxed lump, besides `adjustments`
    gift_card_amount_cents: int = 0  # <= 0
    adjustments: tuple[AdjustmentCharge, ...] = ()


# --- outputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFigures:
    """One sku line. `tax_amount_cents`/`taxable_amount_cents` cover its total and its discount
    share together; the `discount_*` fields are the discount share's part of them."""

    key: Hashable
    total_amount_cents: int
    discount_cents: int  # <= 0, this line's share of every sku promotion
    tax_amount_cents: int
    taxable_amount_cents: int
    tax_rate: Decimal
    discount_tax_amount_cents: int = 0  # <= 0
    discount_taxable_amount_cents: int = 0  # <= 0


@dataclass(frozen=True)
class PromotionFigures:
    """One promotion line item. `line_discounts` is its share per sku line, `(line key, cents)`
    in line order, summing to `amount_cents` (empty for free shipping)."""

    key: Hashable
    kind: str
    amount_cents: int  # <= 0
    line_discounts: tuple[tuple[Hashable, int], ...] = ()


@dataclass(frozen=True)
class ShipmentFigures:
    key: Hashable
    amount_cents: int  # what this shipment's method costs here (0 when free over)
    free_over: bool = False  # True when the free-over threshold made it free


@dataclass(frozen=True)
class OrderTotals:
    subtotal_amount_cents: int
    shipping_amount_cents: int
    payment_method_amount_cents: int
    discount_amount_cents: int
    adjustment_amount_cents: int
    gift_card_amount_cents: int
    total_amount_cents: int
    total_amount_with_taxes_cents: int
    subtotal_tax_amount_cents: int
    shipping_tax_amount_cents: int
    payment_method_tax_amount_cents: int
    discount_tax_amount_cents: int
    adjustment_tax_amount_cents: int
    total_tax_amount_cents: int
    subtotal_taxable_amount_cents: int
    shipping_taxable_amount_cents: int
    payment_method_taxable_amount_cents: int
    discount_taxable_amount_cents: int
    adjustment_taxable_amount_cents: int
    total_taxable_amount_cents: int
    tax_rate: Decimal
    lines: tuple[LineFigures, ...]
    promotions: tuple[PromotionFigures, ...]
    shipments: tuple[ShipmentFigures, ...]
    currency_code: str = ""
    tax_included: bool = False

    def triplet(self, name: str) -> dict:
        """`{name_cents, name_float, formatted_name}` of one figure: `triplet("total_amount")`."""
        return money_triplet(name, getattr(self, f"{name}_cents"), self.currency_code)


# --- helpers ------------------------------------------------------------------------------


def _fraction(value) -> Fraction:
    """An exact rational from an int, Decimal, str or Fraction (a float through its repr)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return Fraction(value)


def _decimal(value) -> Decimal:
    """A Decimal from an int, Decimal or str (a float through its repr, never its binary value)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _round(value: Fraction) -> int:
    """`round_half_away` of an exact rational, with enough digits that the division it does
    can never turn a value near .5 into exactly .5."""
    digits = len(str(abs(value.numerator))) + len(str(value.denominator)) + 5
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits)
        return round_half_away(value)


def line_tax(amount_cents: int, rate, tax_included: bool) -> tuple[int, int]:
    """`(tax, taxable)` of one line at `rate` (a fraction; 0 for a line that is not taxed).

    Included: tax = amount - round(amount / (1 + rate)), taxable = amount - tax.
    Excluded: tax = round(amount * rate), taxable = amount.
    """
    r = _fraction(rate)
    if tax_included:
        taxable = _round(Fraction(amount_cents) / (1 + r))
        return amount_cents - taxable, taxable
    return _round(amount_cents * r), amount_cents


def share_out(
    amount: int, weights: Sequence[int], capacities: Sequence[int] | None = None
) -> list[int]:
    """Split `amount` (>= 0) over `weights` in proportion, by the largest remainder method.

    Floors of the exact shares first, then one unit each to the largest remainders (ties: the
    earlier index). With `capacities`, no share exceeds its capacity; what a capped share cannot
    take goes to the next indexes in the same order. The result always sums to `amount`.
    """
    n = len(weights)
    if amount < 0:
        raise ValueError("share_out: the amount must be >= 0")
    if amount == 0:
        return [0] * n
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("share_out: weights must be >= 0 with a positive sum")
    caps = list(capacities) if capacities is not None else [amount] * n
    if len(caps) != n or sum(caps) < amount:
        raise ValueError("share_out: not enough capacity for the amount")
    shares: list[int] = []
    remainders: list[int] = []
    for weight, cap in zip(weights, caps, strict=True):
        quotient, remainder = divmod(amount * weight, total)
        shares.append(min(quotient, cap))
        remainders.append(remainder)
    left = amount - sum(shares)
    order = sorted(range(n), key=lambda i: (-remainders[i], i))
    for i in order:  # the largest remainder pass
        if left == 0:
            break
        if shares[i] < caps[i]:
            shares[i] += 1
            left -= 1
    for i in order:  # only when capacities bind
        if left == 0:
            break
        take = min(left, caps[i] - shares[i])
        shares[i] += take
        left -= take
    return shares


def _validate(order: OrderInput) -> None:
    exponent(order.currency_code)  # UnknownCurrency (a ValueError) when not ISO 4217
    for line in order.lines:
        if line.quantity < 1:
            raise ValueError(f"line {line.key!r}: quantity must be >= 1")
        if line.unit_amount_cents < 0:
            raise ValueError(f"line {line.key!r}: unit amount must be >= 0")
        if line.tax_rate is not None and _fraction(line.tax_rate) < 0:
            raise ValueError(f"line {line.key!r}: tax rate must be >= 0")
    for shipment in order.shipments:
        if shipment.price_amount_cents < 0:
            raise ValueError(f"shipment {shipment.key!r}: price must be >= 0")
        if shipment.free_over_amount_cents is not None and shipment.free_over_amount_cents < 0:
            raise ValueError(f"shipment {shipment.key!r}: free over must be >= 0")
    for promotion in order.promotions:
        if promotion.kind not in PROMOTION_KINDS:
            raise ValueError(f"promotion {promotion.key!r}: unknown kind {promotion.kind!r}")
        if promotion.kind == PERCENTAGE and (
            promotion.percentage is None or _fraction(promotion.percentage) < 0
        ):
            raise ValueError(f"promotion {promotion.key!r}: percentage must be >= 0")
        if promotion.kind == FIXED_AMOUNT and (
            promotion.fixed_amount_cents is None or promotion.fixed_amount_cents < 0
        ):
            raise ValueError(f"promotion {promotion.key!r}: fixed amount must be >= 0")
    if order.payment_method_amount_cents < 0:
        raise ValueError("payment method amount must be >= 0")
    if order.gift_card_amount_cents > 0:
        raise ValueError("gift card amount must be <= 0")
    if order.tax is not None and _fraction(order.tax.rate) < 0:
        raise ValueError("tax rate must be >= 0")


# --- the calculator -----------------------------------------------------------------------


def _adjustments_tax(order: OrderInput, line_totals, lines, rule_rate) -> tuple[int, int]:
    """(tax, taxable) of the adjustment lines: a positive one taxed as the shipping line is
    when the rule says `adjustment_taxable`; a negative one that `distribute_discount`s shared
    over the sku lines in proportion to their totals (`share_out`), each share taxed at its
    line's rate, as a discount is; any other untaxed (0, 0)."""
    rule, included = order.tax, order.tax_included
    tax = taxable = 0
    for adjustment in order.adjustments:
        amount = adjustment.amount_cents
        if rule is None:
            continue
        if amount > 0 and rule.adjustment_taxable:
            t, b = line_tax(amount, rule_rate, included)
            tax, taxable = tax + t, taxable + b
        elif amount < 0 and adjustment.distribute_discount and sum(line_totals) > 0:
            shares = share_out(-amount, line_totals)
            for share, figures in zip(shares, lines, strict=True):
                t, b = line_tax(-share, figures.tax_rate, included)
                tax, taxable = tax + t, taxable + b
    return tax, taxable


def calculate(order: OrderInput) -> OrderTotals:
    """Every figure of `order` (see the module docstring for the rules)."""
    _validate(order)
    included = order.tax_included
    rule = order.tax
    rule_rate = _decimal(rule.rate) if rule is not None else ZERO

    # 1. subtotal
    line_totals = [line.unit_amount_cents * line.quantity for line in order.lines]
    subtotal = sum(line_totals)

    # 2. sku promotions, shared over the sku lines
    line_discounts = [0] * len(order.lines)  # magnitudes (>= 0)
    sku_promotions: dict[int, PromotionFigures] = {}
    used = 0
    for index, promotion in enumerate(order.promotions):
        if promotion.kind == FREE_SHIPPING:
            continue
        if promotion.kind == PERCENTAGE:
            wanted = _round(subtotal * _fraction(promotion.percentage) / 100)
        else:
            wanted = promotion.fixed_amount_cents
        amount = min(wanted, subtotal - used)
        used += amount
        capacities = [t - d for t, d in zip(line_totals, line_discounts, strict=True)]
        shares = share_out(amount, line_totals, capacities)
        for i, share in enumerate(shares):
            line_discounts[i] += share
        sku_promotions[index] = PromotionFigures(
            key=promotion.key,
            kind=promotion.kind,
            amount_cents=-amount,
            line_discounts=tuple(
                (line.key, -share) for line, share in zip(order.lines, shares, strict=True)
            ),
        )
    sku_discount = -used

    # 3. shipping, with free-over thresholds
    shipments = []
    for shipment in order.shipments:
        basis = subtotal if shipment.use_subtotal else subtotal + sku_discount
        free = (
            shipment.free_over_amount_cents is not None and basis >= shipment.free_over_amount_cents
        )
        shipments.append(
            ShipmentFigures(
                key=shipment.key,
                amount_cents=0 if free else shipment.price_amount_cents,
                free_over=free,
            )
        )
    shipping = sum(s.amount_cents for s in shipments)

    # 4. free-shipping promotions: the first takes the shipping, the others nothing
    promotions = []
    free_shipping_left = shipping
    for index, promotion in enumerate(order.promotions):
        if promotion.kind == FREE_SHIPPING:
            promotions.append(
                PromotionFigures(
                    key=promotion.key, kind=promotion.kind, amount_cents=-free_shipping_left
                )
            )
            free_shipping_left = 0
        else:
            promotions.append(sku_promotions[index])
    free_shipping_discount = shipping - free_shipping_left
    free_shipping_amount = -free_shipping_discount

    # 5. taxes per line
    shipping_rate = rule_rate if rule is not None and rule.freight_taxable else ZERO
    payment_rate = rule_rate if rule is not None and rule.payment_method_taxable else ZERO
    lines = []
    for line, total, discount in zip(order.lines, line_totals, line_discounts, strict=True):
        if rule is None:
            rate = ZERO
        else:
            rate = _decimal(line.tax_rate) if line.tax_rate is not None else rule_rate
        total_tax, total_taxable = line_tax(total, rate, included)
        discount_tax, discount_taxable = line_tax(-discount, rate, included)
        lines.append(
            LineFigures(
                key=line.key,
                total_amount_cents=total,
                discount_cents=-discount,
                tax_amount_cents=total_tax + discount_tax,
                taxable_amount_cents=total_taxable + discount_taxable,
                tax_rate=rate,
                discount_tax_amount_cents=discount_tax,
                discount_taxable_amount_cents=discount_taxable,
            )
        )
    subtotal_tax = sum(f.tax_amount_cents - f.discount_tax_amount_cents for f in lines)
    subtotal_taxable = sum(f.taxable_amount_cents - f.discount_taxable_amount_cents for f in lines)
    shipping_tax, shipping_taxable = line_tax(shipping, shipping_rate, included)
    free_tax, free_taxable = line_tax(free_shipping_amount, shipping_rate, included)
    payment = order.payment_method_amount_cents
    payment_tax, payment_taxable = line_tax(payment, payment_rate, included)
    discount_tax = sum(f.discount_tax_amount_cents for f in lines) + free_tax
    discount_taxable = sum(f.discount_taxable_amount_cents for f in lines) + free_taxable

    adjustment_tax, adjustment_taxable = _adjustments_tax(order, line_totals, lines, rule_rate)

    # 6. totals
    discount = sku_discount + free_shipping_amount
    adjustment = order.adjustment_amount_cents + sum(a.amount_cents for a in order.adjustments)
    total = subtotal + shipping + payment + discount + adjustment
    total_tax = subtotal_tax + shipping_tax + payment_tax + discount_tax + adjustment_tax
    total_taxable = (
        subtotal_taxable
        + shipping_taxable
        + payment_taxable
        + discount_taxable
        + adjustment_taxable
    )

    # 7. the amount to pay, gift card applied up to it
    to_pay = total if included else total + total_tax
    gift_card = max(order.gift_card_amount_cents, -max(to_pay, 0))
    with_taxes = max(to_pay + gift_card, 0)

    return OrderTotals(
        subtotal_amount_cents=subtotal,
        shipping_amount_cents=shipping,
        payment_method_amount_cents=payment,
        discount_amount_cents=discount,
        adjustment_amount_cents=adjustment,
        gift_card_amount_cents=gift_card,
        total_amount_cents=total,
        total_amount_with_taxes_cents=with_taxes,
        subtotal_tax_amount_cents=subtotal_tax,
        shipping_tax_amount_cents=shipping_tax,
        payment_method_tax_amount_cents=payment_tax,
        discount_tax_amount_cents=discount_tax,
        adjustment_tax_amount_cents=adjustment_tax,
        total_tax_amount_cents=total_tax,
        subtotal_taxable_amount_cents=subtotal_taxable,
        shipping_taxable_amount_cents=shipping_taxable,
        payment_method_taxable_amount_cents=payment_taxable,
        discount_taxable_amount_cents=discount_taxable,
        adjustment_taxable_amount_cents=adjustment_taxable,
        total_taxable_amount_cents=total_taxable,
        tax_rate=rule_rate,
        lines=tuple(lines),
        promotions=tuple(promotions),
        shipments=tuple(shipments),
        currency_code=order.currency_code.upper(),
        tax_included=included,
    )
