"""Order pricing: every figure of an order from its inputs, as orders.md ("Order formulas") says.

A pure calculator: plain frozen dataclasses in, plain frozen dataclasses out, no models, no
database, no floats. Amounts are integer minor units (`*_cents`); rates and percentages are kept
exact (`Fraction`) and every step that produces cents rounds through
`commerce.money.round_half_away` (half away from zero).

The steps, in order:

1. `subtotal` = sum of sku line totals: unit x quantity + the line's options amount (catalog.md
   "SKU options"; the unit is the volume tier's, chosen by the caller).
2. Promotions (catalog.md "Promotions"), in this order of steps, and in the order given (priority,
   then age) within a step. Each works on what is *left* of a line: its total minus the discounts
   the promotions before it gave. Its targets are the lines of its SKU list (`targets`), else every
   line. One with an order amount rule applies only when the basis, the subtotal (`use_subtotal`)
   or the subtotal minus the discounts given before it, is >= the rule's amount.
   a. item level, each giving per line:
      - free gift (only the first that gives something): the gift SKUs' units the order holds, in
        list order, each SKU at most its list quantity, `max_quantity` in all, become free:
        units x the line's unit (lines of one SKU in line order);
      - fixed price (a line only by the first that reaches it, never a line a free gift touched):
        `max(0, left - fixed_amount x quantity)`;
      - buy X pay Y: per SKU of its lines, Q units: `floor(Q / x) x (x - y)` units free at the
        line's unit, taken by the SKU's lines in line order; `cheapest_free`: the units of all its
        lines pooled, the cheapest free.
      Each share is capped by what is left of its line.
   b. order level: a percentage promotion takes `round_half_away(L x percentage / 100)` and a
      fixed one `min(fixed_amount, L)`, L = the sum of what is left of its targets. The amount is
      shared over the targets in proportion to what is left of them by the largest remainder method
      (`share_out`): floors first, then one cent each to the largest remainders, ties to the
      earlier line; no share exceeds what is left of its line (should one, the excess goes to the
      next lines in the same remainder order), so the shares sum exactly to the amount.
   A line's `discount_cents` is the sum of its shares. An `exclusive` promotion that would give
   something on its own is applied alone (the first such in application order); otherwise the
   exclusive ones are left out.
3. Shipping: per shipment its method's price, or 0 when `free_over_amount_cents` is set and
   `subtotal + sku discount` (the bare subtotal with `use_subtotal`) is >= it; the free-shipping
   promotions are left out of that discount. `shipping_amount` = sum.
4. Free-shipping promotions (with their order amount rule, its basis the subtotal minus every
   sku discount; one with a SKU list needs a line of it): the first one is a promotion line of
   minus the shipping amount; any further one is 0 (the shipping is already free). Counted in
   `discount_amount`, taxed as the shipping line is (the rule's rate, only when
   `freight_taxable`), its tax and taxable amount going to `discount_tax`/`discount_taxable`;
   never shared over sku lines. An exclusive one that applies (its rule holds on the subtotal)
   is the only promotion of the order.
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
- A line that is not `discountable` (a gift card bought, catalog.md "Gift cards") is in the
  subtotal (and so in the bases of order amount rules and free-over thresholds) and taxed at
  its own rate (`tax_rate` 0: untaxed), but no promotion targets it and no distributed
  adjustment is shared over it.
- Inputs must be sane: quantities >= 1, unit/shipping/payment prices and fixed amounts >= 0,
  percentages and rates >= 0, gift card amount <= 0, a known currency; otherwise `ValueError`.
  A percentage over 100 is allowed and simply capped by what is left of its lines; buy X pay Y
  needs x > y >= 0, a free gift `max_quantity` >= 1.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from commerce.money import exponent, money_triplet, round_half_away

PERCENTAGE = "percentage"
FIXED_AMOUNT = "fixed_amount"
FREE_SHIPPING = "free_shipping"
BUY_X_PAY_Y = "buy_x_pay_y"
FREE_GIFT = "free_gift"
FIXED_PRICE = "fixed_price"
PROMOTION_KINDS = (PERCENTAGE, FIXED_AMOUNT, FREE_SHIPPING, BUY_X_PAY_Y, FREE_GIFT, FIXED_PRICE)
ITEM_KINDS = (FREE_GIFT, FIXED_PRICE, BUY_X_PAY_Y)  # step 2a, in this order
ORDER_KINDS = (PERCENTAGE, FIXED_AMOUNT)  # step 2b

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
    options_amount_cents: int = 0  # the line's options (catalog.md), in its total
    sku: Hashable = None  # lines of one SKU share a key here (buy X pay Y, free gifts)
    # False: no promotion and no distributed adjustment ever reaches the line (a gift card
    # bought, catalog.md "Gift cards"); it still counts in the subtotal and is taxed at its rate.
    discountable: bool = True


@dataclass(frozen=True)
class ShipmentCharge:
    key: Hashable
    price_amount_cents: int
    free_over_amount_cents: int | None = None
    use_subtotal: bool = False


@dataclass(frozen=True)
class PromotionInput:
    key: Hashable
    kind: str  # one of PROMOTION_KINDS
    percentage: Decimal | None = None  # a number of percent: 10 means 10 %
    fixed_amount_cents: int | None = None  # >= 0: taken off (fixed_amount), price (fixed_price)
    targets: tuple[Hashable, ...] | None = None  # line keys of its SKU list; None: every line
    x: int | None = None  # buy_x_pay_y: buy x ...
    y: int | None = None  # ... pay y
    cheapest_free: bool = False
    gifts: tuple[tuple[Hashable, int | None], ...] = ()  # free_gift: (sku, list quantity)
    max_quantity: int = 1  # free_gift: units in all
    order_amount_cents: int | None = None  # its order amount rule, if any
    use_subtotal: bool = False  # the rule's basis: the bare subtotal
    exclusive: bool = False


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
    """One promotion (0 when it gives nothing). `line_discounts` is its share per sku line,
    `(line key, cents)` in line order, summing to `amount_cents` (empty for free shipping)."""

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
        if line.options_amount_cents < 0:
            raise ValueError(f"line {line.key!r}: options amount must be >= 0")
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
        if promotion.kind in (FIXED_AMOUNT, FIXED_PRICE) and (
            promotion.fixed_amount_cents is None or promotion.fixed_amount_cents < 0
        ):
            raise ValueError(f"promotion {promotion.key!r}: fixed amount must be >= 0")
        if promotion.kind == BUY_X_PAY_Y and not (
            promotion.x is not None and promotion.y is not None and promotion.x > promotion.y >= 0
        ):
            raise ValueError(f"promotion {promotion.key!r}: needs x > y >= 0")
        if promotion.kind == FREE_GIFT and promotion.max_quantity < 1:
            raise ValueError(f"promotion {promotion.key!r}: max quantity must be >= 1")
    if order.payment_method_amount_cents < 0:
        raise ValueError("payment method amount must be >= 0")
    if order.gift_card_amount_cents > 0:
        raise ValueError("gift card amount must be <= 0")
    if order.tax is not None and _fraction(order.tax.rate) < 0:
        raise ValueError("tax rate must be >= 0")


# --- the calculator -----------------------------------------------------------------------


def _rule_holds(promotion: PromotionInput, subtotal: int, given: int) -> bool:
    """Its order amount rule, if any: the basis (the subtotal, or the subtotal minus the `given`
    discounts before it) is >= the rule's amount."""
    if promotion.order_amount_cents is None:
        return True
    basis = subtotal if promotion.use_subtotal else subtotal - given
    return basis >= promotion.order_amount_cents


