"""Customers' wallets (payments.md "Customer payment sources"): integration tokens see and
change every entry; a customer lists, reads, creates and deletes its own (another's is a 404);
a sales channel none (401)."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from orders import serializers as s
from orders.models import CustomerPaymentSource
from orders.services.wallet import create_entry, update_entry

_OWNERS = frozenset({"integration", "customer"})


@register
class CustomerPaymentSourceResource(ResourceView):
    resource_type = "customer_payment_sources"
    model = CustomerPaymentSource
    serializer_class = s.CustomerPaymentSourceSerializer
    access = {
        "list": _OWNERS,
        "retrieve": _OWNERS,
        "create": _OWNERS,
        "update": INTEGRATION_ONLY,
        "delete": _OWNERS,
    }
    select_related = ("customer", "payment_method")
    relationships_map = {
        "customer": Rel("customers", create="required", update=True),
        "payment_method": Rel("payment_methods", create="optional", update=True),
        "payment_source": Rel(
            ("wire_transfers", "stripe_payments", "external_payments"),
            create="optional",
            update=True,
            type_of=lambda source: source.kind,
        ),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(customer_id=ctx.customer_id) if ctx.is_customer else qs.none()

    def allows_target(self, name, target):
        # A customer names itself, and payments of its own orders (their scope: auth.md).
        if name == "customer" and not self.ctx.is_integration:
            return target.pk == self.ctx.customer_id
        return True

    def create_resource(self, values, ctx):
        return create_entry(values)

    def update_resource(self, instance, values, ctx):
        return update_entry(instance, values)
