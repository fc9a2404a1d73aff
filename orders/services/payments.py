"""Payments: authorizations, captures, voids and refunds recorded as transactions, through the
gateway of the order's payment source (payments.md): the manual gateway calls nobody; a Stripe
payment's calls go to Stripe (orders.gateways.stripe_gateway) under the order's row lock, each
money-moving call with the idempotency key `<object id>-<operation>-<n>` (n = 1 + earlier
attempts of that operation on that object that got an answer, so the retry of an unanswered
one repeats its key and Stripe replays instead of charging twice). The order's `payment_status`
then follows from the succeeded ones (orders.services.statuses.refresh_payment_status).

A gateway's refusal, or no answer, is a failed transaction and a 422 on the trigger sent; the
failed transaction, and any money that did move in the same request, is kept though the
request is undone (commerce.kept), with the order's payment status that follows from it.
Balances are read through `orders.selectors`."""

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.kept import keep_if_refused
from commerce.services import write_fields, write_record
from orders.gateways import stripe_gateway as stripe_api
from orders.locks import lock_order
from orders.models import Order, Transaction
from orders.selectors import capture_balance, refund_balance
from orders.services.statuses import refresh_payment_status

# Failed attempts that got no answer: their retry repeats the key (payments.md rule 4).
NO_ANSWER = ("gateway_unavailable", "circuit_open")


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
        payment_method_type=method.payment_source_type if method else None,
        **{"succeeded": True, "message": "Success!", **refs},
    )
    write_record(tx)
    emit_event(f"{kind}.create", tx, amount_cents=amount)
    return tx


def record_transaction(order: Order, kind: str, amount: int, **refs) -> Transaction:
    """A succeeded transaction Stripe reports (orders.services.stripe_webhooks)."""
    return _record(order, kind, amount, **refs)


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


def capture(
    authorization: Transaction,
    amount: int | None = None,
    *,
    trigger: str = "_capture",
    guard=None,
) -> Transaction:
    """Capture (part of) an authorization. `guard()`: the caller's last check, run once the
    amount is known good and before the gateway is called (each function here takes one)."""
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
    if guard is not None:
        guard()
    order = authorization.order
    source = authorization.payment_source
    if not _stripe(source):
        return _record(order, "captures", amount, reference_authorization=authorization)
    refs = {"reference_authorization": authorization}
    params = {} if amount == balance else {"amount_to_capture": amount}
    intent = _call(
        trigger,
        order,
        "captures",
        amount,
        refs,
        lambda key: stripe_api.capture_intent(
            source.payment_gateway, source.stripe_id, params, idempotency_key=key
        ),
        _key(authorization, "captures", "capture", "reference_authorization"),
    )
    ids = {"token": intent.id, "gateway_transaction_id": intent.id}
    tx = _kept(_record(order, "captures", amount, **refs, **ids))
    if amount < balance:  # Stripe captures once and releases the rest
        _kept(_record(order, "voids", balance - amount, **refs, **ids))
    return tx


def void(authorization: Transaction, *, trigger: str = "_void", guard=None) -> Transaction:
    balance = capture_balance(authorization)
    if balance == 0:
        raise ValidationError(
            "_void", "nothing left to void on this authorization", error="invalid"
        )
    if guard is not None:
        guard()
    order = authorization.order
    source = authorization.payment_source
    refs = {"reference_authorization": authorization}
    if not _stripe(source):
        return _record(order, "voids", balance, **refs)
    intent = _call(
        trigger,
        order,
        "voids",
        balance,
        refs,
        lambda key: stripe_api.cancel_intent(
            source.payment_gateway, source.stripe_id, idempotency_key=key
        ),
        _key(authorization, "voids", "void", "reference_authorization"),
    )
    ids = {"token": intent.id, "gateway_transaction_id": intent.id}
    return _kept(_record(order, "voids", balance, **refs, **ids))


def refund(
    capture_tx: Transaction,
    amount: int | None = None,
    *,
    trigger: str = "_refund",
    guard=None,
) -> Transaction:
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
    if guard is not None:
        guard()
    order = capture_tx.order
    source = capture_tx.payment_source
    refs = {"reference_capture": capture_tx}
    if not _stripe(source):
        return _record(order, "refunds", amount, **refs)
    params = {
        "payment_intent": source.stripe_id,
        "amount": amount,
        "metadata": {"capture_id": capture_tx.public_id},
    }
    stripe_refund = _call(
        trigger,
        order,
        "refunds",
        amount,
        refs,
        lambda key: stripe_api.create_refund(source.payment_gateway, params, idempotency_key=key),
        _key(capture_tx, "refunds", "refund", "reference_capture"),
    )
    ids = {"token": stripe_refund.id, "gateway_transaction_id": stripe_refund.id}
    return _kept(_record(order, "refunds", amount, **refs, **ids))


def balance_for(tx: Transaction) -> int | None:
    """What is left for `tx` to move where it refers to another transaction: the capture
    balance of a capture's or void's authorization, the refund balance of a refund's capture
    (None for an authorization)."""
    if tx.kind in ("captures", "voids"):
        return capture_balance(tx.reference_authorization)
    if tx.kind == "refunds":
        return refund_balance(tx.reference_capture)
    return None


# --- gateway calls ------------------------------------------------------------------------


def _stripe(source) -> bool:
    return source is not None and source.kind == "stripe_payments"


def _key(target: Transaction, kind: str, operation: str, reference: str) -> str:
    """`<object id>-<operation>-<n>` (payments.md rule 4)."""
    answered = (
        Transaction.objects.filter(kind=kind, **{reference: target})
        .exclude(succeeded=False, error_code__in=NO_ANSWER)
        .count()
    )
    return f"{target.public_id}-{operation}-{answered + 1}"


def _call(trigger: str, order: Order, kind: str, amount: int, refs: dict, call, key: str):
    """Make the gateway call; a refusal or no answer is a failed transaction, kept, and a 422
    on `trigger`."""
    try:
        return call(key)
    except stripe_api.Refused as refusal:
        message, code, detail = refusal.message, refusal.code, refusal.decline_code
        error = "gateway_error"
    except stripe_api.Unavailable as failure:
        message, code, detail = str(failure), "gateway_unavailable", failure.reason
        error = "gateway_unavailable"
    failed = _record(
        order,
        kind,
        amount,
        succeeded=False,
        message=message[:255],
        error_code=code,
        error_detail=detail,
        **refs,
    )
    _kept(failed)
    raise ValidationError(
        trigger,
        message,
        error=error,
        gateway_code=code,
        transaction=failed.public_id,
    )


def _kept(tx: Transaction) -> Transaction:
    """Keep `tx` should the request be refused: written again alone, with the order's payment
    status that follows (its other statuses do not move)."""
    values = {
        field.attname: getattr(tx, field.attname)
        for field in Transaction._meta.concrete_fields
        if not field.primary_key
    }

    def write():
        order = lock_order(tx.order)
        again = Transaction(**values)
        write_record(again)
        emit_event(f"{again.kind}.create", again, amount_cents=again.amount_cents)
        before = order.payment_status
        if refresh_payment_status(order) != before:
            write_fields(order, ["payment_status", "payment_updated_at", "updated_at"])

    keep_if_refused(write)
    return tx
