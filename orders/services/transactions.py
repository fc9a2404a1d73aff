"""Transaction triggers: capture or void an authorization, refund a capture (integration only).
Each runs under the order's row lock (the view reads the transaction's `order` under it: its
resource is `locked_through` the order), records the transaction and lets the order's statuses
follow.

Guards, in the order their errors are reported: the order's status, then the transaction's
balance (orders.services.payments), then the payment table (`PAYMENT_TRIGGERS`, asked with the
payment status from before the move; a move it refuses is undone with the request)."""

from commerce.events import emit_event
from commerce.exceptions import InvalidTransition
from orders.models import Order, Transaction
from orders.services import lifecycle, payments
from orders.services.statuses import refresh_payment_status, save_order
from orders.transitions import payment_allows

# What an order's payment becomes by each trigger, as an error names it.
_TARGETS = {"capture": "paid", "void": "voided", "refund": "refunded"}
_MOVING_ORDERS = ("placed", "approved")


def _check_payment(order: Order, before: str, trigger: str) -> None:
    if not payment_allows(before, trigger):
        raise InvalidTransition(
            before, _TARGETS[trigger], message=f"can't {trigger} a payment that is {before}"
        )


def _after(order: Order, tx: Transaction, topic: str) -> None:
    refresh_payment_status(order)
    if order.payment_status == "refunded" and order.status in _MOVING_ORDERS:
        lifecycle.cancel_after_full_refund(order)
    lifecycle.start_fulfillment_if_ready(order)
    save_order(order)
    # The trigger's own event says which order's payment moved, and where to.
    emit_event(topic, tx, order=order.public_id, payment_status=order.payment_status)


def capture_authorization(
    authorization: Transaction, value=True, *, ctx=None, params=None
) -> Transaction:
    order = authorization.order
    if order.status not in _MOVING_ORDERS:
        lifecycle.refuse_payment_move(order, "paid")
    before = order.payment_status
    payments.capture(authorization, (params or {}).get("_capture_amount_cents"))
    _check_payment(order, before, "capture")
    _after(order, authorization, "authorizations.capture")
    return authorization


def void_authorization(authorization: Transaction, value=True, *, ctx=None) -> Transaction:
    order = authorization.order
    if order.status not in _MOVING_ORDERS:
        lifecycle.refuse_payment_move(order, "voided")
    before = order.payment_status
    payments.void(authorization)
    _check_payment(order, before, "void")
    _after(order, authorization, "authorizations.void")
    return authorization


def refund_capture(capture: Transaction, value=True, *, ctx=None, params=None) -> Transaction:
    order = capture.order
    before = order.payment_status
    payments.refund(capture, (params or {}).get("_refund_amount_cents"))
    _check_payment(order, before, "refund")
    _after(order, capture, "captures.refund")
    return capture
