"""Payments through the manual gateway: authorizations, captures, voids and refunds are recorded
as transactions (no external call); the order's `payment_status` then follows from them
(orders.services.statuses.refresh_payment_status). Balances are read through
`orders.selectors`."""

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import write_record
from orders.gateways import stripe_gateway as stripe_api
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
    """At `_place`: the manual gateway records the authorization; a Stripe payment's
    PaymentIntent must be authorized already (`stripe_authorization`)."""
    amount = order.amount_to_authorize
    source = order.payment_source
    if source is not None and source.kind == "stripe_payments":
        return stripe_authorization(order, source, amount)
    return _record(order, "authorizations", amount)


def stripe_authorization(order: Order, source, amount: int) -> Transaction:
    """payments.md "Stripe", order `_place`: the PaymentIntent is read (under the order's
    lock) and is an authorization when it is `requires_capture` for the amount to authorize
    (`succeeded`: captured already, so a capture too); otherwise a 422 on `payment_source`
    and nothing recorded. An authorization recorded already (by the webhook) is used."""
    recorded = Transaction.objects.filter(
        order=order, kind="authorizations", succeeded=True, token=source.stripe_id
    ).first()
    if recorded is not None:
        return recorded
    try:
        intent = stripe_api.retrieve_intent(source.payment_gateway, source.stripe_id)
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise ValidationError(
            "payment_source",
            getattr(failure, "message", None) or str(failure),
            error="gateway_unavailable",
            relationship=True,
        ) from None
    if (intent.amount, intent.currency.upper()) != (amount, order.currency_code):
        raise ValidationError(
            "payment_source",
            "the payment intent's amount differs from the order's: update it (_update)",
            error="mismatched_amounts",
            relationship=True,
        )
    if intent.status not in ("requires_capture", "succeeded"):
        raise ValidationError(
            "payment_source",
            f"the payment intent is {intent.status}: confirm it before placing",
            error="not_authorized",
            relationship=True,
            status=intent.status,
        )
    ids = {"token": intent.id, "gateway_transaction_id": intent.id}
    authorization = _record(order, "authorizations", amount, **ids)
    if intent.status == "succeeded":
        _record(order, "captures", amount, reference_authorization=authorization, **ids)
    return authorization


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