def _application_order(promotions: Sequence[PromotionInput]) -> list[int]:
    """Indexes of the sku promotions in the order they apply: item level (free gift, fixed
    price, buy X pay Y), then order level; the given order (priority, age) within a step."""
    rank = {kind: i for i, kind in enumerate(ITEM_KINDS)}
    rank |= {kind: len(ITEM_KINDS) for kind in ORDER_KINDS}
    indexes = [i for i, p in enumerate(promotions) if p.kind in rank]
    return sorted(indexes, key=lambda i: (rank[promotions[i].kind], i))


def _sku_promotions(order: OrderInput, line_totals: list[int]) -> tuple[dict, set[int]]:
    """Each sku promotion's share per line (magnitudes), by its index in `order.promotions`,
    and the indexes of the free-shipping promotions that may apply.

    An exclusive promotion that applies on its own (gives something; a free-shipping one: its
    rule holds on the subtotal and it has a line to apply to) is the only one applied, the first
    such in application order; otherwise the exclusive ones are left out."""
    promotions = order.promotions
    nothing = {i: [0] * len(order.lines) for i in _application_order(promotions)}
    free_shipping = [i for i, p in enumerate(promotions) if p.kind == FREE_SHIPPING]
    subtotal = sum(line_totals)
    for index in [*nothing, *free_shipping]:
        promotion = promotions[index]
        if not promotion.exclusive:
            continue
        if promotion.kind == FREE_SHIPPING:
            if _rule_holds(promotion, subtotal, 0) and _targets(order.lines, promotion):
                return nothing, {index}
        else:
            alone = _apply(order, line_totals, [index])
            if sum(alone[index]) > 0:
                return nothing | alone, set()
    shared = [i for i in nothing if not promotions[i].exclusive]
    allowed = {i for i in free_shipping if not promotions[i].exclusive}
    return nothing | _apply(order, line_totals, shared), allowed


