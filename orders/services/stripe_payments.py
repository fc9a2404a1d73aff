"""Stripe payments (payments.md "Stripe"): an order's payment source backed by a manual-capture
PaymentIntent that the storefront confirms with Stripe.js (`client_secret`,
`publishable_key`). Each service runs under the order's row lock (the payment's `order` is
read under it), and calls Stripe through orders.gateways.stripe_gateway.

- create: a PaymentIntent for the amount to authorize, its key `<payment id>-create-1` (a new
  payment, a new key: a refused create saves nothing, so its retry is another payment);
  given `stripe_id` and `client_secret`, that intent is adopted instead (read, not created).
  Stripe refusing or not answering: 422 on `/data/relationships/order`, nothing saved.
- `_update`: the intent's amount and currency set to the order's again (`mismatched_amounts`
  false); Stripe refuses it once the intent is authorized, captured or canceled: 422 on
  `_update` (create a new payment then).
- `_refresh`: the intent read again: its status, payment method, card and charge.

A payment replacing another as the cart's source cancels the other's intent once it is
committed, best effort, unless an authorization was recorded for it (a webhook's, before
`_place`)."""

from django.db import transaction

from commerce.exceptions import ValidationError
from commerce.services import save_record
from orders.gateways import stripe_gateway as stripe_api
from orders.locks import lock_order
from orders.models import Order, PaymentSource, Transaction
from orders.services.carts import attach_source, check_source_type, ensure_editable
from orders.services.stripe_webhooks import settle

# What of a payment's `options` goes into the PaymentIntent (payments.md).
INTENT_OPTIONS = ("customer", "payment_method", "setup_future_usage")


def create_stripe_payment(*, ctx, values: dict) -> PaymentSource:
    order: Order = values["order"]
    ensure_editable(order)
    check_source_type(order, "stripe_payments")
    gateway = order.payment_method.payment_gateway  # read with the order's lock
    source = PaymentSource(
        kind="stripe_payments",
        order=order,
        payment_gateway=gateway,
        options=values.get("options"),
        return_url=values.get("return_url"),
        receipt_email=values.get("receipt_email"),
    )
    try:
        if values.get("stripe_id") and values.get("client_secret"):
            intent = stripe_api.retrieve_intent(gateway, values["stripe_id"])
            source.client_secret = values["client_secret"]
        else:
            intent = stripe_api.create_intent(
                gateway,
                _intent_params(order, source, gateway),
                idempotency_key=f"{source.public_id}-create-1",
            )
            source.client_secret = intent.client_secret
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise _refusal("order", failure, relationship=True) from None
    source.stripe_id = intent.id
    _take(source, intent)
    _cancel_replaced(order.payment_source)
    return attach_source(order, save_record(source, validate=()))


def update_stripe_payment(source: PaymentSource, value=True, *, ctx=None) -> PaymentSource:
    """`_update`: the intent's amount and currency are the order's again."""
    order = source.order
    ensure_editable(order, "_update")
    params = {"amount": order.amount_to_authorize, "currency": order.currency_code.lower()}
    try:
        intent = stripe_api.update_intent(source.payment_gateway, source.stripe_id, params)
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise _refusal("_update", failure) from None
    _take(source, intent)
    return save_record(source, validate=())


def refresh_stripe_payment(source: PaymentSource, value=True, *, ctx=None) -> PaymentSource:
    """`_refresh`: the intent's status, payment method, card and charge read again, and what
    Stripe did that is not recorded yet recorded as its webhooks would (payments.md rule 5:
    how an operator settles an unanswered call)."""
    try:
        intent = stripe_api.retrieve_intent(
            source.payment_gateway, source.stripe_id, expand=("payment_method", "latest_charge")
        )
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise _refusal("_refresh", failure) from None
    _take(source, intent)
    settle(source.order, intent.id, intent)
    charge = getattr(intent, "latest_charge", None)
    if charge is not None and not isinstance(charge, str):
        settle(source.order, intent.id, charge)
    method = intent.payment_method
    if method is not None and not isinstance(method, str):
        source.payment_method = {"id": method.id, "type": method.type}
        card = getattr(method, "card", None)
        if card is not None:
            source.card = {
                "brand": card.brand,
                "last4": card.last4,
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
            }
    return save_record(source, validate=())


def refresh_for_operator(source: PaymentSource, *, ctx=None) -> PaymentSource:
    """`_refresh` from the admin: the order locked first (orders.locks, step 1)."""
    order = lock_order(source.order)
    source = PaymentSource.objects.select_related("payment_gateway").get(pk=source.pk)
    source.order = order
    return refresh_stripe_payment(source, ctx=ctx)


def _cancel_replaced(previous: PaymentSource | None) -> None:
    """The intent of the payment this one replaces, canceled if nothing was authorized on it;
    best effort: Stripe refusing (an intent confirmed meanwhile) or not answering changes
    nothing here."""
    if previous is None or previous.kind != "stripe_payments" or not previous.stripe_id:
        return
    if Transaction.objects.filter(token=previous.stripe_id, succeeded=True).exists():
        return
    gateway, intent_id = previous.payment_gateway, previous.stripe_id

    def cancel():
        try:
            stripe_api.cancel_intent(
                gateway, intent_id, idempotency_key=f"{previous.public_id}-void-1"
            )
        except (stripe_api.Refused, stripe_api.Unavailable):
            pass

    # Once the new payment is committed: a request refused after this point keeps the old one.
    transaction.on_commit(cancel)


def _intent_params(order: Order, source: PaymentSource, gateway) -> dict:
    params = {
        "amount": order.amount_to_authorize,
        "currency": order.currency_code.lower(),
        "capture_method": "manual",
        "metadata": {
            "order_number": str(order.number),
            "order_id": order.public_id,
            "stripe_payment_id": source.public_id,
        },
    }
    if gateway.auto_payments:
        params["automatic_payment_methods"] = {"enabled": True}
    else:
        params["payment_method_types"] = ["card"]
    if source.receipt_email:
        params["receipt_email"] = source.receipt_email
    options = source.options or {}
    params.update({k: options[k] for k in INTENT_OPTIONS if k in options})
    return params


def _take(source: PaymentSource, intent) -> None:
    """What the payment keeps of the intent Stripe answered with."""
    source.intent_status = intent.status
    source.intent_amount_cents = intent.amount
    source.intent_currency_code = intent.currency.upper()
    charge = getattr(intent, "latest_charge", None)
    source.charge_id = charge if isinstance(charge, str) or charge is None else charge.id


def _refusal(name: str, failure, *, relationship: bool = False) -> ValidationError:
    if isinstance(failure, stripe_api.Unavailable):
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
