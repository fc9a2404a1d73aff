"""Payments: authorizations, captures, voids and refunds recorded as transactions, through the
gateway of the payment source (payments.md, one interface for every kind): the manual gateway
calls nobody; a Stripe payment's calls go to Stripe (orders.gateways.stripe_gateway), an
external payment's to the merchant's URLs (orders.gateways.external_gateway), under the
order's row lock, each money-moving call with its idempotency key. How a call is recorded,
failed or not, and what a refused request keeps: orders.services.gateway_calls. The order's
`payment_status` then follows from the succeeded transactions
(orders.services.statuses.refresh_payment_status). Balances are read through
`orders.selectors`."""

from commerce.exceptions import ValidationError
from orders.gateways import Refused, Unavailable
from orders.gateways import stripe_gateway as stripe_api
from orders.models import Order, Transaction
from orders.selectors import capture_balance, refund_balance
from orders.services.gateway_calls import call, call_key, external_call, keep, record, refusal


def authorize(order: Order) -> Transaction:
    """At `_place`: the manual gateway records the authorization; an external gateway is asked
    for it (a refusal: 422 on `payment_source`, the failed attempt kept); a Stripe payment's
    PaymentIntent must be authorized already (`stripe_authorization`)."""
    amount = order.amount_to_authorize
    source = order.payment_source
    if source is not None and source.kind == "stripe_payments":
        return stripe_authorization(order, source, amount)
    if source is not None and source.kind == "external_payments":
        gateway = source.payment_gateway
        answer = call(
            "payment_source",
            order,
            "authorizations",
            amount,
            {},
            lambda key: external_call(
                gateway,
                "authorize",
                gateway.authorize_url,
                "external_payments",
                source.public_id,
                amount=amount,
                currency=order.currency_code,
                key=key,
            ),
            call_key(source.public_id, "authorize", kind="authorizations", payment_source=source),
            relationship=True,
        )
        return keep(record(order, "authorizations", answer.amount_cents, **_ids(answer)))
    return record(order, "authorizations", amount)


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
    except (Refused, Unavailable) as failure:  # a read: nothing moved, nothing to record
        raise refusal("payment_source", failure, relationship=True) from None
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
    authorization = record(order, "authorizations", amount, **ids)
    if intent.status == "succeeded":
        record(order, "captures", amount, reference_authorization=authorization, **ids)
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
    refs = {"reference_authorization": authorization}
    capture_tx = _move("capture", authorization, amount, refs, trigger, balance=balance)
    source = authorization.payment_source
    if _kind(source) == "stripe_payments" and amount < balance:
        # Stripe captures once and releases the rest.
        ids = {"token": capture_tx.token, "gateway_transaction_id": capture_tx.token}
        keep(record(authorization.order, "voids", balance - amount, **refs, **ids))
    return capture_tx


def void(authorization: Transaction, *, trigger: str = "_void", guard=None) -> Transaction:
    balance = capture_balance(authorization)
    if balance == 0:
        raise ValidationError(
            "_void", "nothing left to void on this authorization", error="invalid"
        )
    if guard is not None:
        guard()
    refs = {"reference_authorization": authorization}
    return _move("void", authorization, balance, refs, trigger)


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
    return _move("refund", capture_tx, amount, {"reference_capture": capture_tx}, trigger)


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

# The transaction each operation records.
_KINDS = {"capture": "captures", "void": "voids", "refund": "refunds"}


def _move(operation: str, target: Transaction, amount: int, refs: dict, trigger: str, **extra):
    """`operation` of `amount` on `target` (an authorization, or a capture for a refund)
    through its payment source's gateway, recorded: the manual gateway moves it at once; a
    gateway that calls out (`_GATEWAY_CALLS`) is asked with the operation's idempotency key,
    what it moved is kept should the request be refused, and its refusal is a failed
    transaction and a 422 (orders.services.gateway_calls)."""
    order, kind = target.order, _KINDS[operation]
    source = target.payment_source
    gateway_call = _GATEWAY_CALLS.get(_kind(source))
    if gateway_call is None:
        return record(order, kind, amount, **refs)
    moved, ids = call(
        trigger,
        order,
        kind,
        amount,
        refs,
        lambda key: gateway_call(source, operation, target, amount, key, **extra),
        call_key(target.public_id, operation, kind=kind, **refs),
    )
    return keep(record(order, kind, moved, **refs, **ids))


def _stripe_call(source, operation, target, amount, key, *, balance=None) -> tuple[int, dict]:
    """Stripe's call for `operation`: (the amount moved, the transaction's gateway ids)."""
    gateway, intent_id = source.payment_gateway, source.stripe_id
    if operation == "capture":
        params = {} if amount == balance else {"amount_to_capture": amount}
        done = stripe_api.capture_intent(gateway, intent_id, params, idempotency_key=key)
    elif operation == "void":
        done = stripe_api.cancel_intent(gateway, intent_id, idempotency_key=key)
    else:
        params = {
            "payment_intent": intent_id,
            "amount": amount,
            "metadata": {"capture_id": target.public_id},
        }
        done = stripe_api.create_refund(gateway, params, idempotency_key=key)
    return amount, {"token": done.id, "gateway_transaction_id": done.id}


def _external_call(source, operation, target, amount, key, **_) -> tuple[int, dict]:
    """The external gateway's call for `operation` (its payload is `target`): what it says it
    moved (a void moves what was asked), with its token and metadata."""
    gateway, order = source.payment_gateway, target.order
    answer = external_call(
        gateway,
        operation,
        getattr(gateway, f"{operation}_url"),
        target.kind,
        target.public_id,
        amount=amount,
        currency=order.currency_code,
        key=key,
    )
    moved = amount if operation == "void" else answer.amount_cents
    return moved, _ids(answer)


# The gateways that call out, by their payment source's kind.
_GATEWAY_CALLS = {"stripe_payments": _stripe_call, "external_payments": _external_call}


def _kind(source) -> str | None:
    return source.kind if source is not None else None


def _ids(answer) -> dict:
    """What an external gateway's answer gives its transaction."""
    return {
        "token": answer.token,
        "gateway_transaction_id": answer.token,
        "metadata": answer.metadata or {},
    }
