"""Payments through the manual gateway: authorizations, captures, voids and refunds are recorded
as transactions (no external call), and the order's `payment_status` follows from them."""

from django.db.models import Sum
from django.utils import timezone

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from orders.models import Order, Transaction


def payment_status(
    *, total: int, authorized: int, captured: int, voided: int, refunded: int, free: bool = False
) -> str:
    """Derived from the succeeded transactions' sums (pure; like Solidus's determine_*)."""
    if free:
        return "free"
    if refunded > 0:
        return "refunded" if refunded >= captured else "partially_refunded"
    if captured > 0:
        return "paid" if captured >= authorized else "partially_paid"
    if voided > 0:
        return "voided" if voided >= authorized else "partially_voided"
    if authorized > 0:
        return "authorized" if authorized >= total else "partially_authorized"
    return "unpaid"


def transaction_sums(order: Order) -> dict[str, int]:
    rows = (
        Transaction.objects.filter(order=order, succeeded=True)
        .values("kind")
        .annotate(total=Sum("amount_cents"))
    )
    sums = {"authorizations": 0, "captures": 0, "voids": 0, "refunds": 0}
    sums.update({row["kind"]: row["total"] for row in rows})
    return sums


def refresh_payment_status(order: Order) -> str:
    if order.payment_status == "free":
        return "free"
    sums = transaction_sums(order)
    status = payment_status(
        total=order.total_amount_with_taxes_cents,
        authorized=sums["authorizations"],
        captured=sums["captures"],
        voided=sums["voids"],
        refunded=sums["refunds"],
    )
    if status != order.payment_status:
        order.payment_status = status
        order.payment_updated_at = timezone.now()
    return status


def _record(order: Order, kind: str, amount: int, **refs) -> Transaction:
    count = Transaction.objects.filter(order=order).count()
    method = order.payment_method
    tx = Transaction.objects.create(
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
    emit_event(f"{kind}.create", tx, amount_cents=amount)
    return tx


def authorize(order: Order) -> Transaction:
    amount = order.authorization_amount_cents
    if amount is None:
        amount = order.total_amount_with_taxes_cents
    return _record(order, "authorizations", amount)


def open_authorization(order: Order) -> Transaction | None:
    return (
        Transaction.objects.filter(order=order, kind="authorizations", succeeded=True)
        .order_by("-id")
        .first()
    )


def capture_balance(authorization: Transaction) -> int:
    captured = _sum(authorization, "captures", "reference_authorization")
    voided = _sum(authorization, "voids", "reference_authorization")
    return max(authorization.amount_cents - captured - voided, 0)


def refund_balance(capture: Transaction) -> int:
    return max(capture.amount_cents - _sum(capture, "refunds", "reference_capture"), 0)


def _sum(tx: Transaction, kind: str, ref: str) -> int:
    return (
        Transaction.objects.filter(kind=kind, succeeded=True, **{ref: tx}).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )


def capture(authorization: Transaction, amount: int | None = None) -> Transaction:
    """Capture (part of) an authorization; the order's payment status follows."""
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


def captures_with_balance(order: Order) -> list[Transaction]:
    return [
        tx
        for tx in Transaction.objects.filter(order=order, kind="captures", succeeded=True).order_by(
            "id"
        )
        if refund_balance(tx) > 0
    ]
