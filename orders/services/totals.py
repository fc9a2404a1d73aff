"""`refresh_order`: the one place an order's figures are computed and stored.

It gathers the order's inputs (sku lines and their prices, shipments and their methods, the
payment method, the promotions that apply, the tax rule that matches the address), hands them
to the pure calculator in `orders.pricing`, and writes the result: the order's cents, each line
item's, and the system line items (promotions, shipments, payment method). Placed orders are
frozen: refreshing them changes nothing.
"""

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commerce.compiled import update_rows
from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import create_rows, delete_rows, write_fields, write_record
from commerce.together import reads_together
from inventory.selectors import inventory_locations_read
from markets.models import TaxRule
from markets.selectors import (
    running_promotions_read,
    shipping_method_candidates_read,
    tax_rules,
    tax_rules_read,
)
from orders import pricing
from orders.models import LineItem, Order
from orders.selectors import (
    cart_reads,
    order_lines,
    order_shipments,
    stock_line_items_read,
    with_stock_line_items,
)
from orders.services.gift_card_balance import is_purchase, redemption_input
from orders.services.planning import build_shipments, keep_shipping_methods
from orders.services.promotions import ListMembers, active_promotions, applicable, bundle_list_id
from orders.services.shipping_costs import ShippingContext, charged_price_cents
from orders.services.statuses import move_order
from orders.transitions import becomes_pending, is_editable

# The lines of what the order sells (the rest are adjustments and system lines).
SOLD_ITEM_TYPES = ("skus", "bundles")

PROMOTION_KINDS = {
    "percentage_discount_promotions": pricing.PERCENTAGE,
    "fixed_amount_promotions": pricing.FIXED_AMOUNT,
    "free_shipping_promotions": pricing.FREE_SHIPPING,
    "buy_x_pay_y_promotions": pricing.BUY_X_PAY_Y,
    "free_gift_promotions": pricing.FREE_GIFT,
    "fixed_price_promotions": pricing.FIXED_PRICE,
}


def matching_tax_rule(order: Order) -> TaxRule | None:
    calculator_id = order.market.tax_calculator_id
    address = order.shipping_address or order.billing_address
    if calculator_id is None or address is None:
        return None
    for rule in tax_rules(calculator_id):
        if _matches(rule, address):
            return rule
    return None


def _matches(rule: TaxRule, address) -> bool:
    checks = [
        ("country_code", address.country_code),
        ("state_code", address.state_code),
        ("zip_code", address.zip_code),
    ]
    for name, value in checks:
        value = value or ""
        positive = getattr(rule, f"{name}_regex")
        negative = getattr(rule, f"not_{name}_regex")
        try:
            if positive and not re.fullmatch(positive, value, flags=re.IGNORECASE):
                return False
            if negative and re.fullmatch(negative, value, flags=re.IGNORECASE):
                return False
        except re.error:
            return False
    return True


def promotion_input(promotion, sku_lines, members: ListMembers) -> pricing.PromotionInput:
    """A promotion as the pricing takes it: its kind's figures, the keys of the lines of its
    SKU list (None: every line), a free gift's SKUs in list order, its order amount rule. A
    bundle line is a line of the list only when the list is the bundle's own (catalog.md
    "Bundles"), never through its components."""
    targets = gifts = None
    if promotion.sku_list_id is not None:
        held = members.skus(promotion.sku_list_id)
        targets = tuple(
            li.pk
            for li in sku_lines
            if li.sku_id in held or bundle_list_id(li) == promotion.sku_list_id
        )
        gifts = tuple(members.entries.get(promotion.sku_list_id, ()))
    amount_rule = getattr(promotion, "order_amount_promotion_rule", None)
    return pricing.PromotionInput(
        key=promotion.pk,
        kind=PROMOTION_KINDS[promotion.kind],
        percentage=promotion.percentage,
        fixed_amount_cents=promotion.fixed_amount_cents,
        targets=targets,
        x=promotion.x,
        y=promotion.y,
        cheapest_free=promotion.cheapest_free,
        gifts=gifts or (),
        max_quantity=promotion.max_quantity or 1,
        order_amount_cents=amount_rule.order_amount_cents if amount_rule is not None else None,
        use_subtotal=amount_rule.use_subtotal if amount_rule is not None else False,
        exclusive=promotion.exclusive,
    )


