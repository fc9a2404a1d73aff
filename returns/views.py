"""JSON:API resources of returns (aftersale.md §3, §6): returns, their line items, and the
inventory models' return locations. They parse and call the services of returns.services.

Who may do what (§6): an integration token everything; a sales channel nothing (401); a
customer its own orders' returns: create, read, list, their line items while draft, `_request`
and `_cancel` (draft or requested only); any other trigger is a 400 PARAM_NOT_ALLOWED, another
customer's return a 404 (out of reach). Return locations and `_reset_restocked_quantity` are the
integration's alone.
"""

from commerce.exceptions import param_not_allowed
from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from orders.views.reach import OWN_ORDERS, reachable_orders
from returns import serializers as s
from returns.locks import RETURN_LOCK_RELATED
from returns.models import InventoryReturnLocation, Return, ReturnLineItem
from returns.services import line_items, refunds, stock
from returns.services import returns as return_services

OWN_ORDERS_ACCESS = {
    "list": OWN_ORDERS,
    "retrieve": OWN_ORDERS,
    "create": OWN_ORDERS,
    "update": OWN_ORDERS,
    "delete": INTEGRATION_ONLY,
}


def _own_orders(qs, ctx, path):
    """The orders' reach (orders.views.reach) for the integration and customers; none for a
    sales channel, whose includes of an order's returns are empty (§6: 401 on returns)."""
    if not (ctx.is_integration or ctx.is_customer):
        return qs.none()
    return reachable_orders(qs, ctx, path)


def _operator(name, handler, **options):
    return Trigger(name, handler, kinds=INTEGRATION_ONLY, on_create=False, **options)


# In the table's order (aftersale.md §3: "Triggers of one PATCH run in table order").
RETURN_TRIGGERS = TriggerSet(
    Trigger("_request", return_services.request_return, kinds=OWN_ORDERS, on_create=False),
    _operator("_approve", return_services.approve_return),
    Trigger("_cancel", return_services.cancel_return, kinds=OWN_ORDERS, on_create=False),
    _operator("_ship", return_services.ship_return),
    _operator("_receive", return_services.receive_return),
    _operator("_reject", return_services.reject_return),
    # Read by `_refund` (with_params); alone it asks for nothing.
    _operator("_refund_amount_cents", lambda ret, value, *, ctx: ret, value=int),
    _operator("_refund", refunds.refund_return, with_params=True),
    _operator("_restock", stock.restock_return),
    _operator("_archive", return_services.archive_return),
    _operator("_unarchive", return_services.unarchive_return),
)


@register
class ReturnResource(ResourceView):
    resource_type = "returns"
    model = Return
    serializer_class = s.ReturnSerializer
    access = OWN_ORDERS_ACCESS
    delete_refusals = (422,)  # only a draft is deleted
    locked_through = "order"
    lock_related = RETURN_LOCK_RELATED
    triggers = RETURN_TRIGGERS
    relationships_map = {
        "order": Rel("orders", create="required"),
        "customer": Rel("customers"),
        "stock_location": Rel("stock_locations", create="optional", update=True),
        "origin_address": Rel("addresses", through_parent=True),
        "destination_address": Rel("addresses", through_parent=True),
        "reference_capture": Rel("captures", create="optional", update=True),
        "reference_refund": Rel("refunds"),
        "return_line_items": Rel("return_line_items", many=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return _own_orders(qs, ctx, "order")

    def parse_write(self, data, *, instance):
        if not self.ctx.is_integration and "reference_capture" in (data.get("relationships") or {}):
            # Which capture pays a refund back is the back office's (aftersale.md §6).
            raise param_not_allowed(
                "reference_capture", pointer="/data/relationships/reference_capture"
            )
        return super().parse_write(data, instance=instance)

    def create_resource(self, values, ctx):
        return return_services.create_return(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return return_services.update_return(instance, values, ctx=ctx)

    def delete_resource(self, instance, ctx):
        return_services.delete_return(instance, ctx=ctx)


@register
class ReturnLineItemResource(ResourceView):
    resource_type = "return_line_items"
    model = ReturnLineItem
    serializer_class = s.ReturnLineItemSerializer
    access = {**OWN_ORDERS_ACCESS, "delete": OWN_ORDERS}
    delete_refusals = (422,)  # the return is past the state its lines may change in
    triggers = TriggerSet(
        _operator("_restock", stock.restock_return_line_item),
        _operator("_reset_restocked_quantity", stock.reset_restocked_quantity),
    )
    relationships_map = {
        "return": Rel("returns", source="return_record", create="required"),
        "line_item": Rel("line_items", create="required"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return _own_orders(qs, ctx, "return_record__order")

    def get_object(self, pk, *, for_update=False, **kwargs):
        # A write's row is read within reach without its lock: the service locks the order,
        # the return, then the row (returns.locks), the global lock order.
        return super().get_object(pk, **kwargs)

    def create_resource(self, values, ctx):
        return line_items.create_return_line_item(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return line_items.update_return_line_item(instance, values, ctx=ctx)

    def delete_resource(self, instance, ctx):
        line_items.delete_return_line_item(instance, ctx=ctx)


@register
class InventoryReturnLocationResource(ResourceView):
    resource_type = "inventory_return_locations"
    model = InventoryReturnLocation
    serializer_class = s.InventoryReturnLocationSerializer
    relationships_map = {
        "stock_location": Rel("stock_locations", create="required", update=True),
        "inventory_model": Rel("inventory_models", create="required", update=True),
    }
