"""Payments through the manual gateway: authorizations, captures, voids and refunds are recorded
as transactions (no external call); the order's `payment_status` then follows from them
(orders.services.statuses.refresh_payment_status). Balances are read through
`orders.selectors`."""

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import write_record
from orders.models import Order, Transaction
from orders.selectors import capture_balance, refund_balance


def _record(order: Order, kind: str, amount: int, **refs) -> Transaction:
    count = Transaction.objects.filter(order=order).count()
    method = order.payment_method
    tx = Transaction(
        kind=kind,
        order=order,
        payment_source=order.payment_source,
        number=f"{order.number}/T/{count + 1:03d}",
        currency_code=order.currency_code,
        amount_cents=amount,
        succeeded=True,
        message="Success!",
        payment_method_type=method.payment_source_type if method else None,
        **refs,
    )
    write_record(tx)
    emit_event(f"{kind}.create", tx, amount_cents=amount)
    return tx


def authorize(order: Order) -> Transaction:
    amount = order.authorization_amount_cents
    if amount is None:
        amount = order.total_amount_with_taxes_cents
    return _record(order, "authorizations", amount)


def capture(authorization: Transaction, amount: int | None = None) -> Transaction:
    """Capture (part of) an authorization."""
    balance = capture_balance(authorization)
    amount = balance if amount is None else amount
    if balance == 0:
        raise ValidationError(
            "_capture", "nothing left to capture on this authorization", error="invalid"
        )
    if amount <= 0 or amount > balance:
        raise ValidationError(
            "_capture_amount_cents",
            f"must be between 1 and {balance}",
            error="less_than_or_equal_to",
            count=balance,
        )
    return _record(authorization.order, "captures", amount, reference_authorization=authorization)


def void(authorization: Transaction) -> Transaction:
    balance = capture_balance(authorization)
    if balance == 0:
        raise ValidationError(
            "_void", "nothing left to void on this authorization", error="invalid"
        )
    return _record(authorization.order, "voids", balance, reference_authorization=authorization)


def refund(capture_tx: Transaction, amount: int | None = None) -> Transaction:
    balance = refund_balance(capture_tx)
    amount = balance if amount is None else amount
    if balance == 0:
        raise ValidationError("_refund", "nothing left to refund on this capture", error="invalid")
    if amount <= 0 or amount > balance:
        raise ValidationError(
            "_refund_amount_cents",
            f"must be between 1 and {balance}",
            error="less_than_or_equal_to",
            count=balance,
        )
    return _record(capture_tx.order, "refunds", amount, reference_capture=capture_tx)


def balance_for(tx: Transaction) -> int | None:
    """What is left for `tx` to move where it refers to another transaction: the capture
    balance of a capture's or void's authorization, the refund balance of a refund's capture
    (None for an authorization)."""
    if tx.kind in ("captures", "voids"):
        return capture_balance(tx.reference_authorization)
    if tx.kind == "refunds":
        return refund_balance(tx.reference_capture)
    return None
