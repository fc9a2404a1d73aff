"""Shipment triggers: a client picks a shipment's method (`update_shipment`), an operator moves
a shipment along (`operator_move`). The order drives the other moves (draft -> upcoming ->
picking, the cancellations) through orders.services.statuses."""

from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError
from commerce.services import answer_as_read, write_fields, write_record
from markets.models import ShippingMethod
from orders.locks import lock_order
from orders.models import Shipment
from orders.services.parcels import check_fully_packed
from orders.services.planning import method_available
from orders.services.shipping_costs import ShippingContext
from orders.services.statuses import move_shipment, ready_to_fulfil, save_order
from orders.services.totals import refresh_figures, same_record
from orders.transitions import (
    FULFILLMENT_TRIGGERS,
    SHIPMENT_TARGETS,
    is_cart,
)


def set_shipping_method(
    shipment: Shipment,
    method: ShippingMethod | None,
    *,
    ctx=None,
    shipping: ShippingContext | None = None,
) -> Shipment:
    """A client picks a shipment's method; it must be available for that shipment
    (planning.method_available) and is then the client's choice (`shipping_method_chosen`),
    which the backend never replaces (shipping.md "Which method a shipment carries"). None
    gives the choice back: the shipment is the backend's to fill again, which the refresh
    that follows does (the market's default when available, else the first available). An
    operator may change it while editing the order (aftersale.md §1). `shipping`: the
    refresh's shipping reads, shared."""
    order = shipment.order
    editing = order.status == "editing" and ctx is not None and ctx.is_integration
    if not (is_cart(order.status) or editing):
        raise ValidationError(
            "shipping_method",
            f"can't be changed once the order is {order.status}",
            error="frozen",
            relationship=True,
        )
    if shipping is None:
        shipping = ShippingContext(order.market_id, order=order)
    # The method as the relationship read it: what `available_shipping_methods` would say of
    # it, without reading the market's others.
    if method is not None and not method_available(order, shipment, method, shipping):
        raise ValidationError(
            "shipping_method",
            "is not available for this shipment",
            error="invalid",
            relationship=True,
        )
    shipment.shipping_method = method
    shipment.shipping_method_chosen = method is not None
    write_fields(shipment, ["shipping_method", "shipping_method_chosen", "updated_at"])
    return shipment


# Operators' triggers. The order drives draft -> upcoming -> picking and the cancellations;
# these are the moves an operator asks for, guarded as inventory.md says.
def operator_move(shipment: Shipment, trigger: str) -> Shipment:
    order = lock_order(shipment.order)
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment.pk)
    ready = ready_to_fulfil(order)
    if shipment.status == "draft" or trigger == "cancel":
        # Draft shipments go upcoming when their order is placed, and shipments are cancelled
        # with their order: neither is an operator's move (inventory.md "Shipments").
        raise InvalidTransition(
            shipment.status,
            SHIPMENT_TARGETS.get(trigger, trigger),
            message="shipments are placed and cancelled with their order",
        )
    if trigger in FULFILLMENT_TRIGGERS and not ready:
        raise ValidationError(
            "status", "the order must be approved and its payment cover it first", error="not_ready"
        )
    if trigger == "upcoming" and ready:
        raise ValidationError("status", "the order is ready: use _picking", error="invalid")
    if trigger == "ship" and shipment.status == "ready_to_ship":
        # A shipment with parcels ships only when fully packed (shipping.md), checked under
        # the shipment's lock, which every parcel write takes too.
        check_fully_packed(shipment)
    move_shipment(shipment, trigger)
    save_order(order)
    return shipment


def update_shipment(shipment: Shipment, values: dict, *, ctx) -> Shipment:
    """`shipment.order` read under its row lock (ShipmentResource.locked_through)."""
    order = shipment.order
    changed = sorted(values)
    shipping = ShippingContext(order.market_id, order=order)

    if changed:
        # Emitted before the writes, so that the shipment's UPDATE carries it (its generic
        # update merges into it); a refused write records nothing, the request's events with it.
        method = (
            values["shipping_method"] if "shipping_method" in values else shipment.shipping_method
        )
        emit_event(
            "shipments.update",
            shipment,
            changed=changed,
            shipping_method=method.public_id if method else None,
        )
    if "shipping_method" in values:
        set_shipping_method(shipment, values.pop("shipping_method"), ctx=ctx, shipping=shipping)
    for name, value in values.items():
        setattr(shipment, name, value)
    if values:
        write_record(shipment)
    _, shipments = refresh_figures(order, reship=False, shipping=shipping, stock_line_items=True)
    shipment = same_record(shipment, shipments)
    # Its answer shows them as the refresh read them (its `skus_count`): nothing wrote them.
    answer_as_read(shipment, "stock_line_items")
    return shipment