def order_input(
    order: Order,
    sku_lines,
    shipments,
    promotions,
    rule,
    adjustment_lines=(),
    members: ListMembers | None = None,
    purchases=(),
    gift_card_cents: int = 0,
    shipment_prices: dict | None = None,
) -> pricing.OrderInput:
    """`purchases`: the lines buying gift cards (never discounted, taxed only when the order,
    else the tax rule, says `gift_card_taxable`); `gift_card_cents`: what the card redeemed may
    pay at most (the pricing caps it by the amount to pay); `shipment_prices`: each shipment's
    method's price for it, by shipment pk (shipping_costs.charged_price_cents: its tier, the
    external URL's answer), before free-over, which the pricing applies (default: the
    method's `price_amount_cents`)."""
    shipment_prices = shipment_prices or {}
    payment_amount = order.payment_method.price_amount_cents if order.payment_method else 0
    tax = None
    if rule is not None:
        tax = pricing.TaxSettings(
            rate=Decimal(rule.tax_rate),
            freight_taxable=order.freight_taxable
            if order.freight_taxable is not None
            else rule.freight_taxable,
            payment_method_taxable=order.payment_method_taxable
            if order.payment_method_taxable is not None
            else rule.payment_method_taxable,
            adjustment_taxable=order.adjustment_taxable
            if order.adjustment_taxable is not None
            else rule.adjustment_taxable,
        )
    return pricing.OrderInput(
        currency_code=order.currency_code,
        tax_included=order.tax_included,
        lines=tuple(
            pricing.SkuLine(
                key=li.pk,
                unit_amount_cents=li.unit_amount_cents,
                quantity=li.quantity,
                options_amount_cents=li.options_amount_cents,
                sku=li.sku_id if li.bundle_id is None else ("bundle", li.bundle_id),
            )
            for li in sku_lines
        )
        + tuple(
            pricing.SkuLine(
                key=li.pk,
                unit_amount_cents=li.unit_amount_cents,
                quantity=li.quantity,
                tax_rate=None if _gift_card_taxable(order, rule) else Decimal(0),
                discountable=False,
            )
            for li in purchases
        ),
        shipments=tuple(
            pricing.ShipmentCharge(
                key=s.pk,
                price_amount_cents=shipment_prices.get(s.pk, s.shipping_method.price_amount_cents),
                free_over_amount_cents=s.shipping_method.free_over_amount_cents,
                use_subtotal=s.shipping_method.use_subtotal,
            )
            for s in shipments
            if s.shipping_method is not None
        ),
        payment_method_amount_cents=payment_amount,
        promotions=tuple(
            promotion_input(p, sku_lines, members or ListMembers()) for p in promotions
        ),
        tax=tax,
        gift_card_amount_cents=-gift_card_cents,
        adjustments=tuple(
            pricing.AdjustmentCharge(
                amount_cents=li.total_amount_cents,
                distribute_discount=bool(li.adjustment and li.adjustment.distribute_discount),
            )
            for li in adjustment_lines
        ),
    )


def _gift_card_taxable(order: Order, rule) -> bool:
    if order.gift_card_taxable is not None:
        return order.gift_card_taxable
    return rule is not None and rule.gift_card_taxable


@transaction.atomic(savepoint=False)
def refresh_order(order: Order, *, reship: bool = True) -> Order:
    """Recompute and store every figure of an editable order (and move draft -> pending).

    `reship`: re-plan the shipments too (what changes the lines or the market does; a new
    address, shipping or payment method does not)."""
    refresh_figures(order, reship=reship)
    return order


