"""Payment options (payments.md): gateway-specific data an order's payment carries, written
while the order is a cart (its payment is made at `_place`, so a placed order's options are
history). A Stripe payment's PaymentIntent takes the `data` of the order's `stripe_payments`
options as parameters, under ours (`stripe_data`); an external gateway is sent every option of
the order in `included` (orders.services.gateway_calls)."""

from commerce.exceptions import ValidationError
from commerce.services import delete_record, save_record
from orders.models import Order, PaymentOption
from orders.services.carts import ensure_editable

# What a Stripe payment option's data may not set on a PaymentIntent: the amount and the way
# it is captured are the order's, and an intent confirmed here would skip Stripe.js.
_OURS = ("amount", "currency", "capture_method", "confirm")


def create_payment_option(*, ctx, values: dict) -> PaymentOption:
    order: Order = values["order"]  # read under its row lock
    ensure_editable(order)
    option = PaymentOption(
        order=order,
        name=values.get("name"),
        payment_source_type=values["payment_source_type"],
        data=values["data"],
    )
    _check(option)
    return save_record(option, validate=())


def update_payment_option(option: PaymentOption, values: dict, *, ctx) -> PaymentOption:
    ensure_editable(option.order)
    for name in ("name", "data"):
        if name in values:
            setattr(option, name, values[name])
    _check(option)
    return save_record(option, validate=())


def delete_payment_option(option: PaymentOption, *, ctx) -> None:
    ensure_editable(option.order)
    delete_record(option)


def stripe_data(order: Order) -> dict:
    """The PaymentIntent parameters the order's Stripe payment options give, in the order they
    were made (a later one's key wins)."""
    merged: dict = {}
    for option in PaymentOption.objects.filter(order=order, payment_source_type="stripe_payments"):
        merged.update(option.data)
    return merged


def _check(option: PaymentOption) -> None:
    if option.payment_source_type != "stripe_payments":
        return
    taken = sorted(set(option.data) & set(_OURS))
    if taken:
        raise ValidationError(
            "data", f"can't set {', '.join(taken)}: the order's own", error="invalid"
        )
    if not isinstance(option.data.get("metadata", {}), dict):
        raise ValidationError("data", "metadata must be an object", error="invalid")
