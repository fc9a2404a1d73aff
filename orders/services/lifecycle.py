"""The order's triggers: one service per trigger, each guarded under the order's row lock.

Every service takes the order (locked by the caller's `select_for_update`, or re-locked here),
looks its move up in `orders.transitions`, checks its guards, then carries out its effects as
explicit steps in the caller's transaction. A refused trigger raises; nothing is written.
"""

from django.utils import timezone

from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError, ValidationErrors
from commerce.together import reads_together
from inventory.strategies import InsufficientStock
from markets.models import Coupon
from orders.locks import lock_order
from orders.models import Order
from orders.selectors import (
    capture_balance,
    captures_with_balance,
    open_authorization,
    order_lines,
    transaction_sums,
    transactions_read,
)
from orders.services import gift_card_balance, payments, saved_sources, stock, usage
from orders.services.customers import membership_errors
from orders.services.planning import method_available, shippable_lines
from orders.services.promotions import active_promotions, coupon_unusable, find_coupon
from orders.services.shipping_costs import ShippingContext
from orders.services.statuses import (
    move_order,
    move_order_shipments,
    move_shipment,
    ready_to_fulfil,
    refresh_payment_status,
    save_order,
)
from orders.services.totals import SOLD_ITEM_TYPES, reads_ahead, refresh_figures, refresh_order
from orders.transitions import (
    SHIPPED,
    UNSHIPPED,
    is_cart,
    next_order_status,
    payment_allows,
)


def start_fulfillment_if_ready(order: Order) -> None:
    """Once an order is approved and its payment covers it, its upcoming shipments go to
    picking."""
    if ready_to_fulfil(order):
        move_order_shipments(order, "picking", from_statuses=("upcoming",))


# --- placing ------------------------------------------------------------------------------


def draft_errors(order: Order) -> list[ValidationError]:
    """What keeps a cart a draft (orders.md: sku lines, and an email or a customer), one error
    each."""
    errors = []
    # No units and nothing to pay: no lines (a gift card bought is no unit, but a subtotal).
    if not order.skus_count and order.subtotal_amount_cents <= 0:
        errors.append(
            ValidationError("line_items", "can't be blank", error="blank", relationship=True)
        )
    if not (order.customer_email or order.customer_id):
        errors.append(ValidationError("customer_email", "can't be blank", error="blank"))
    return errors


def lines_errors(lines) -> list[ValidationError]:
    """An order is placed (and an edit closed) with at least one sku or bundle line, or a line
    buying a gift card."""
    if any(li.item_type in SOLD_ITEM_TYPES or gift_card_balance.is_purchase(li) for li in lines):
        return []
    return [ValidationError("line_items", "can't be blank", error="blank", relationship=True)]


