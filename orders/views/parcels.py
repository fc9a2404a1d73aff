"""Parcels and parcel line items (shipping.md "Packages, parcels, parcel line items", "Access
and events"): they parse and call orders.services.parcels.

Integration tokens list, read and write them. Sales channels and customers read them, and the
package of a parcel, through the shipments of the orders they reach (orders.views.reach):
`shipments/<id>?include=parcels.parcel_line_items`, `shipments/<id>/parcels`,
`parcels/<id>/package` and the like, and a parcel or a line item by id within that reach
(another order's is a 404); listing them or writing is a 401, so shoppers see tracking and
nothing else of the back office.
"""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from orders.models import Parcel, ParcelLineItem
from orders.parcel_serializers import ParcelLineItemSerializer, ParcelSerializer
from orders.services import parcels as services
from orders.views.reach import reachable_orders

THROUGH_ORDERS = {
    "list": INTEGRATION_ONLY,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}


class UnlockedWriteMixin:
    """A write's row is read within reach without its lock: the service locks the order, the
    shipment, then reads the row (orders.locks.lock_shipment), the global lock order."""

    def get_object(self, pk, *, for_update=False, **kwargs):
        return super().get_object(pk, **kwargs)


@register
class ParcelResource(UnlockedWriteMixin, ResourceView):
    resource_type = "parcels"
    model = Parcel
    serializer_class = ParcelSerializer
    access = THROUGH_ORDERS
    delete_refusals = (422,)  # the shipment is past the statuses its parcels change in
    relationships_map = {
        # Settable on update as the typings say; another shipment is a 422 (the service).
        "shipment": Rel("shipments", create="required", update=True, through_parent=True),
        "package": Rel("packages", create="required", update=True, through_parent=True),
        "parcel_line_items": Rel("parcel_line_items", many=True, through_parent=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "shipment__order")

    def create_resource(self, values, ctx):
        return services.create_parcel(values=values)

    def update_resource(self, instance, values, ctx):
        return services.update_parcel(instance, values)

    def delete_resource(self, instance, ctx):
        services.delete_parcel(instance)


@register
class ParcelLineItemResource(UnlockedWriteMixin, ResourceView):
    resource_type = "parcel_line_items"
    model = ParcelLineItem
    serializer_class = ParcelLineItemSerializer
    access = THROUGH_ORDERS
    delete_refusals = (422,)
    relationships_map = {
        "parcel": Rel("parcels", create="required", through_parent=True),
        "stock_line_item": Rel("stock_line_items", create="required", through_parent=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "parcel__shipment__order")

    def create_resource(self, values, ctx):
        return services.create_parcel_line_item(values=values)

    def update_resource(self, instance, values, ctx):
        return services.update_parcel_line_item(instance, values)

    def delete_resource(self, instance, ctx):
        services.delete_parcel_line_item(instance)
