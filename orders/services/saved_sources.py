"""Saving an order's payment source to its customer's wallet (payments.md "Customer payment
sources"), a step of `_place` and of the wallet's trigger (orders.services.wallet):

- Stripe: the intent's `customer` and `payment_method` (Stripe attached the card to the
  customer's Stripe Customer, added when the payment was made to be saved), named
  `XXXX-XXXX-XXXX-<last4>`;
- external: the tokens the gateway's `token_url` answers (`data.customer_token`,
  `data.payment_source_token`; key `<payment id>-token-1`), or without one the payment's own
  token, named after the payment method.

The same token twice is one entry."""

from commerce.exceptions import ValidationError
from commerce.services import save_record, write_fields
from orders.gateways import Refused, Unavailable
from orders.gateways import stripe_gateway as stripe_api
from orders.models import CustomerPaymentSource, Order, PaymentSource
from orders.services.gateway_calls import external_call, refusal

# The payment sources a wallet keeps.
KINDS = ("stripe_payments", "external_payments")
SAVE = "_save_payment_source_to_customer_wallet"


def save_source(order: Order, *, at_place: bool = False) -> CustomerPaymentSource | None:
    """Save the order's (authorized) payment source to its customer's wallet: the entry, or at
    `_place` None when it can't be saved now (the request to save is kept)."""
    source, method = order.payment_source, order.payment_method
    try:
        if source.kind == "stripe_payments":
            customer_token, token, name = _stripe_tokens(source)
        else:
            customer_token, token = _external_tokens(order, source)
            name = None
    except ValidationError:
        if at_place:
            return None
        raise
    entry = CustomerPaymentSource.objects.filter(
        customer_id=order.customer_id, payment_method=method, payment_source_token=token
    ).first()
    if entry is None:
        entry = CustomerPaymentSource(
            customer_id=order.customer_id,
            payment_method=method,
            payment_source=source,
            name=name,
            customer_token=customer_token,
            payment_source_token=token,
        )
        save_entry(entry)
    if order.save_source_to_wallet:
        order.save_source_to_wallet = False
        if not at_place:  # _place writes the order itself
            write_fields(order, ["save_source_to_wallet", "updated_at"])
    return entry


def save_entry(entry: CustomerPaymentSource) -> CustomerPaymentSource:
    method = entry.payment_method
    if method is not None and method.payment_source_type not in KINDS:
        raise ValidationError(
            "payment_method",
            "only a Stripe or external payment method's sources can be saved",
            error="invalid",
            relationship=True,
        )
    source = entry.payment_source
    last4 = (source.card or {}).get("last4") if source is not None else None
    if entry.name:
        pass  # named by the caller (a card Stripe just showed)
    elif last4:
        entry.name = f"XXXX-XXXX-XXXX-{last4}"
    elif method is not None:
        entry.name = method.name or method.payment_source_type
    return save_record(entry)


def _stripe_tokens(source: PaymentSource) -> tuple[str, str, str | None]:
    """The Stripe Customer and PaymentMethod the intent's card was saved to, and its name."""
    try:
        intent = stripe_api.retrieve_intent(
            source.payment_gateway, source.stripe_id, expand=("payment_method",)
        )
    except (Refused, Unavailable) as failure:
        raise refusal(SAVE, failure) from None
    method = intent.payment_method
    if not intent.customer or method is None:
        raise ValidationError(SAVE, "Stripe did not save the card to a customer", error="invalid")
    if isinstance(method, str):
        return intent.customer, method, None
    card = getattr(method, "card", None)
    return intent.customer, method.id, f"XXXX-XXXX-XXXX-{card.last4}" if card else None


def _external_tokens(order: Order, source: PaymentSource) -> tuple[str | None, str | None]:
    """The gateway's tokens for the payment (`token_url`), else the payment's own token."""
    gateway = source.payment_gateway
    customer_token, token = None, source.payment_source_token
    if gateway.token_url:
        try:
            answer = external_call(
                gateway,
                "token",
                gateway.token_url,
                "external_payments",
                source.public_id,
                amount=order.amount_to_authorize,
                currency=order.currency_code,
                key=f"{source.public_id}-token-1",
            )
        except (Refused, Unavailable) as failure:
            raise refusal(SAVE, failure) from None
        customer_token = _text(answer.data.get("customer_token"))
        token = _text(answer.data.get("payment_source_token")) or token
    if not token:
        raise ValidationError(SAVE, "the payment has no token to save", error="invalid")
    return customer_token, token


def _text(value) -> str | None:
    return str(value)[:255] if value not in (None, "") else None
