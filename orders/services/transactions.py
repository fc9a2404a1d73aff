"""Transaction triggers: capture or void an authorization, refund a capture (integration only).
Each runs under the order's row lock (the view reads the transaction's `order` under it: its
resource is `locked_through` the order), records the transaction and lets the order's statuses
follow.

Guards, in the order their errors are reported: the order's status, then the transaction's
balance (orders.services.payments), then the payment table (`PAYMENT_TRIGGERS`, asked with the
payment status before the move), all before a gateway is called (`guard`)."""

from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError
from commerce.services import write_fields
from orders.locks import lock_order
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
    payments.capture(
        authorization,
        (params or {}).get("_capture_amount_cents"),
        guard=lambda: _check_payment(order, before, "capture"),
    )
    _after(order, authorization, "authorizations.capture")
    return authorization


def void_authorization(authorization: Transaction, value=True, *, ctx=None) -> Transaction:
    order = authorization.order
    if order.status not in _MOVING_ORDERS:
        lifecycle.refuse_payment_move(order, "voided")
    before = order.payment_status
    payments.void(authorization, guard=lambda: _check_payment(order, before, "void"))
    _after(order, authorization, "authorizations.void")
    return authorization


def refund_capture(capture: Transaction, value=True, *, ctx=None, params=None) -> Transaction:
    order = capture.order
    before = order.payment_status
    payments.refund(
        capture,
        (params or {}).get("_refund_amount_cents"),
        guard=lambda: _check_payment(order, before, "refund"),
    )
    _after(order, capture, "captures.refund")
    return capture


def forward_transaction(tx: Transaction, value=True, *, ctx=None) -> Transaction:
    """`_forward` (payments.md "Reconciling"; integration only): an operator who checked the
    gateway's dashboard marks a failed transaction succeeded. The order's payment status
    follows, and its statuses move as that transaction succeeding would have moved them (a
    full refund cancels, a covering capture sends an approved order's shipments to picking);
    an order still pending keeps its status (placing it is the shopper's `_place`)."""
    if tx.succeeded:
        raise ValidationError("_forward", "the transaction has already succeeded", error="invalid")
    left = payments.balance_for(tx)
    if left is not None and tx.amount_cents > left:
        # What it says moved must still be there to move (another capture may have taken it).
        raise ValidationError(
            "_forward", f"its amount exceeds what is left ({left})", error="invalid"
        )
    tx.succeeded = True
    write_fields(tx, ["succeeded", "updated_at"])
    _after(tx.order, tx, f"{tx.kind}.forward")
    return tx


# An operator's transaction triggers (the admin), by the kinds that take them.
OPERATOR_TRIGGERS = {
    "capture": (capture_authorization, ("authorizations",)),
    "void": (void_authorization, ("authorizations",)),
    "refund": (refund_capture, ("captures",)),
    "forward": (forward_transaction, ("authorizations", "captures", "voids", "refunds")),
}


def run_operator_trigger(tx: Transaction, name: str, *, ctx) -> Transaction:
    """The API's `_<name>` on `tx` for an operator: its order re-read under its row lock
    (orders.locks, step 1), the transaction read again, then the trigger's service."""
    service, kinds = OPERATOR_TRIGGERS[name]
    order = lock_order(tx.order)
    tx = Transaction.objects.get(pk=tx.pk)
    tx.order = order
    if tx.kind not in kinds:
        raise ValidationError(f"_{name}", f"is not a trigger of {tx.kind}", error="invalid")
    return service(tx, True, ctx=ctx)