def _apply(order: OrderInput, line_totals: list[int], indexes: list[int]) -> dict[int, list]:
    """Apply the promotions at `indexes` (in application order) to fresh lines."""
    lines = order.lines
    subtotal = sum(line_totals)
    left = list(line_totals)
    touched_by_gift: set[int] = set()
    fixed_priced: set[int] = set()
    gift_given = False
    result = {}
    for index in indexes:
        promotion = order.promotions[index]
        shares = [0] * len(lines)
        result[index] = shares
        if not _rule_holds(promotion, subtotal, subtotal - sum(left)):
            continue
        targets = _targets(lines, promotion)
        if promotion.kind == FREE_GIFT:
            if gift_given:
                continue
            _free_gift(promotion, lines, targets, left, shares)
            if sum(shares):
                gift_given = True
                touched_by_gift.update(i for i, share in enumerate(shares) if share)
        elif promotion.kind == FIXED_PRICE:
            for i in targets:
                if i in touched_by_gift or i in fixed_priced:
                    continue
                fixed_priced.add(i)
                shares[i] = max(0, left[i] - promotion.fixed_amount_cents * lines[i].quantity)
        elif promotion.kind == BUY_X_PAY_Y:
            _buy_x_pay_y(promotion, lines, targets, left, shares)
        else:
            base = sum(left[i] for i in targets)
            if base <= 0:
                continue
            if promotion.kind == PERCENTAGE:
                amount = min(_round(base * _fraction(promotion.percentage) / 100), base)
            else:
                amount = min(promotion.fixed_amount_cents, base)
            parts = share_out(amount, [left[i] for i in targets], [left[i] for i in targets])
            for i, part in zip(targets, parts, strict=True):
                shares[i] = part
        for i, share in enumerate(shares):
            left[i] -= share
    return result


def _targets(lines: Sequence[SkuLine], promotion: PromotionInput) -> list[int]:
    """Indexes of the lines a promotion works on: those of its SKU list, else every line; never
    a line that is not `discountable`."""
    if promotion.targets is None:
        return [i for i, line in enumerate(lines) if line.discountable]
    keys = set(promotion.targets)
    return [i for i, line in enumerate(lines) if line.key in keys and line.discountable]


def _free_units(units: int, indexes: list[int], lines, left, shares) -> None:
    """`units` free units at their line's unit price, taken by `indexes` in order, each line
    at most its quantity and what is left of it."""
    for i in indexes:
        if units <= 0:
            break
        take = min(units, lines[i].quantity)
        shares[i] += min(take * lines[i].unit_amount_cents, left[i] - shares[i])
        units -= take


def _free_gift(promotion, lines, targets, left, shares) -> None:
    remaining = promotion.max_quantity
    for sku, cap in promotion.gifts:
        if remaining <= 0:
            break
        holders = [i for i in targets if lines[i].sku == sku]
        held = sum(lines[i].quantity for i in holders)
        units = min(held, remaining if cap is None else min(cap, remaining))
        _free_units(units, holders, lines, left, shares)
        remaining -= units


