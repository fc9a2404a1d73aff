"""The customer's wallet (payments.md "Customer payment sources"): payment sources saved from a
signed-in customer's orders, to pay later orders with.

- `_save_payment_source_to_customer_wallet` (`save_trigger`): the order needs a customer and a
  Stripe or external payment (a Stripe one made with `options.setup_future_usage`, so that
  Stripe keeps the card: orders.services.stripe_payments adds the customer's Stripe Customer),
  else 422. On a cart it is remembered and done at `_place` once authorized; once the order is
  authorized, at once.
- What is saved: orders.services.saved_sources. At `_place` a failed save does not stop the
  order (its money is authorized): the request to save stays, and the trigger sent again on
  the placed order says what went wrong.
- Entries made through the API (`create_entry`, `update_entry`): from one of the customer's
  payments (its method and token, unless given) or from tokens alone.
- `_customer_payment_source_id` (`use_entry`): an entry of the order's customer available to
  the order (its payment method available to the order's market and currency); any other id,
  existing or not, is the same 422. The order takes the entry's payment method and a new
  payment source made from it.

Every service here runs under the order's row lock."""

from commerce.exceptions import ValidationError
from commerce.services import save_record, write_fields
from orders.models import CustomerPaymentSource, Order, PaymentSource, Transaction
from orders.services import carts, stripe_payments
from orders.services.saved_sources import KINDS, SAVE, save_entry, save_source

USE = "_customer_payment_source_id"


def save_trigger(order: Order, value=True, *, ctx=None) -> Order:
    """`_save_payment_source_to_customer_wallet`."""
    _check_saveable(order)
    if order.editable:
        order.save_source_to_wallet = True
        write_fields(order, ["save_source_to_wallet", "updated_at"])
        return order
    if not _authorized(order):
        raise ValidationError(
            SAVE, "the order's payment source was never authorized", error="invalid"
        )
    save_source(order)
    return order


def available_entries(order: Order) -> list[CustomerPaymentSource]:
    """The order's customer's entries whose payment method the order may use (the order's
    `available_customer_payment_sources`)."""
    if order.customer_id is None:
        return []
    customer = order.customer
    entries = customer.customer_payment_sources.all()
    if not customer.is_prefetched("customer_payment_sources"):
        entries = entries.select_related("payment_method__payment_gateway")
    return [
        entry
        for entry in entries
        if entry.payment_method is not None
        and entry.payment_method.payment_source_type in KINDS
        and entry.payment_method.available_to(order.market_id, order.currency_code)
    ]


def use_entry(order: Order, value, *, ctx) -> Order:
    """`_customer_payment_source_id`: pay the order (a cart) with a wallet entry."""
    carts.ensure_editable(order, USE)
    entry = next((e for e in available_entries(order) if e.public_id == value), None)
    if entry is None:
        raise ValidationError(
            USE, "is not a saved payment source the order's customer may use", error="invalid"
        )
    if order.payment_method_id != entry.payment_method_id:
        carts.update_order(order, {"payment_method": entry.payment_method}, ctx=ctx)
    if entry.payment_method.payment_source_type == "stripe_payments":
        stripe_payments.create_wallet_payment(order, entry)
    else:
        source = PaymentSource(
            kind="external_payments",
            order=order,
            payment_gateway_id=entry.payment_method.payment_gateway_id,
            payment_source_token=entry.payment_source_token,
            wallet=entry,
        )
        carts.attach_source(order, save_record(source, validate=()))
    return order


def _check_saveable(order: Order) -> None:
    if order.customer_id is None:
        raise ValidationError(
            SAVE, "only a customer's order can save its payment source", error="invalid"
        )
    source = order.payment_source
    if source is None or source.kind not in KINDS:
        raise ValidationError(
            SAVE, "only a Stripe or external payment can be saved", error="invalid"
        )
    if (
        source.kind == "stripe_payments"
        and not (source.options or {}).get("setup_future_usage")
        and source.wallet_id is None
    ):
        raise ValidationError(
            SAVE,
            "the Stripe payment was not made to be saved: create it with "
            "options.setup_future_usage",
            error="invalid",
        )


def _authorized(order: Order) -> bool:
    return Transaction.objects.filter(
        order=order, kind="authorizations", succeeded=True, payment_source=order.payment_source
    ).exists()


def create_entry(values: dict) -> CustomerPaymentSource:
    """A wallet entry made through the API: from one of the customer's payments (its tokens and
    method, unless given) or from tokens alone."""
    source = values.get("payment_source")
    entry = CustomerPaymentSource(
        customer=values["customer"],
        payment_method=values.get("payment_method"),
        payment_source=source,
        customer_token=values.get("customer_token"),
        payment_source_token=values.get("payment_source_token"),
    )
    if source is not None:
        _from_source(entry, source)
    return save_entry(entry)


def update_entry(entry: CustomerPaymentSource, values: dict) -> CustomerPaymentSource:
    for name, value in values.items():
        setattr(entry, name, value)
    if "payment_source" in values and entry.payment_source is not None:
        _from_source(entry, entry.payment_source)
    if "payment_source" in values or "payment_method" in values:
        entry.name = None  # named again
    return save_entry(entry)


def _from_source(entry: CustomerPaymentSource, source: PaymentSource) -> None:
    if entry.payment_method_id is None:
        entry.payment_method = source.order.payment_method
    if not entry.payment_source_token:
        if source.kind == "stripe_payments":
            entry.payment_source_token = (source.payment_method or {}).get("id")
        else:
            entry.payment_source_token = source.payment_source_token
