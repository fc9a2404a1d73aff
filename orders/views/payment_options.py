"""Payment options (payments.md): gateway-specific data of an order's payment, reached through
the order like its line items."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, ResourceView
from orders import serializers as s
from orders.models import PaymentOption
from orders.services import payment_options
from orders.views.reach import NO_LIST, reachable_orders


@register
class PaymentOptionResource(ResourceView):
    resource_type = "payment_options"
    model = PaymentOption
    serializer_class = s.PaymentOptionSerializer
    access = {**NO_LIST, "delete": ALL_KINDS}
    delete_refusals = (422,)  # the order is no longer a cart
    locked_through = "order"
    select_related = ("order",)
    relationships_map = {"order": Rel("orders", create="required", lock=True)}

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def create_resource(self, values, ctx):
        return payment_options.create_payment_option(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return payment_options.update_payment_option(instance, values, ctx=ctx)

    def delete_resource(self, instance, ctx):
        payment_options.delete_payment_option(instance, ctx=ctx)
