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

from commerce.services import save_record
from orders.gateways import stripe_gateway as stripe_api
from orders.locks import lock_order
from orders.models import GatewayCustomer, Order, PaymentSource, Transaction
from orders.services.carts import attach_source, check_source_type, ensure_editable
from orders.services.gateway_calls import refusal
from orders.services.payment_options import stripe_data
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
            params = _intent_params(order, source, gateway)
            if params.get("setup_future_usage") and order.customer_id and "customer" not in params:
                # To be saved to the wallet: the card is attached to the customer's Stripe
                # Customer once authorized (payments.md).
                params["customer"] = stripe_customer(order.customer, gateway)
            intent = _create_intent(gateway, source, params)
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise refusal("order", failure, relationship=True) from None
    return _attach(order, source, intent)


def create_wallet_payment(order: Order, entry) -> PaymentSource:
    """A Stripe payment made from a wallet entry (`_customer_payment_source_id`): its intent
    confirmed at once with the saved card of the customer's Stripe Customer, so it is
    authorized (`requires_capture`) without Stripe.js unless the bank asks the shopper (3DS:
    `requires_action`, which the storefront completes with the `client_secret`). Stripe
    refusing or not answering: 422 on `_customer_payment_source_id`, nothing saved."""
    gateway = entry.payment_method.payment_gateway
    source = PaymentSource(
        kind="stripe_payments", order=order, payment_gateway=gateway, wallet=entry
    )
    params = _intent_params(order, source, gateway)
    params.update(customer=entry.customer_token, payment_method=entry.payment_source_token)
    params["confirm"] = True
    if "automatic_payment_methods" in params:  # no redirect: nobody would come back to it
        params["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
    try:
        intent = _create_intent(gateway, source, params)
    except (stripe_api.Refused, stripe_api.Unavailable) as failure:
        raise refusal("_customer_payment_source_id", failure) from None
    return _attach(order, source, intent)


def stripe_customer(customer, gateway) -> str:
    """The id of `customer`'s Stripe Customer at `gateway`, created the first time (its key
    `<customer id>-customer-1`: a retry, or a twin request, gets the same one)."""
    known = GatewayCustomer.objects.filter(customer=customer, gateway=gateway).first()
    if known is not None:
        return known.token
    made = stripe_api.create_customer(
        gateway,
        {"email": customer.email, "metadata": {"customer_id": customer.public_id}},
        idempotency_key=f"{customer.public_id}-customer-1",
    )
    GatewayCustomer.objects.get_or_create(
        customer=customer, gateway=gateway, defaults={"token": made.id}
    )
    return made.id


def _create_intent(gateway, source: PaymentSource, params: dict):
    intent = stripe_api.create_intent(
        gateway, params, idempotency_key=f"{source.public_id}-create-1"
    )
    source.client_secret = intent.client_secret
    return intent


def _attach(order: Order, source: PaymentSource, intent) -> PaymentSource:
    """`source`, for `intent`, saved as the order's payment source."""
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
        raise refusal("_update", failure) from None
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
        raise refusal("_refresh", failure) from None
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
    """The PaymentIntent's parameters: the order's payment options' data under ours."""
    extra = stripe_data(order)
    params = {
        **extra,
        "amount": order.amount_to_authorize,
        "currency": order.currency_code.lower(),
        "capture_method": "manual",
        "metadata": {
            **(extra.get("metadata") or {}),
            "order_number": str(order.number),
            "order_id": order.public_id,
            "stripe_payment_id": source.public_id,
        },
    }
    chosen = "payment_method_types" in params or "automatic_payment_methods" in params
    if chosen:
        pass  # by a payment option
    elif gateway.auto_payments:
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
