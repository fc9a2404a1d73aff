"""Stripe's webhook events (payments.md "Webhooks"): what Stripe did to a PaymentIntent,
recorded as the difference between the event's object (the intent, or its charge) and the
transactions recorded already, so an event delivered twice, or events delivered out of order,
record each movement once. Processed event ids are kept per gateway too (`StripeEvent`): a
redelivery is not even read.

Under the order's row lock (the global lock order starts there), in one transaction:

- authorized (requires_capture) with no authorization recorded: the authorization (a pending
  order stays pending: payment_intent.amount_capturable_updated);
- captured (amount_received, a charge's amount_captured) more than recorded: a capture of the
  difference, and the rest of the authorization released as Stripe does (succeeded);
- canceled with a capture balance: a void of it (payment_intent.canceled);
- refunded (a charge's amount_refunded) more than recorded: refunds of the difference
  (charge.refunded; a full refund cancels the order, as `_refund` does).

An event for an intent no payment of this gateway holds (another application on the same
Stripe account) is acknowledged and ignored."""

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from commerce.events import recording_events
from orders.locks import lock_order
from orders.models import Order, PaymentSource, StripeEvent, Transaction
from orders.selectors import capture_balance, refund_balance
from orders.services import lifecycle
from orders.services.gateway_calls import NO_ANSWER, record
from orders.services.statuses import refresh_payment_status, save_order

# A full refund cancels an order in these statuses (orders.md `_refund`).
_CANCELLED_BY_REFUND = ("placed", "approved")


def receive(gateway, event) -> None:
    """Record what `event` (verified by the caller) says Stripe did."""
    obj = event.data.object
    kind = getattr(obj, "object", None)
    intent_id = None  # events of other objects (refunds, customers ...) are acknowledged only
    if kind == "payment_intent":
        intent_id = obj.id
    elif kind == "charge":
        intent_id = getattr(obj, "payment_intent", None)
    with transaction.atomic(), recording_events():
        source = None
        if intent_id:
            source = (
                PaymentSource.objects.filter(
                    kind="stripe_payments", payment_gateway=gateway, stripe_id=intent_id
                )
                .only("pk", "order_id")
                .first()
            )
        order = lock_order(Order(pk=source.order_id)) if source is not None else None
        try:
            with transaction.atomic():
                StripeEvent.objects.create(gateway=gateway, event_id=event.id, type=event.type)
        except IntegrityError:
            return  # processed already
        if order is not None:
            settle(order, intent_id, obj)


def settle(order: Order, intent_id: str, obj) -> None:
    """Record what `obj` (the event's PaymentIntent or charge, as Stripe has it now) shows and
    the transactions do not yet: whichever event brings it, so order does not matter."""
    if obj.object == "payment_intent":
        status, amount, captured, refunded = obj.status, obj.amount, obj.amount_received, None
    else:  # a charge: captured or only authorized, and what of it was refunded
        status = "succeeded" if obj.captured else "requires_capture"
        amount, captured, refunded = obj.amount, obj.amount_captured, obj.amount_refunded
    ids = {"token": intent_id, "gateway_transaction_id": intent_id}
    authorization = (
        Transaction.objects.filter(
            order=order, kind="authorizations", succeeded=True, token=intent_id
        )
        .order_by("id")
        .first()
    )
    if authorization is None:
        if status not in ("requires_capture", "succeeded"):
            return
        authorization = record(order, "authorizations", amount, **ids)
    refs = {"reference_authorization": authorization}
    missing = captured - _sum(kind="captures", **refs)
    if missing > 0:
        record(order, "captures", missing, **refs, **ids)
    if status in ("succeeded", "canceled"):
        # Captured once, the rest is released; canceled, all of it.
        balance = capture_balance(authorization)
        if balance > 0:
            record(order, "voids", balance, **refs, **ids)
    if refunded is not None:
        _record_refunds(order, authorization, refunded, obj.id)
    _settle_attempts(order, intent_id, ("refunds",) if refunded is not None else MOVES)
    refresh_payment_status(order)
    if order.payment_status == "refunded" and order.status in _CANCELLED_BY_REFUND:
        lifecycle.cancel_after_full_refund(order)
    lifecycle.start_fulfillment_if_ready(order)
    save_order(order)


# What an intent shows of the calls made on it: its captures and cancel; a charge, its refunds.
MOVES = ("captures", "voids")


def _settle_attempts(order: Order, intent_id: str, kinds: tuple[str, ...]) -> None:
    """Attempts on the intent that got no answer are settled by what Stripe showed: what it
    did is recorded above, so what is still unanswered was not done, and counts as answered
    (payments.md rule 5): the next try takes a new key, as Stripe would replay even a 500
    under the old one."""
    Transaction.objects.filter(
        order=order,
        kind__in=kinds,
        succeeded=False,
        error_code__in=NO_ANSWER,
        settled_at=None,
        payment_source__stripe_id=intent_id,
    ).update(settled_at=timezone.now())


def _record_refunds(order: Order, authorization: Transaction, refunded: int, charge_id: str):
    """Refunds of the difference, over the authorization's captures in order."""
    captures = list(
        Transaction.objects.filter(
            kind="captures", succeeded=True, reference_authorization=authorization
        ).order_by("id")
    )
    missing = refunded - _sum(kind="refunds", reference_capture__in=captures)
    for capture in captures:
        amount = min(missing, refund_balance(capture))
        if amount > 0:
            record(
                order,
                "refunds",
                amount,
                reference_capture=capture,
                token=charge_id,
                gateway_transaction_id=charge_id,
            )
            missing -= amount


def _sum(**filters) -> int:
    total = Transaction.objects.filter(succeeded=True, **filters).aggregate(
        total=Sum("amount_cents")
    )
    return total["total"] or 0