def shipping_errors(order: Order, lines, shipments) -> list[ValidationError]:
    """What an order whose lines ship needs: a shipping address, and shipments (some stock
    location ships them) that each have a shipping method."""
    if not shippable_lines(order, lines):
        return []
    errors = []
    if order.shipping_address_id is None:
        errors.append(
            ValidationError("shipping_address", "can't be blank", error="blank", relationship=True)
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
    # Each method available now (shipping.md "Availability"), checked again under the order's
    # lock by the refresh that gave `shipments` (`method_available`): a client's choice that a
    # new address, a heavier cart or an operator's edit left behind is refused here, never
    # swapped, one error per shipment.
    for shipment in shipments:
        if shipment.shipping_method_id is not None and not _method_available(order, shipment):
            errors.append(
                ValidationError(
                    "shipments",
                    f"{shipment.shipping_method.name} is not available for shipment "
                    f"{shipment.number}",
                    error="not_available",
                    relationship=True,
                )
            )
    return errors


def _method_available(order: Order, shipment) -> bool:
    """What the refresh found (`method_available`), else asked now."""
    available = getattr(shipment, "method_available", None)
    if available is None:
        context = ShippingContext(order.market_id, order=order)
        available = method_available(order, shipment, shipment.shipping_method, context)
    return available


def placement_errors(order: Order, lines, shipments) -> list[ValidationError]:
    """Everything that stops an order from being placed, one error per problem (`lines` with
    their SKUs and `shipments` as refresh_figures left them)."""
    errors = lines_errors(lines)
    if not (order.customer_email or order.customer_id):
        errors.append(ValidationError("customer_email", "can't be blank", error="blank"))
    errors += membership_errors(order)  # a private market's: no query for the others
    if order.billing_address_id is None:
        errors.append(
            ValidationError("billing_address", "can't be blank", error="blank", relationship=True)
        )
    errors += shipping_errors(order, lines, shipments)
    if order.total_amount_with_taxes_cents > 0:
        if order.payment_method_id is None:
            errors.append(
                ValidationError(
                    "payment_method", "can't be blank", error="blank", relationship=True
                )
            )
        elif not order.payment_method.available_to(order.market_id, order.currency_code):
            # Disabled (or its gateway) since the cart chose it: payments.md checks again.
            errors.append(
                ValidationError(
                    "payment_method",
                    "is not available for this order",
                    error="invalid",
                    relationship=True,
                )
            )
        if order.payment_source_id is None:
            errors.append(
                ValidationError(
                    "payment_source", "can't be blank", error="blank", relationship=True
                )
            )
        elif (
            order.payment_method_id is not None
            and order.payment_source.kind != order.payment_method.payment_source_type
        ):
            # The method changed since the source was made for another (payments.md).
            errors.append(
                ValidationError(
                    "payment_source",
                    f"is a {order.payment_source.kind}, the payment method takes "
                    f"{order.payment_method.payment_source_type}",
                    error="invalid",
                    relationship=True,
                )
            )
    return errors


def place_order(order: Order, value=True, *, ctx: TokenContext | None = None) -> Order:
    """Locks in the global order (orders/locks.py): the order (the caller's), the gift cards it
    redeems and buys (orders.services.gift_card_balance), the coupon and the promotions that
    have a usage limit (their uses counted, orders.services.usage), then the stock items; uses
    without a limit are counted last."""
    if order.status == "placed":
        raise InvalidTransition("placed", "placed", message="the order is already placed")
    if order.status == "draft":
        # Say why it is still a draft, so that a storefront can tell the shopper what to fill in.
        raise ValidationErrors([InvalidTransition("draft", "placed"), *draft_errors(order)])
    next_order_status(order.status, "place")
    # What placing reads of the cart, and the refresh under the stock locks after it, read in
    # one statement (commerce/together.py): only the order's own rows (locked with it) and
    # the market's settings, which a read a moment later would find the same.
    # Its transactions too: the authorization's number counts them.
    now = timezone.now()
    with reads_together(*reads_ahead(order, now, stock=False), transactions_read(order)):
        return _place_order(order, now)


def _place_order(order: Order, now) -> Order:
    lines = order_lines(order)
    # Step 2 of the lock order, first: the gift cards it redeems and buys (none: no statement).
    cards, card_errors = gift_card_balance.hold_gift_cards(order, lines)
    coupon = find_coupon(order.coupon_code) if order.coupon_code else None
    coupon_errors = _coupon_errors(order, coupon)
    shown = {li.promotion_id for li in lines if li.promotion_id}
    promotions = (
        active_promotions(order, now, coupon=coupon, shown=shown)
        if any(li.item_type in SOLD_ITEM_TYPES for li in lines)
        else []
    )
    usage_errors, refused = usage.take_uses(
        None if coupon_errors else coupon, promotions, order=order
    )
    # save_order below writes the order, placed
    lines, shipments, shortages = plan_under_locks(order, lines, promotions=promotions)
    coupon_refused = bool(coupon_errors or usage_errors)
    usage_errors += usage.promotion_errors(promotions, refused, lines, coupon_refused)
    errors = placement_errors(order, lines, shipments) + coupon_errors + usage_errors
    errors += card_errors + shortages
    if errors:
        # Every problem at once (short lines too); the request's transaction undoes it all.
        raise ValidationErrors(errors)
    stock.reserve_stock(shipments)
    usage.take_unlimited_uses(None if coupon_errors else coupon, promotions, lines)
    gift_card_balance.take_gift_cards(order, cards)  # G as the refresh under the locks gave it
    move_order(order, "place")
    order.place_total_amount_cents = order.total_amount_with_taxes_cents
    for shipment in shipments:
        if shipment.status == "draft":
            move_shipment(shipment, "upcoming")
    if order.total_amount_with_taxes_cents > 0:
        authorization = payments.authorize(order)
        if order.payment_method.auto_capture:
            _auto_capture(order, authorization)
        if order.save_source_to_wallet:
            saved_sources.save_source(order, at_place=True)
    # `free` when there is nothing to pay (and then nothing was authorized: no sums to read).
    refresh_payment_status(order, nothing_recorded=order.total_amount_with_taxes_cents == 0)
    save_order(order, shipments)
    emit_event("orders.place", order)
    return order


def plan_under_locks(order: Order, lines, *, promotions=None):
    """`_place`'s (and `_stop_editing`'s) plan: the stock items locked (stock.hold_stock), the
    figures refreshed from them strictly, not stored (the caller saves the order once done).
    A shortage gives one error per short line and the cart's plan for the rest, so that every
    problem is reported at once: (lines, shipments, shortage errors)."""
    held = stock.hold_stock(order, shippable_lines(order, lines))
    try:
        lines, shipments = refresh_figures(
            order, lines=lines, held=held, strict=True, promotions=promotions, store=False
        )
        return lines, shipments, []
    except InsufficientStock as shortage:
        shortages = stock.shortage_errors(shortage, lines)
    lines, shipments = refresh_figures(order, lines=lines, promotions=promotions, store=False)
    return lines, shipments, shortages


def _auto_capture(order: Order, authorization) -> None:
    """The payment method's `auto_capture` (payments.md): `_place` captures the authorization
    too when its amount is at most `auto_capture_max_amount_cents` (any amount without one).
    A capture the gateway refuses does not undo the placement, whose money is authorized: the
    failed capture is recorded and the order stays `authorized`, for an operator to capture."""
    limit = order.payment_method.auto_capture_max_amount_cents
    if limit is not None and authorization.amount_cents > limit:
        return
    if capture_balance(authorization) == 0:  # captured already (a Stripe intent that succeeded)
        return
    try:
        payments.capture(authorization, trigger="_place")
    except ValidationError:
        pass  # recorded by payments.capture as a failed capture


def _coupon_errors(order: Order, coupon: Coupon | None) -> list[ValidationError]:
    if not order.coupon_code:
        return []
    problem = coupon_unusable(order, coupon)
    return [ValidationError("coupon_code", problem, error="invalid")] if problem else []


# --- back office --------------------------------------------------------------------------


def approve_order(order: Order, value=True, *, ctx=None) -> Order:
    next_order_status(order.status, "approve")
    if not payment_allows(order.payment_status, "_approve"):
        raise ValidationError(
            "payment_status",
            f"can't approve an order whose payment is {order.payment_status}",
            error="invalid",
        )
    stock.decrement_stock(order)
    move_order(order, "approve")
    start_fulfillment_if_ready(order)
    save_order(order)
    emit_event("orders.approve", order)
    return order


def capture_order(order: Order, value=True, *, ctx=None, trigger: str = "_capture") -> Order:
    refuse_while_editing(order, "paid")
    if not payment_allows(order.payment_status, "_capture"):
        raise InvalidTransition(
            order.payment_status,
            "paid",
            message=f"can't capture a payment that is {order.payment_status}",
        )
    authorization = open_authorization(order)
    if authorization is None or authorization.capture_balance_cents == 0:
        raise ValidationError("_capture", "nothing left to capture", error="invalid")
    balance = authorization.capture_balance_cents
    amount = amount_to_capture(order, authorization)
    if amount > 0:
        payments.capture(authorization, amount, trigger=trigger)
    if amount < balance and capture_balance(authorization) > 0:
        # The order needs less than was authorized (edited down, aftersale.md §1): the rest is
        # released, as Stripe's partial capture does by itself.
        payments.void(authorization, trigger=trigger)
    refresh_payment_status(order)
    start_fulfillment_if_ready(order)
    save_order(order)
    emit_event("orders.capture", order)
    return order


def amount_to_capture(order: Order, authorization) -> int:
    """What `_capture` takes of the open authorization: all that is left of it, unless the
    order's total is less than was authorized (an edit made it smaller, or an amount to
    authorize set above it): then what the total still needs, captured - total."""
    balance = authorization.capture_balance_cents
    total = order.total_amount_with_taxes_cents
    if authorization.amount_cents <= total:
        return balance  # the usual case: no sums to read
    captured = transaction_sums(order)["captured"]
    return max(0, min(balance, total - captured))


def refuse_while_editing(order: Order, to: str) -> None:
    """An order being edited moves no money and no stock: its operator stops editing first
    (aftersale.md §1)."""
    if order.status == "editing":
        raise InvalidTransition(
            "editing", to, message="stop editing the order first (_stop_editing)"
        )


def approve_and_capture_order(order: Order, value=True, *, ctx=None) -> Order:
    approve_order(order, ctx=ctx)
    if order.payment_status != "free":
        capture_order(order, ctx=ctx, trigger="_approve_and_capture")
    return order


def refund_order(order: Order, value=True, *, ctx=None) -> Order:
    """Refund everything captured; a full refund cancels the order, as Commerce Layer does."""
    refuse_while_editing(order, "cancelled")
    if not payment_allows(order.payment_status, "_refund"):
        raise InvalidTransition(
            order.payment_status,
            "refunded",
            message=f"can't refund a payment that is {order.payment_status}",
        )
    next_order_status(order.status, "refund")  # checked before anything moves
    for capture_tx in captures_with_balance(order):
        payments.refund(capture_tx, trigger="_refund")
    refresh_payment_status(order)
    if order.payment_status == "refunded":
        cancel_after_full_refund(order)
    save_order(order)
    emit_event("orders.refund", order)
    return order


def cancel_after_full_refund(order: Order) -> None:
    """A full refund cancels the order: unshipped shipments are cancelled, their stock back."""
    next_order_status(order.status, "refund")  # checked before anything moves
    # What was authorized but never captured can't be captured on a cancelled order.
    void_uncaptured(order, trigger="_refund")
    gift_card_balance.give_back_gift_card(order)  # the card first (lock order), then the coupon
    give_back_unlimited = usage.give_back_uses(order)  # before the stock items (lock order)
    _cancel_unshipped(order)
    give_back_unlimited()  # after them
    move_order(order, "refund")
    emit_event("orders.cancel", order)


def void_uncaptured(order: Order, *, trigger: str) -> None:
    authorization = open_authorization(order)
    if authorization is not None and authorization.capture_balance_cents > 0:
        payments.void(authorization, trigger=trigger)


def refuse_payment_move(order: Order, to: str):
    raise InvalidTransition(
        order.status, to, message=f"a {order.status} order's payment can't become {to}"
    )


def cancel_refusal(order: Order) -> InvalidTransition | None:
    """Why `_cancel` refuses the order whoever sends it (its table, or a shipment that left),
    else None: also asked ahead by a reorder that cancels its source (orders.services.copies)."""
    try:
        next_order_status(order.status, "cancel")
    except InvalidTransition as refusal:
        return refusal
    if any(s.status in SHIPPED for s in order.shipments.all()):
        return InvalidTransition(
            order.status, "cancelled", message="can't cancel an order with shipped shipments"
        )
    return None


def cancel_order(order: Order, value=True, *, ctx: TokenContext | None = None) -> Order:
    if ctx is not None and not ctx.is_integration and order.status != "pending":
        raise InvalidTransition(
            order.status,
            "cancelled",
            message="only a pending order can be cancelled by its shopper",
        )
    refusal = cancel_refusal(order)  # checked before anything moves
    if refusal is not None:
        raise refusal
    give_back_unlimited = None
    if order.status in ("placed", "editing", "approved"):
        void_uncaptured(order, trigger="_cancel")
        for capture_tx in captures_with_balance(order):
            payments.refund(capture_tx, trigger="_cancel")
        refresh_payment_status(order)
        gift_card_balance.give_back_gift_card(order)  # the card first, then the coupon
        give_back_unlimited = usage.give_back_uses(order)  # before the stock items (lock order)
    _cancel_unshipped(order)
    if give_back_unlimited is not None:
        give_back_unlimited()  # after them
    move_order(order, "cancel")
    save_order(order)
    emit_event("orders.cancel", order)
    return order


def _cancel_unshipped(order: Order) -> None:
    if order.status in ("placed", "editing"):
        stock.release_stock(order)
    elif order.status == "approved":
        stock.restock(order)
    move_order_shipments(order, "cancel", from_statuses=UNSHIPPED)


def pending_order(order: Order, value=True, *, ctx=None) -> Order:
    move_order(order, "pending")
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
    if not is_cart(order.status):
        raise InvalidTransition(
            order.status, order.status, message=f"a {order.status} order can't be refreshed"
        )
    return refresh_order(order)


def set_authorization_amount(order: Order, value: int, *, ctx=None) -> Order:
    if not is_cart(order.status):
        raise InvalidTransition(
            order.status, "placed", message="the amount to authorize is fixed once placed"
        )
    order.authorization_amount_cents = value
    order.save(update_fields=["authorization_amount_cents", "updated_at"])
    return order


# The order triggers an operator may send from the admin (orders.md), by name.
OPERATOR_TRIGGERS = {
    "approve": approve_order,
    "capture": capture_order,
    "approve_and_capture": approve_and_capture_order,
    "cancel": cancel_order,
    "refund": refund_order,
    "archive": archive_order,
}


def run_operator_trigger(order: Order, name: str, *, ctx: TokenContext) -> Order:
    """The API's `_<name>` on `order` for an operator: the order re-read under its row lock
    (orders.locks, step 1), then the trigger's service."""
    return OPERATOR_TRIGGERS[name](lock_order(order), True, ctx=ctx)
