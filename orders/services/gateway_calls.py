"""Recording gateway calls (payments.md "Gateway calls: what is recorded"), for
orders.services.payments: every transaction written (`record`), the idempotency key of a call
(`call_key`), a call whose refusal or silence becomes a failed transaction and a 422
(`call`), what a refused request must keep (`keep`), and an external gateway's call with its
payload and circuit breaker (`external_call`).

- `call_key`: `<object id>-<operation>-<n>`, n = 1 + earlier attempts of that operation on
  that object that got an answer: the retry of an unanswered call repeats its key, so the
  gateway replays its first outcome instead of moving the money twice (rule 4); one that a
  read of the gateway settled since (`settled_at`) counts as answered (rule 5).
- `call`: a refusal is recorded with the gateway's message and code, no answer with
  `Gateway unavailable: <reason>`; either is kept though the request is undone (commerce.kept)
  and answered 422 on the trigger sent (on `payment_source` for `_place`), `meta` saying the
  error kind, the gateway's code and the failed transaction (rule 1).
- `keep`: a transaction the request wrote, written again alone should the request be refused,
  with the order's payment status that follows from it; its other statuses do not move
  (rules 1 and 2).
- `external_call`: a call without an answer adds one to the gateway's
  `circuit_failure_count`, an answer (a decline too) resets it; at
  `EXTERNAL_GATEWAY_CIRCUIT_THRESHOLD` the circuit opens and every operation fails at once
  (`circuit_open`) until `_reset_circuit`. The counting is kept like the transactions."""

from django.conf import settings
from django.db.models import F

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.kept import keep_if_refused
from commerce.services import write_fields, write_record
from commerce.webhooks.services import render_resource
from markets.models import PaymentGateway
from orders.gateways import Refused, Unavailable
from orders.gateways import external_gateway as external_api
from orders.locks import lock_order
from orders.models import Order, Transaction
from orders.selectors import transactions_count
from orders.services.statuses import refresh_payment_status

# Failed attempts that got no answer: their retry repeats the key (rule 4).
NO_ANSWER = ("gateway_unavailable", "circuit_open")
# What an external gateway is sent besides the resource (payments.md), before its own
# `external_includes`.
EXTERNAL_INCLUDES = (
    "order",
    "order.market",
    "order.line_items",
    "order.line_items.item",
    "order.shipping_address",
    "order.billing_address",
    "order.payment_options",
)


def record(order: Order, kind: str, amount: int, **fields) -> Transaction:
    """Write a transaction of `order` (succeeded unless `fields` say otherwise) with its
    `<kind>.create` event."""
    count = transactions_count(order)
    method = order.payment_method
    tx = Transaction(
        kind=kind,
        order=order,
        payment_source=order.payment_source,
        number=f"{order.number}/T/{count + 1:03d}",
        currency_code=order.currency_code,
        amount_cents=amount,
        payment_method_type=method.payment_source_type if method else None,
        **{"succeeded": True, "message": "Success!", **fields},
    )
    write_record(tx)
    emit_event(f"{kind}.create", tx, amount_cents=amount)
    return tx


def call_key(object_id: str, operation: str, **attempts) -> str:
    """The key of the next call of `operation` on the object: `attempts` filter its earlier
    attempts (their transactions)."""
    answered = (
        Transaction.objects.filter(**attempts)
        .exclude(succeeded=False, error_code__in=NO_ANSWER, settled_at=None)
        .count()
    )
    return f"{object_id}-{operation}-{answered + 1}"


def call(
    name: str,
    order: Order,
    kind: str,
    amount: int,
    refs: dict,
    make_call,
    key: str,
    *,
    relationship: bool = False,
):
    """`make_call(key)`'s result; a refusal or no answer is a failed transaction of `kind`,
    kept, and a 422 on `name`."""
    try:
        return make_call(key)
    except Refused as refusal:
        message, code, detail = refusal.message, refusal.code, refusal.detail
        error = "gateway_error"
    except Unavailable as failure:
        message, code, detail = str(failure), failure.code, failure.reason
        error = "gateway_unavailable"
    failed = record(
        order,
        kind,
        amount,
        succeeded=False,
        message=message[:255],
        error_code=code[:64] if code else None,  # a PSP's code, whatever its length
        error_detail=str(detail)[:255] if detail else None,
        **refs,
    )
    keep(failed)
    raise ValidationError(
        name,
        message,
        error=error,
        relationship=relationship,
        gateway_code=code,
        transaction=failed.public_id,
    )


def refusal(name: str, failure, *, relationship: bool = False) -> ValidationError:
    """The 422 on `name` for a gateway's refusal or silence where nothing is recorded (a read,
    a payment's creation, a wallet's token)."""
    if isinstance(failure, Unavailable):
        return ValidationError(
            name, str(failure), error="gateway_unavailable", relationship=relationship
        )
    return ValidationError(
        name,
        failure.message,
        error="gateway_error",
        relationship=relationship,
        gateway_code=failure.code,
    )


def keep(tx: Transaction) -> Transaction:
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


def external_call(
    gateway,
    operation: str,
    url,
    type_name: str,
    public_id: str,
    *,
    amount: int,
    currency: str,
    key: str,
) -> external_api.Answer:
    """An external gateway's `operation` on the resource `type_name`/`public_id`, through its
    circuit breaker."""
    if gateway.circuit_state == "open":
        raise Unavailable("circuit open", "circuit_open")
    includes = (*EXTERNAL_INCLUDES, *(gateway.external_includes or ()))
    document = render_resource(type_name, public_id, includes)
    try:
        answer = external_api.call(
            url,
            operation,
            document,
            secret=gateway.shared_secret,
            key=key,
            amount=amount,
            currency=currency,
        )
    except Unavailable:
        _count(gateway, answered=False)
        raise
    except Refused as refusal:
        if refusal.code != "not_supported":  # no call was made
            _count(gateway, answered=True)
        raise
    _count(gateway, answered=True)
    return answer


def _count(gateway, *, answered: bool) -> None:
    if answered and gateway.circuit_failure_count == 0:
        return
    rows = PaymentGateway.objects.filter(pk=gateway.pk)

    def write():
        if answered:
            rows.update(circuit_failure_count=0)
            return
        rows.update(circuit_failure_count=F("circuit_failure_count") + 1)
        threshold = settings.EXTERNAL_GATEWAY_CIRCUIT_THRESHOLD
        rows.filter(circuit_failure_count__gte=threshold).update(circuit_state="open")

    write()
    keep_if_refused(write)