def refresh_figures(
    order: Order,
    *,
    reship: bool = True,
    lines=None,
    held=None,
    strict: bool = False,
    promotions=None,
    store: bool = True,
    shipping: ShippingContext | None = None,
    stock_line_items: bool = False,
) -> tuple[list[LineItem], list]:
    """`refresh_order`, returning the order's line items and shipments as they now are; a step
    of the caller's transaction (it plans before it writes, so a shortage leaves no trace).

    For placing: `lines` (read with their SKUs) saves reading them again, and `held`/`strict`
    plan the shipments from the stock items locked and the salable read under the locks, a
    shortage raising InsufficientStock instead of falling back; `promotions`: the candidates
    whose uses the caller counted before locking the stock (orders.services.usage); `store`
    False: the caller writes the order itself once it is done with it (placing); `shipping`:
    what the caller read about shipping already (orders.services.shipping_costs);
    `stock_line_items`: shipments kept as they are (not `reship`) come holding theirs.

    Each shipment's method is checked again (planning: re-planned, or `keep_shipping_methods`)
    and priced for that shipment by its scheme (shipping_costs.charged_price_cents), free-over
    applied after it by the pricing."""
    if not is_editable(order.status):
        return list(order.line_items.all()), list(order.shipments.all())
    now = timezone.now()
    ahead = reads_ahead(
        order, now, lines=lines is None, reship=reship, stock=held is None, promotions=promotions
    )
    if stock_line_items and not reship:
        ahead.append(stock_line_items_read(order))
    with reads_together(*ahead):
        return _refresh_figures(
            order,
            reship=reship,
            lines=lines,
            held=held,
            strict=strict,
            promotions=promotions,
            store=store,
            shipping=shipping,
            now=now,
            stock_line_items=stock_line_items,
        )


def reads_ahead(
    order: Order,
    now,
    *,
    lines: bool = True,
    reship: bool = True,
    stock: bool = True,
    promotions=None,
) -> list[tuple]:
    """What a refresh of the cart is about to read, as (read, values), for one statement
    (commerce/together.py): its lines (when `lines`), shipments, and when it re-plans them
    their stock line items, the stock of its lines (unless `stock` is False: placing reads
    it under locks), the market's stock locations and shipping methods; the promotions
    running `now` (unless the caller read them) and the tax rules, when there is an address
    for them to match."""
    calls = cart_reads(order, lines=lines, stock_line_items=reship, stock=reship and stock)
    if reship:
        calls.append(inventory_locations_read(order.market.inventory_model_id))
        calls.append(shipping_method_candidates_read(order.market_id))
    if promotions is None:
        calls.append(running_promotions_read(order.market_id, now))
    calculator_id = order.market.tax_calculator_id
    if calculator_id is not None and (order.shipping_address_id or order.billing_address_id):
        calls.append(tax_rules_read(calculator_id))
    return calls


