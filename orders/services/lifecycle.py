"""The order's triggers: one service per trigger, each guarded under the order's row lock.

Every service takes the order (locked by the caller's `select_for_update`, or re-locked here),
looks its move up in `orders.transitions`, checks its guards, then carries out its effects as
explicit steps in the caller's transaction. A refused trigger raises; nothing is written.
"""

from django.db import transaction
from django.utils import timezone

from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError, ValidationErrors
from inventory.strategies import InsufficientStock
from markets.models import Coupon
from orders.models import Order
from orders.services import payments, stock, usage
from orders.services.shipments import (
    SHIPPED,
    fulfillment_status,
    move_order_shipments,
    move_shipment,
    shippable_lines,
)
from orders.services.totals import active_promotions, find_coupon, refresh_figures, refresh_order
from orders.transitions import next_order_status

# What the order's services read along with the order (the API's views read it so too).
ORDER_LOCK_RELATED = (
    "market__inventory_model",
    "payment_method",
    "payment_source",
    "billing_address",
    "shipping_address",
)


def lock_order(order: Order) -> Order:
    """Re-read the order under its row lock (the global lock order starts with the order)."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related(*ORDER_LOCK_RELATED)
        .get(pk=order.pk)
    )


def save_order(order: Order, shipments=None) -> Order:
    """Save the order with its fulfillment status following its shipments (`shipments`: the
    caller has them in hand)."""
    statuses = [s.status for s in (order.shipments.all() if shipments is None else shipments)]
    status = fulfillment_status(order, statuses)
    if status != order.fulfillment_status:
        order.fulfillment_status = status
        order.fulfillment_updated_at = timezone.now()
    order.save()
    return order


def start_fulfillment_if_ready(order: Order) -> None:
    """Once an order is approved and paid or free, its upcoming shipments go to picking."""
    if order.status == "approved" and order.payment_status in ("paid", "free"):
        move_order_shipments(order, "picking", from_statuses=("upcoming",))


# --- placing ------------------------------------------------------------------------------


def placement_errors(order: Order, lines, shipments) -> list[ValidationError]:
    """Everything that stops an order from being placed, one error per problem (`lines` with
    their SKUs and `shipments` as refresh_figures left them)."""
    errors = []
    sku_lines = [li for li in lines if li.item_type == "skus"]
    if not sku_lines:
        errors.append(
            ValidationError("line_items", "can't be blank", error="blank", relationship=True)
        )
    if not (order.customer_email or order.customer_id):
        errors.append(ValidationError("customer_email", "can't be blank", error="blank"))
    if order.billing_address_id is None:
        errors.append(
            ValidationError("billing_address", "can't be blank", error="blank", relationship=True)
        )
    if shippable_lines(order, lines):
        if order.shipping_address_id is None:
            errors.append(
                ValidationError(
                    "shipping_address", "can't be blank", error="blank", relationship=True
                )
            )
        if not shipments:
            errors.append(
                ValidationError(
                    "shipments",
                    "no stock location can ship this order",
                    error="blank",
                    relationship=True,
                )
            )
        elif any(s.shipping_method_id is None for s in shipments):
            errors.append(
                ValidationError(
                    "shipments",
                    "every shipment needs a shipping method",
                    error="blank",
                    relationship=True,
                )
            )
    if order.total_amount_with_taxes_cents > 0:
        if order.payment_method_id is None:
            errors.append(
                ValidationError(
                    "payment_method", "can't be blank", error="blank", relationship=True
                )
            )
        if order.payment_source_id is None:
            errors.append(
                ValidationError(
                    "payment_source", "can't be blank", error="blank", relationship=True
                )
            )
    return errors


def place_order(order: Order, value=True, *, ctx: TokenContext | None = None) -> Order:
    """Locks in the global order (inventory/locks.py): the order (the caller's), the coupon
    and the promotions that have a usage limit (their uses counted, orders.services.usage),
    then the stock items; uses without a limit are counted last."""
    if order.status == "placed":
        raise InvalidTransition("placed", "placed", message="the order is already placed")
    next_order_status(order.status, "place")
    lines = list(order.line_items.select_related("sku"))
    coupon = find_coupon(order.coupon_code) if order.coupon_code else None
    coupon_errors = _coupon_errors(order, coupon)
    promotions = (
        active_promotions(order, coupon=coupon)
        if any(li.item_type == "skus" for li in lines)
        else []
    )
    usage_errors, refused = usage.take_uses(None if coupon_errors else coupon, promotions)
    held = stock.hold_stock(order, shippable_lines(order, lines))
    shortages = []
    try:
        lines, shipments = refresh_figures(
            order, lines=lines, held=held, strict=True, promotions=promotions
        )
    except InsufficientStock as shortage:
        shortages = stock.shortage_errors(shortage, lines)
        # The cart's plan, for the rest.
        lines, shipments = refresh_figures(order, lines=lines, promotions=promotions)
    coupon_refused = bool(coupon_errors or usage_errors)
    usage_errors += usage.promotion_errors(promotions, refused, lines, coupon_refused)
    errors = placement_errors(order, lines, shipments) + coupon_errors + usage_errors + shortages
    if errors:
        # Every problem at once (short lines too); the request's transaction undoes it all.
        raise ValidationErrors(errors)
    stock.reserve_stock(shipments)
    usage.take_unlimited_uses(None if coupon_errors else coupon, promotions, lines)
    now = timezone.now()
    order.status = "placed"
    order.placed_at = now
    order.place_total_amount_cents = order.total_amount_with_taxes_cents
    for shipment in shipments:
        if shipment.status == "draft":
            move_shipment(shipment, "upcoming")
    if order.total_amount_with_taxes_cents == 0:
        order.payment_status = "free"
        order.payment_updated_at = now
    else:
        payments.authorize(order)
        payments.refresh_payment_status(order)
    save_order(order, shipments)
    emit_event("orders.place", order)
    return order


def _coupon_errors(order: Order, coupon: Coupon | None) -> list[ValidationError]:
    if not order.coupon_code:
        return []
    problem = coupon_unusable(order, coupon)
    return [ValidationError("coupon_code", problem, error="invalid")] if problem else []


def coupon_problem(order: Order, code: str) -> str | None:
    """Why `code` can't be used on `order` (None when it can)."""
    return coupon_unusable(order, find_coupon(code))


def coupon_unusable(order: Order, coupon: Coupon | None) -> str | None:
    """Why `coupon` (None: no such code) can't be used on `order` (None when it can): read
    without a lock, so at `_place` its usage limit is then held by the conditional UPDATE."""
    if coupon is None:
        return "is not a valid coupon code"
    now = timezone.now()
    promotion = coupon.promotion_rule.promotion
    if promotion.market_id not in (None, order.market_id):
        return "is not valid in this market"
    if coupon.expires_at is not None and coupon.expires_at <= now:
        return "has expired"
    if coupon.usage_limit is not None and coupon.usage_count >= coupon.usage_limit:
        return "has reached its usage limit"
    if promotion.status_at(now) != "active":
        return "is not active"
    return None


# --- back office --------------------------------------------------------------------------


def approve_order(order: Order, value=True, *, ctx=None) -> Order:
    order.status = next_order_status(order.status, "approve")
    if order.payment_status not in ("authorized", "paid", "free"):
        raise ValidationError(
            "payment_status",
            f"can't approve an order whose payment is {order.payment_status}",
            error="invalid",
        )
    stock.decrement_stock(order)
    order.approved_at = timezone.now()
    start_fulfillment_if_ready(order)
    save_order(order)
    emit_event("orders.approve", order)
    return order


def capture_order(order: Order, value=True, *, ctx=None) -> Order:
    if order.payment_status not in ("authorized", "partially_paid"):
        raise InvalidTransition(
            order.payment_status,
            "paid",
            message=f"can't capture a payment that is {order.payment_status}",
        )
    authorization = payments.open_authorization(order)
    if authorization is None or payments.capture_balance(authorization) == 0:
        raise ValidationError("_capture", "nothing left to capture", error="invalid")
    payments.capture(authorization)
    payments.refresh_payment_status(order)
    start_fulfillment_if_ready(order)
    save_order(order)
    emit_event("orders.capture", order)
    return order


def approve_and_capture_order(order: Order, value=True, *, ctx=None) -> Order:
    approve_order(order, ctx=ctx)
    if order.payment_status != "free":
        capture_order(order, ctx=ctx)
    return order


def refund_order(order: Order, value=True, *, ctx=None) -> Order:
    """Refund everything captured; a full refund cancels the order, as Commerce Layer does."""
    if order.payment_status not in ("paid", "partially_paid", "partially_refunded"):
        raise InvalidTransition(
            order.payment_status,
            "refunded",
            message=f"can't refund a payment that is {order.payment_status}",
        )
    next_order_status(order.status, "refund")  # checked before anything moves
    for capture_tx in payments.captures_with_balance(order):
        payments.refund(capture_tx)
    payments.refresh_payment_status(order)
    if order.payment_status == "refunded":
        cancel_after_full_refund(order)
    save_order(order)
    emit_event("orders.refund", order)
    return order


def cancel_after_full_refund(order: Order) -> None:
    """A full refund cancels the order: unshipped shipments are cancelled, their stock back."""
    status = next_order_status(order.status, "refund")
    # What was authorized but never captured can't be captured on a cancelled order.
    void_uncaptured(order)
    give_back_unlimited = usage.give_back_uses(order)  # before the stock items (lock order)
    _cancel_unshipped(order)
    give_back_unlimited()  # after them
    order.status = status
    order.cancelled_at = timezone.now()
    emit_event("orders.cancel", order)


def void_uncaptured(order: Order) -> None:
    authorization = payments.open_authorization(order)
    if authorization is not None and payments.capture_balance(authorization) > 0:
        payments.void(authorization)


def refuse_payment_move(order: Order, to: str):
    raise InvalidTransition(
        order.status, to, message=f"a {order.status} order's payment can't become {to}"
    )


def cancel_order(order: Order, value=True, *, ctx: TokenContext | None = None) -> Order:
    if ctx is not None and not ctx.is_integration and order.status != "pending":
        raise InvalidTransition(
            order.status,
            "cancelled",
            message="only a pending order can be cancelled by its shopper",
        )
    order_status = next_order_status(order.status, "cancel")
    shipments = list(order.shipments.all())
    if any(s.status in SHIPPED for s in shipments):
        raise InvalidTransition(
            order.status, "cancelled", message="can't cancel an order with shipped shipments"
        )
    give_back_unlimited = None
    if order.status in ("placed", "approved"):
        void_uncaptured(order)
        for capture_tx in payments.captures_with_balance(order):
            payments.refund(capture_tx)
        payments.refresh_payment_status(order)
        give_back_unlimited = usage.give_back_uses(order)  # before the stock items (lock order)
    _cancel_unshipped(order)
    if give_back_unlimited is not None:
        give_back_unlimited()  # after them
    order.status = order_status
    order.cancelled_at = timezone.now()
    save_order(order)
    emit_event("orders.cancel", order)
    return order


def _cancel_unshipped(order: Order) -> None:
    if order.status == "placed":
        stock.release_stock(order)
    elif order.status == "approved":
        stock.restock(order)
    move_order_shipments(
        order,
        "cancel",
        from_statuses=("draft", "upcoming", "on_hold", "picking", "packing", "ready_to_ship"),
    )


def pending_order(order: Order, value=True, *, ctx=None) -> Order:
    order.status = next_order_status(order.status, "pending")
    save_order(order)
    emit_event("orders.pending", order)
    return order


def archive_order(order: Order, value=True, *, ctx=None) -> Order:
    if order.archived_at is None:
        order.archived_at = timezone.now()
        order.save(update_fields=["archived_at", "updated_at"])
        emit_event("orders.archive", order)
    return order


def unarchive_order(order: Order, value=True, *, ctx=None) -> Order:
    if order.archived_at is not None:
        order.archived_at = None
        order.save(update_fields=["archived_at", "updated_at"])
        emit_event("orders.unarchive", order)
    return order


def refresh_order_trigger(order: Order, value=True, *, ctx=None) -> Order:
    if order.status not in ("draft", "pending"):
        raise InvalidTransition(
            order.status, order.status, message=f"a {order.status} order can't be refreshed"
        )
    return refresh_order(order)


def set_authorization_amount(order: Order, value: int, *, ctx=None) -> Order:
    if order.status not in ("draft", "pending"):
        raise InvalidTransition(
            order.status, "placed", message="the amount to authorize is fixed once placed"
        )
    order.authorization_amount_cents = value
    order.save(update_fields=["authorization_amount_cents", "updated_at"])
    return order


__all__ = ["transaction", "lock_order"]
