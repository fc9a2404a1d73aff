"""Address triggers of an order: clone an address into it, copy billing <-> shipping."""

from commerce.exceptions import ValidationError
from commerce.models import Address
from commerce.services import write_record
from orders.models import Order
from orders.services.carts import ensure_editable
from orders.services.totals import refresh_order


def copy_address(address: Address, *, owner_customer_id=None) -> Address:
    clone = Address(
        **{name: getattr(address, name) for name in Address.DETAILS},
        owner_customer_id=owner_customer_id,
    )
    return write_record(clone)


def clone_into(order: Order, field: str, address_id: str, reachable) -> Order:
    """`_billing_address_clone_id` / `_shipping_address_clone_id`: `reachable` is the queryset
    of addresses the caller may see."""
    trigger = f"_{field}_clone_id"
    ensure_editable(order)
    source = reachable.filter(public_id=address_id[:64]).first()
    if source is None:
        raise ValidationError(trigger, f"address {address_id} not found", error="not_found")
    setattr(
        order,
        field,
        copy_address(source, owner_customer_id=order.customer_id if not order.guest else None),
    )
    refresh_order(order, reship=False)  # writes the order too
    return order


def same_as(order: Order, target: str, source: str) -> Order:
    ensure_editable(order)
    address = getattr(order, source)
    if address is None:
        raise ValidationError(source, "can't be blank", error="blank", relationship=True)
    setattr(order, target, copy_address(address, owner_customer_id=address.owner_customer_id))
    refresh_order(order, reship=False)  # writes the order too
    return order
