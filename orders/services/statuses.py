"""The one writer of each status (style.md 17): nothing else assigns one.

- `move_order`: an order's `status`, after asking its table (orders.transitions);
- `move_shipment`: a shipment's `status`, likewise, saved with its event;
- `refresh_payment_status`: an order's `payment_status`, derived from its recorded
  transactions (`orders.transitions.payment_status` over `orders.selectors.transaction_sums`),
  for every order past the cart (a cart is `unpaid`: nothing is recorded before `_place`);
- `save_order`: saves the order with its `fulfillment_status` derived from its shipments.

Each stamps its `*_at`. They run under the order's row lock, in the caller's transaction.
"""

from django.utils import timezone

from commerce.events import emit_event
from commerce.services import write_record
from orders.models import Order, Shipment
from orders.selectors import transaction_sums
from orders.transitions import (
    ORDER_STAMPS,
    fulfillment_status,
    next_order_status,
    next_shipment_status,
    payment_covers,
    payment_status,
)

_NO_SUMS = {"authorized": 0, "captured": 0, "voided": 0, "refunded": 0}


def move_order(order: Order, trigger: str) -> str:
    """Apply one move of the order table (not saved: the caller saves the order with the rest
    of what its trigger changed)."""
    order.status = next_order_status(order.status, trigger)
    stamp = ORDER_STAMPS.get(trigger)
    if stamp is not None:
        setattr(order, stamp, timezone.now())
    return order.status


def move_shipment(shipment: Shipment, trigger: str) -> Shipment:
    """Apply one move of the shipment table, stamping its `<status>_at`."""
    shipment.status = next_shipment_status(shipment.status, trigger)
    stamp = f"{shipment.status}_at"
    if hasattr(shipment, stamp):
        setattr(shipment, stamp, timezone.now())
    write_record(shipment)
    emit_event(f"shipments.{trigger}", shipment, status=shipment.status)
    return shipment


def move_order_shipments(order: Order, trigger: str, *, from_statuses: tuple) -> None:
    for shipment in order.shipments.all():
        if shipment.status in from_statuses:
            move_shipment(shipment, trigger)


def refresh_payment_status(order: Order, *, nothing_recorded: bool = False) -> str:
    """The order's `payment_status` from the sums of its succeeded transactions (read here, or
    none when the caller knows there are none: placing a free order authorizes nothing), kept
    on the order for `payment_covered` in the same request."""
    sums = dict(_NO_SUMS) if nothing_recorded else transaction_sums(order)
    order._payment_sums = sums
    status = payment_status(total=order.total_amount_with_taxes_cents, **sums)
    if status != order.payment_status:
        order.payment_status = status
        order.payment_updated_at = timezone.now()
    return status


def ready_to_fulfil(order: Order) -> bool:
    """An order's shipments go to picking once it is approved and its payment covers it."""
    return order.status == "approved" and payment_covered(order)


def payment_covered(order: Order) -> bool:
    """Whether the order's payment covers it (`orders.transitions.payment_covers`), from the
    sums `refresh_payment_status` read in this request, else read now."""
    sums = getattr(order, "_payment_sums", None)
    if sums is None:
        sums = order._payment_sums = transaction_sums(order)
    return payment_covers(total=order.total_amount_with_taxes_cents, **sums)


def save_order(order: Order, shipments=None) -> Order:
    """Save the order with its fulfillment status following its shipments (`shipments`: the
    caller has them in hand)."""
    statuses = [s.status for s in (order.shipments.all() if shipments is None else shipments)]
    status = fulfillment_status(order.fulfillment_status, order.skus_count, statuses)
    if status != order.fulfillment_status:
        order.fulfillment_status = status
        order.fulfillment_updated_at = timezone.now()
    write_record(order)
    return order
