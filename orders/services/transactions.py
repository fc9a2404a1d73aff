"""Transaction triggers: capture or void an authorization, refund a capture (integration only).
Each runs under the order's row lock (the view reads the transaction's `order` under it: its
resource is `locked_through` the order), records the transaction and lets the order's statuses
follow."""

from commerce.events import emit_event
from orders.models import Transaction
from orders.services import lifecycle, payments


def _after(order, tx: Transaction, topic: str) -> None:
    payments.refresh_payment_status(order)
    if order.payment_status == "refunded" and order.status in ("placed", "approved"):
        lifecycle.cancel_after_full_refund(order)
    lifecycle.start_fulfillment_if_ready(order)
    lifecycle.save_order(order)
    # The trigger's own event says which order's payment moved, and where to.
    emit_event(topic, tx, order=order.public_id, payment_status=order.payment_status)


def capture_authorization(
    authorization: Transaction, value=True, *, ctx=None, params=None
) -> Transaction:
    order = authorization.order
    if order.status not in ("placed", "approved"):
        lifecycle.refuse_payment_move(order, "paid")
    payments.capture(authorization, (params or {}).get("_capture_amount_cents"))
    _after(order, authorization, "authorizations.capture")
    return authorization


def void_authorization(authorization: Transaction, value=True, *, ctx=None) -> Transaction:
    order = authorization.order
    if order.status not in ("placed", "approved"):
        lifecycle.refuse_payment_move(order, "voided")
    payments.void(authorization)
    _after(order, authorization, "authorizations.void")
    return authorization


def refund_capture(capture: Transaction, value=True, *, ctx=None, params=None) -> Transaction:
    order = capture.order
    payments.refund(capture, (params or {}).get("_refund_amount_cents"))
    _after(order, capture, "captures.refund")
    return capture
