"""Shipments, their stock line items, and the stock reservations that hold their units."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.models import Address
from commerce.triggers import Trigger, TriggerSet
from inventory.models import StockLocation, StockReservation
from inventory.serializers import StockReservationSerializer
from markets.models import DeliveryLeadTime
from orders import serializers as s
from orders.models import (
    Shipment,
    StockLineItem,
)
from orders.services import parcels as parcel_services
from orders.services import shipments as shipment_services
from orders.views import shipment_methods
from orders.views.orders import OrderResource
from orders.views.reach import NO_LIST, reachable_orders
from orders.views.related import (
    BY_AGE,
    delivery_lead_time,
    levels,
    line_items_at,
    no_stock_transfers,
    origin_address,
    shipment_line_items,
)


def _shipment_trigger(name):
    return Trigger(
        f"_{name}",
        lambda sh, v, *, ctx: shipment_services.operator_move(sh, name),
        kinds=INTEGRATION_ONLY,
        on_create=False,
    )


@register
class ShipmentResource(ResourceView):
    resource_type = "shipments"
    model = Shipment
    serializer_class = s.ShipmentSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY}
    select_related = ("order",)
    locked_through = "order"
    answers_from_write = True
    prefetch_related = ("stock_line_items",)  # skus_count
    triggers = TriggerSet(
        *[
            _shipment_trigger(n)
            for n in (
                "upcoming",
                "on_hold",
                "picking",
                "packing",
                "ready_to_ship",
                "ship",
                "deliver",
                "cancel",
            )
        ],
        # Carrier integrations are out of scope (shipping.md): a 422 on `base`, not a 400.
        Trigger("_get_rates", parcel_services.refuse_carrier_trigger, on_create=False),
        Trigger("_purchase", parcel_services.refuse_carrier_trigger, on_create=False),
    )
    relationships_map = {
        "order": Rel("orders"),
        "shipping_category": Rel("shipping_categories"),
        "inventory_stock_location": Rel("inventory_stock_locations"),
        "stock_location": Rel("stock_locations", through_parent=True),
        "origin_address": Rel(
            "addresses",
            getter=origin_address,
            prefetch=levels(
                ("stock_location", StockLocation.objects.all()),
                ("stock_location__address", Address.objects.all()),
            ),
            through_parent=True,
        ),
        "shipping_address": Rel(
            "addresses",
            getter=lambda sh: sh.order.shipping_address,
            prefetch=("order__shipping_address",),
            through_parent=True,
        ),
        # Each method shows its price for the shipment (orders.views.shipment_methods).
        "shipping_method": Rel(
            "shipping_methods", update=True, reached=shipment_methods.carried_method_reached
        ),
        "delivery_lead_time": Rel(
            "delivery_lead_times",
            getter=delivery_lead_time,
            prefetch=levels(
                ("stock_location", StockLocation.objects.all()),
                ("stock_location__delivery_lead_times", DeliveryLeadTime.objects.order_by(*BY_AGE)),
            ),
            through_parent=True,
        ),
        "stock_line_items": Rel("stock_line_items", many=True, through_parent=True),
        # What shoppers see of the packing (tracking), with the parcels' line items and
        # packages (orders.views.parcels).
        "parcels": Rel("parcels", many=True, through_parent=True),
        "stock_transfers": Rel("stock_transfers", many=True, getter=no_stock_transfers),
        "line_items": Rel(
            "line_items",
            many=True,
            getter=shipment_line_items,
            prefetch=levels(
                # With their SKUs, which available_shipping_methods weighs (the same level).
                ("stock_line_items", StockLineItem.objects.select_related("sku").order_by(*BY_AGE)),
                *line_items_at("stock_line_items__line_item"),
            ),
            through_parent=True,
        ),
        "available_shipping_methods": Rel(
            "shipping_methods",
            many=True,
            getter=shipment_methods.available_methods,
            prefetch=shipment_methods.AVAILABLE_METHODS_READS,
            through_parent=True,
        ),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def update_resource(self, instance, values, ctx):
        return shipment_services.update_shipment(instance, values, ctx=ctx)

    def related_document(self, pk, name) -> dict:
        """A shipment's methods carry their price for it (orders.views.shipment_methods)."""
        if name in shipment_methods.RELATIONSHIPS:
            return shipment_methods.methods_document(self, pk, name)
        return super().related_document(pk, name)


@register
class StockLineItemResource(ResourceView):
    resource_type = "stock_line_items"
    model = StockLineItem
    serializer_class = s.StockLineItemSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY, "update": INTEGRATION_ONLY}
    ops = frozenset({"list", "retrieve"})
    select_related = ("line_item", "sku")  # a bundle component is named as its SKU
    relationships_map = {
        "shipment": Rel("shipments"),
        "line_item": Rel("line_items"),
        "stock_item": Rel("stock_items"),
        "sku": Rel("skus"),
        "stock_reservation": Rel("stock_reservations"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "shipment__order")


@register
class StockReservationResource(ResourceView):
    """Reservations show both sides (stock item and order), so they are served from here."""

    resource_type = "stock_reservations"
    model = StockReservation
    serializer_class = StockReservationSerializer
    ops = frozenset({"list", "retrieve"})
    select_related = ("stock_item",)
    relationships_map = {
        "stock_item": Rel("stock_items"),
        "sku": Rel("skus", getter=lambda r: r.stock_item.sku, prefetch=("stock_item__sku",)),
        "stock_line_item": Rel("stock_line_items"),
        "line_item": Rel(
            "line_items",
            getter=lambda r: _reservation_line(r, "line_item"),
            prefetch=levels(
                ("stock_line_item", StockLineItem.objects.all()),
                *line_items_at("stock_line_item__line_item"),
            ),
        ),
        "order": Rel(
            "orders",
            getter=lambda r: _reservation_line(r, "order"),
            prefetch=levels(
                ("stock_line_item", StockLineItem.objects.all()),
                ("stock_line_item__shipment", Shipment.objects.all()),
                ("stock_line_item__shipment__order", OrderResource.base_queryset()),
            ),
        ),
        "stock_transfer": Rel("stock_transfers"),
    }


def _reservation_line(reservation, what):
    try:
        sli = reservation.stock_line_item
    except StockLineItem.DoesNotExist:
        return None
    return sli.line_item if what == "line_item" else sli.shipment.order
