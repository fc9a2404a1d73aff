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
from django.db.models import Q
from django.utils import timezone

from commerce.events import emit_event
from markets.models import Coupon, Promotion, TaxRule
from orders import pricing
from orders.models import LineItem, Order
from orders.services.shipments import build_shipments

PROMOTION_KINDS = {
    "percentage_discount_promotions": "percentage",
    "fixed_amount_promotions": "fixed_amount",
    "free_shipping_promotions": "free_shipping",
}


def active_promotions(order: Order, now=None) -> list[Promotion]:
    """Promotions of the order's market that apply now: automatic ones, and those whose
    coupon the order carries."""
    now = now or timezone.now()
    qs = (
        Promotion.objects.filter(
            Q(market_id=order.market_id) | Q(market__isnull=True),
            disabled_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
        )
        .select_related("coupon_codes_promotion_rule")
        .order_by("priority", "created_at", "id")
    )
    coupon = find_coupon(order.coupon_code) if order.coupon_code else None
    result = []
    for promotion in qs:
        if promotion.total_usage_reached:
            continue
        if promotion.currency_code and promotion.currency_code != order.currency_code:
            continue
        rule = getattr(promotion, "coupon_codes_promotion_rule", None)
        if rule is not None and (coupon is None or coupon.promotion_rule_id != rule.pk):
            continue
        result.append(promotion)
    exclusive = [p for p in result if p.exclusive]
    return exclusive[:1] if exclusive else result


def find_coupon(code: str) -> Coupon | None:
    return Coupon.objects.select_related("promotion_rule__promotion").filter(code=code).first()


def matching_tax_rule(order: Order) -> TaxRule | None:
    calculator_id = order.market.tax_calculator_id
    address = order.shipping_address or order.billing_address
    if calculator_id is None or address is None:
        return None
    for rule in TaxRule.objects.filter(manual_tax_calculator_id=calculator_id):
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


def order_input(order: Order, sku_lines, shipments, promotions, rule) -> pricing.OrderInput:
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
        )
    return pricing.OrderInput(
        currency_code=order.currency_code,
        tax_included=order.tax_included,
        lines=tuple(
            pricing.SkuLine(key=li.pk, unit_amount_cents=li.unit_amount_cents, quantity=li.quantity)
            for li in sku_lines
        ),
        shipments=tuple(
            pricing.ShipmentCharge(
                key=s.pk,
                price_amount_cents=s.shipping_method.price_amount_cents,
                free_over_amount_cents=s.shipping_method.free_over_amount_cents,
                use_subtotal=s.shipping_method.use_subtotal,
            )
            for s in shipments
            if s.shipping_method is not None
        ),
        payment_method_amount_cents=payment_amount,
        promotions=tuple(
            pricing.PromotionInput(
                key=p.pk,
                kind=PROMOTION_KINDS[p.kind],
                percentage=p.percentage,
                fixed_amount_cents=p.fixed_amount_cents,
            )
            for p in promotions
        ),
        tax=tax,
    )


@transaction.atomic
def refresh_order(order: Order, *, salable=None, strict: bool = False) -> Order:
    """Recompute and store every figure of an editable order (and move draft -> pending).

    `salable`/`strict` are for placing: shipments are planned from the stock figures read
    under the stock locks, and a shortage raises instead of falling back."""
    if order.status not in ("draft", "pending"):
        return order
    shipments = build_shipments(order, salable=salable, strict=strict)
    line_items = list(order.line_items.select_related("sku").all())
    sku_lines = [li for li in line_items if li.item_type == "skus"]
    promotions = active_promotions(order) if sku_lines else []
    rule = matching_tax_rule(order)
    totals = pricing.calculate(order_input(order, sku_lines, shipments, promotions, rule))

    by_key = {figures.key: figures for figures in totals.lines}
    for li in sku_lines:
        figures = by_key[li.pk]
        li.total_amount_cents = figures.total_amount_cents
        li.discount_cents = figures.discount_cents
        li.tax_amount_cents = figures.tax_amount_cents
        li.tax_rate = figures.tax_rate
    LineItem.objects.bulk_update(
        sku_lines,
        ["total_amount_cents", "discount_cents", "tax_amount_cents", "tax_rate", "updated_at"],
    )
    _sync_system_lines(order, totals, promotions, shipments)

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
    order.skus_count = sum(li.quantity for li in sku_lines)
    order.shipments_count = len(shipments)
    order.refreshed_at = timezone.now()
    became_pending = False
    if order.status == "draft" and sku_lines and (order.customer_id or order.customer_email):
        order.status = "pending"
        became_pending = True
    order.save()
    if became_pending:
        emit_event("orders.pending", order)  # a state change like any other (orders.md)
    return order


def _sync_system_lines(order, totals, promotions, shipments) -> None:
    """Promotion, shipment and payment-method line items mirror the computed figures."""
    LineItem.objects.filter(order=order).exclude(item_type="skus").exclude(
        item_type="adjustments"
    ).delete()
    promotions_by_pk = {p.pk: p for p in promotions}
    rows = []
    for figures in totals.promotions:
        promotion = promotions_by_pk[figures.key]
        if figures.amount_cents == 0 and promotion.kind == "free_shipping_promotions":
            continue
        rows.append(
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
            shipment.save(update_fields=["cost_amount_cents", "updated_at"])
        rows.append(
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
        rows.append(
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
    LineItem.objects.bulk_create(rows)


def _needs_coupon(promotion) -> bool:
    return getattr(promotion, "coupon_codes_promotion_rule", None) is not None