def _refresh_figures(
    order: Order,
    *,
    reship: bool,
    lines,
    held,
    strict: bool,
    promotions,
    store: bool,
    shipping: ShippingContext | None,
    now,
    stock_line_items: bool = False,
) -> tuple[list[LineItem], list]:
    line_items = order_lines(order) if lines is None else lines
    if shipping is None:
        shipping = ShippingContext(order.market_id, order=order, lines=line_items)
    if reship:
        shipments = build_shipments(
            order, lines=line_items, held=held, strict=strict, context=shipping
        )
    else:
        shipments = order_shipments(order)
        if stock_line_items:
            with_stock_line_items(order, shipments)
        keep_shipping_methods(order, shipments, shipping)
    shipment_prices = {
        s.pk: charged_price_cents(order, s, s.shipping_method, shipping)
        for s in shipments
        if s.shipping_method is not None
    }
    # What the order sells, priced, discounted and taxed alike (catalog.md "Money"): sku lines
    # and bundle lines (a bundle groups apart from any SKU in buy X pay Y: `order_input`).
    sku_lines = [li for li in line_items if li.item_type in SOLD_ITEM_TYPES]
    if promotions is None:
        # An order being edited counted its promotions' uses when it was placed: one at its
        # usage limit (perhaps through this very order) still applies to it.
        shown = (
            {li.promotion_id for li in line_items if li.promotion_id}
            if order.status == "editing"
            else frozenset()
        )
        promotions = active_promotions(order, now, shown=shown) if sku_lines else []
    promotions, members = applicable(promotions, sku_lines)
    rule = matching_tax_rule(order)
    adjustment_lines = [li for li in line_items if li.item_type == "adjustments"]
    purchases = [li for li in line_items if is_purchase(li)]  # gift cards bought
    card, card_cents = redemption_input(order)  # no read without a gift_card_code
    totals = pricing.calculate(
        order_input(
            order,
            sku_lines,
            shipments,
            promotions,
            rule,
            adjustment_lines,
            members,
            purchases=purchases,
            gift_card_cents=card_cents,
            shipment_prices=shipment_prices,
        )
    )
    if totals.total_amount_cents < 0:  # an operator's negative adjustment outweighs the rest
        raise ValidationError(
            "total_amount_cents",
            "can't be negative: an adjustment is larger than the rest of the order",
            error="greater_than_or_equal_to",
            count=0,
        )

    by_key = {figures.key: figures for figures in totals.lines}
    breakdowns = discount_breakdowns(totals, promotions)
    changed = []
    for li in [*sku_lines, *purchases]:
        figures = by_key[li.pk]
        new = (
            figures.total_amount_cents,
            figures.discount_cents,
            figures.tax_amount_cents,
            figures.tax_rate,
            breakdowns.get(li.pk),
        )
        old = (
            li.total_amount_cents,
            li.discount_cents,
            li.tax_amount_cents,
            li.tax_rate,
            li.discount_breakdown,
        )
        if old != new:
            (
                li.total_amount_cents,
                li.discount_cents,
                li.tax_amount_cents,
                li.tax_rate,
                li.discount_breakdown,
            ) = new
            li.updated_at = timezone.now()
            changed.append(li)
    if changed:
        update_rows(changed, [*_SKU_LINE_FIELDS, "updated_at"])
    live_shipments = {s.pk for s in shipments}
    system_lines = [
        li
        for li in line_items
        if li.item_type not in (*SOLD_ITEM_TYPES, "adjustments")
        and not is_purchase(li)
        and (li.shipment_id is None or li.shipment_id in live_shipments)  # else deleted with it
    ]
    system_lines = _sync_system_lines(order, totals, promotions, shipments, system_lines, card)

    for name in (
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
    ):
        setattr(order, f"{name}_cents", getattr(totals, f"{name}_cents"))
    order.tax_rate = totals.tax_rate
    # Units sold: a bundle counts once per unit, as a line of one item (not its components).
    order.skus_count = sum(li.quantity for li in sku_lines)
    order.shipments_count = len(shipments)
    order.refreshed_at = timezone.now()
    became_pending = becomes_pending(
        order.status,
        has_sku_lines=bool(sku_lines or purchases),  # a cart buying only a gift card too
        has_customer=bool(order.customer_id or order.customer_email),
    )
    if became_pending:
        move_order(order, "pending")
        # A state change like any other (orders.md); emitted before the order's write, whose
        # statement then carries it (commerce.events.carrying) instead of one of its own.
        emit_event("orders.pending", order)
    if store:
        write_record(order)  # with what the caller changed on it (client values validated there)
    return [*sku_lines, *purchases, *adjustment_lines, *system_lines], shipments


_SKU_LINE_FIELDS = (
    "total_amount_cents",
    "discount_cents",
    "tax_amount_cents",
    "tax_rate",
    "discount_breakdown",
)