def _buy_x_pay_y(promotion, lines, targets, left, shares) -> None:
    x, y = promotion.x, promotion.y
    if promotion.cheapest_free:
        units = sum(lines[i].quantity for i in targets) // x * (x - y)
        cheapest = sorted(targets, key=lambda i: (lines[i].unit_amount_cents, i))
        _free_units(units, cheapest, lines, left, shares)
        return
    by_sku: dict = {}
    for i in targets:
        by_sku.setdefault(lines[i].sku if lines[i].sku is not None else lines[i].key, []).append(i)
    for indexes in by_sku.values():
        units = sum(lines[i].quantity for i in indexes) // x * (x - y)
        _free_units(units, indexes, lines, left, shares)


def _adjustments_tax(order: OrderInput, line_totals, lines, rule_rate) -> tuple[int, int]:
    """(tax, taxable) of the adjustment lines: a positive one taxed as the shipping line is
    when the rule says `adjustment_taxable`; a negative one that `distribute_discount`s shared
    over the (discountable) sku lines in proportion to their totals (`share_out`), each share
    taxed at its line's rate, as a discount is; any other untaxed (0, 0)."""
    rule, included = order.tax, order.tax_included
    tax = taxable = 0
    weights = [t if li.discountable else 0 for t, li in zip(line_totals, order.lines, strict=True)]
    for adjustment in order.adjustments:
        amount = adjustment.amount_cents
        if rule is None:
            continue
        if amount > 0 and rule.adjustment_taxable:
            t, b = line_tax(amount, rule_rate, included)
            tax, taxable = tax + t, taxable + b
        elif amount < 0 and adjustment.distribute_discount and sum(weights) > 0:
            shares = share_out(-amount, weights)
            for share, figures in zip(shares, lines, strict=True):
                t, b = line_tax(-share, figures.tax_rate, included)
                tax, taxable = tax + t, taxable + b
    return tax, taxable


def line_amount_cents(unit_amount_cents: int, quantity: int, options_amount_cents: int) -> int:
    """A sku line's total before discounts (step 1): unit x quantity + its options amount."""
    return unit_amount_cents * quantity + options_amount_cents


def calculate(order: OrderInput) -> OrderTotals:
    """Every figure of `order` (see the module docstring for the rules)."""
    _validate(order)
    included = order.tax_included
    rule = order.tax
    rule_rate = _decimal(rule.rate) if rule is not None else ZERO

    # 1. subtotal
    line_totals = [
        line_amount_cents(line.unit_amount_cents, line.quantity, line.options_amount_cents)
        for line in order.lines
    ]
    subtotal = sum(line_totals)

    # 2. sku promotions: item level, then order level, each on what is left of its lines
    shares_by_index, free_shipping_allowed = _sku_promotions(order, line_totals)
    line_discounts = [0] * len(order.lines)  # magnitudes (>= 0)
    sku_promotions: dict[int, PromotionFigures] = {}
    for index, shares in shares_by_index.items():
        promotion = order.promotions[index]
        for i, share in enumerate(shares):
            line_discounts[i] += share
        sku_promotions[index] = PromotionFigures(
            key=promotion.key,
            kind=promotion.kind,
            amount_cents=-sum(shares),
            line_discounts=tuple(
                (line.key, -share) for line, share in zip(order.lines, shares, strict=True)
            ),
        )
    sku_discount = -sum(line_discounts)

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

    # 4. free-shipping promotions: the first that applies takes the shipping, the others nothing
    promotions = []
    free_shipping_left = shipping
    for index, promotion in enumerate(order.promotions):
        if promotion.kind == FREE_SHIPPING:
            applies = (
                index in free_shipping_allowed
                and _rule_holds(promotion, subtotal, -sku_discount)
                and bool(_targets(order.lines, promotion))
            )
            amount = free_shipping_left if applies else 0
            promotions.append(
                PromotionFigures(key=promotion.key, kind=promotion.kind, amount_cents=-amount)
            )
            free_shipping_left -= amount
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
