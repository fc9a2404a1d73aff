"""Order copies (aftersale.md §4, reorders): a POST makes a `pending` copy of an order the
caller reaches; the task worker makes the target order (orders.services.copies). Clients poll
the copy."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from orders import serializers as s
from orders.models import OrderCopy
from orders.services.copies import create_copy
from orders.views.reach import OWN_ORDERS, reachable_orders

# aftersale.md §6: integration tokens all; a customer its own orders' copies (without the
# options that place or cancel an order: the serializer's integration-only fields, a 400);
# sales channels none (401).


@register
class OrderCopyResource(ResourceView):
    resource_type = "order_copies"
    model = OrderCopy
    serializer_class = s.OrderCopySerializer
    access = {
        "list": OWN_ORDERS,
        "retrieve": OWN_ORDERS,
        "create": OWN_ORDERS,
        # Nothing of a copy changes but its reference and metadata, an operator's (unconfirmed).
        "update": INTEGRATION_ONLY,
        "delete": INTEGRATION_ONLY,
    }
    delete_refusals = ()
    relationships_map = {
        # Another customer's order is not found (422 on the relationship), as for any order.
        "source_order": Rel("orders", create="required"),
        "target_order": Rel("orders"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        # A copy whose source order is gone is the back office's alone.
        return reachable_orders(qs, ctx, "source_order")

    def create_resource(self, values, ctx):
        return create_copy(values=values)