def discount_breakdowns(totals: pricing.OrderTotals, promotions) -> dict:
    """Which promotions discount each sku line, by line pk: `{promotion id: {"type", "name",
    "cents"}}` in application order (None for a line no promotion touches). What the order
    page and the API's `discount_breakdown` show."""
    by_pk = {p.pk: p for p in promotions}
    result: dict = {}
    for figures in totals.promotions:
        promotion = by_pk[figures.key]
        for line_key, cents in figures.line_discounts:
            if cents:
                result.setdefault(line_key, {})[promotion.public_id] = {
                    "type": promotion.kind,
                    "name": promotion.name,
                    "cents": cents,
                }
    return result


def same_record(record, refreshed: list):
    """`record` as `refresh_figures` left it (its figures are written on the copies it read),
    for answering the write; `record` itself if the refresh did not read it."""
    return next((other for other in refreshed if other.pk == record.pk), record)


def _sync_system_lines(order, totals, promotions, shipments, existing, card=None) -> list[LineItem]:
    """Promotion, shipment, payment-method and gift-card line items mirror the computed figures;
    each keeps its row (and id) while its promotion, shipment, method or card applies. Returns
    them. The card redeemed (`card`) is a line of minus what it pays, none when it pays nothing
    (catalog.md "Gift cards", as a promotion that gives nothing has no line)."""
    promotions_by_pk = {p.pk: p for p in promotions}
    wanted = []
    for figures in totals.promotions:
        promotion = promotions_by_pk[figures.key]
        if figures.amount_cents == 0:  # only a promotion that gives something is a line item
            continue
        wanted.append(
            LineItem(
                order=order,
                item_type=promotion.kind,
                promotion=promotion,
                name=promotion.name,
                quantity=1,
                unit_amount_cents=figures.amount_cents,
                total_amount_cents=figures.amount_cents,
                coupon_code=order.coupon_code if _needs_coupon(promotion) else None,
            )
        )
    shipment_amounts = {s.key: s.amount_cents for s in totals.shipments}
    for shipment in shipments:
        if shipment.shipping_method is None:
            continue
        amount = shipment_amounts.get(shipment.pk, 0)
        if shipment.cost_amount_cents != amount:
            shipment.cost_amount_cents = amount
            write_fields(shipment, ["cost_amount_cents", "updated_at"])
        wanted.append(
            LineItem(
                order=order,
                item_type="shipments",
                shipment=shipment,
                name=shipment.shipping_method.name,
                quantity=1,
                unit_amount_cents=amount,
                total_amount_cents=amount,
            )
        )
    if order.payment_method is not None:
        amount = totals.payment_method_amount_cents
        wanted.append(
            LineItem(
                order=order,
                item_type="payment_methods",
                payment_method=order.payment_method,
                name=order.payment_method.name or "Payment method",
                quantity=1,
                unit_amount_cents=amount,
                total_amount_cents=amount,
            )
        )

    if card is not None and totals.gift_card_amount_cents < 0:
        amount = totals.gift_card_amount_cents
        wanted.append(
            LineItem(
                order=order,
                item_type="gift_cards",
                gift_card=card,
                name="Gift card",
                quantity=1,
                unit_amount_cents=amount,
                total_amount_cents=amount,
            )
        )

    def key(li):
        return (
            li.item_type,
            li.promotion_id,
            li.shipment_id,
            li.payment_method_id,
            li.gift_card_id,
        )

    current = {key(li): li for li in existing}
    create, update, result = [], [], []
    for row in wanted:
        line = current.pop(key(row), None)
        if line is None:
            create.append(row)
            result.append(row)
            continue
        result.append(line)
        values = {name: getattr(row, name) for name in _SYSTEM_LINE_FIELDS}
        if any(getattr(line, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(line, name, value)
            line.updated_at = timezone.now()
            update.append(line)
    if current:
        delete_rows(list(current.values()))
    if update:
        update_rows(update, [*_SYSTEM_LINE_FIELDS, "updated_at"])
    if create:
        create_rows(create)
    return result


_SYSTEM_LINE_FIELDS = ("name", "quantity", "unit_amount_cents", "total_amount_cents", "coupon_code")


def _needs_coupon(promotion) -> bool:
    return getattr(promotion, "coupon_codes_promotion_rule", None) is not None
