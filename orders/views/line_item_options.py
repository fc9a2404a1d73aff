"""Line item options (catalog.md "SKU options"): SKU options chosen on a cart's sku lines, within
the reach of the order's line items (auth.md: "line_items (and their line_item_options)")."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, ResourceView
from orders import serializers as s
from orders.models import LineItemOption
from orders.services import options
from orders.views.reach import NO_LIST, reachable_orders


@register
class LineItemOptionResource(ResourceView):
    resource_type = "line_item_options"
    model = LineItemOption
    serializer_class = s.LineItemOptionSerializer
    # As line items: storefronts change the carts they reach, the service refuses once placed.
    access = {**NO_LIST, "delete": ALL_KINDS}
    delete_refusals = (422,)  # the order is no longer a cart
    select_related = ("line_item__order", "sku_option")  # currency_code, delay_hours
    answers_from_write = True
    filter_aliases = {
        "currency_code": "line_item__order__currency_code",
        "delay_hours": "sku_option__delay_hours",
    }
    relationships_map = {
        "line_item": Rel("line_items", create="required"),
        "sku_option": Rel("sku_options", create="required", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "line_item__order")

    def get_object(self, pk, *, for_update=False, **kwargs):
        # A write's row is read within reach without a lock: the service locks the order, then
        # reads the row again (orders.services.options), the global lock order.
        return super().get_object(pk, **kwargs)

    def create_resource(self, values, ctx):
        return options.create_line_item_option(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return options.update_line_item_option(instance, values, ctx=ctx)

    def delete_resource(self, instance, ctx):
        options.delete_line_item_option(instance, ctx=ctx)
