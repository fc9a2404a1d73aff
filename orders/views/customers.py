"""Customers and their address books."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from commerce.exceptions import param_not_allowed
from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from orders import serializers as s
from orders.models import (
    Customer,
    CustomerAddress,
    CustomerPasswordReset,
    Order,
)
from orders.services import password_resets
from orders.services.customers import create_customer, create_customer_address, update_customer


@register
class CustomerResource(ResourceView):
    resource_type = "customers"
    model = Customer
    serializer_class = s.CustomerSerializer
    access = {
        "list": INTEGRATION_ONLY,
        "retrieve": ALL_KINDS,
        "create": ALL_KINDS,
        "update": ALL_KINDS,
        "delete": INTEGRATION_ONLY,
    }
    relationships_map = {
        "customer_addresses": Rel("customer_addresses", many=True),
        "customer_payment_sources": Rel("customer_payment_sources", many=True),
        "orders": Rel("orders", many=True),
        "returns": Rel("returns", many=True),  # the returns app's resource, by type
        # Set by integration tokens only (auth.md, catalog.md): see parse_write.
        "customer_group": Rel("customer_groups", create="optional", update=True),
    }

    @classmethod
    def base_queryset(cls):
        # A correlated count, not a join with GROUP BY: PATCH locks the row (select_for_update).
        placed = (
            Order.objects.filter(customer=OuterRef("pk"), status__in=("placed", "approved"))
            .order_by()
            .values("customer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Customer.objects.annotate(
            placed_orders_count=Coalesce(Subquery(placed, output_field=IntegerField()), 0)
        )

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        if ctx.is_customer:
            return qs.filter(pk=ctx.customer_id)
        return qs.none()

    def parse_write(self, data, *, instance):
        if not self.ctx.is_integration and "customer_group" in (data.get("relationships") or {}):
            # Who belongs to a group (and so may buy in its private markets) is the back
            # office's: a storefront signing up or a customer editing itself may not say.
            raise param_not_allowed("customer_group", pointer="/data/relationships/customer_group")
        return super().parse_write(data, instance=instance)

    def create_resource(self, values, ctx):
        return create_customer(**values)

    def update_resource(self, instance, values, ctx):
        return update_customer(instance, values)


@register
class CustomerAddressResource(ResourceView):
    resource_type = "customer_addresses"
    model = CustomerAddress
    serializer_class = s.CustomerAddressSerializer
    access = {
        "list": frozenset({"integration", "customer"}),
        "retrieve": frozenset({"integration", "customer"}),
        "create": frozenset({"integration", "customer"}),
        "update": frozenset({"integration", "customer"}),
        "delete": frozenset({"integration", "customer"}),
    }
    select_related = ("customer", "address")
    filter_aliases = {"customer_email": "customer__email"}
    relationships_map = {
        "customer": Rel("customers", create="optional", update=True),
        "address": Rel("addresses", create="required", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(customer_id=ctx.customer_id) if ctx.is_customer else qs.none()

    def create_resource(self, values, ctx):
        return create_customer_address(ctx=ctx, values=values)


@register
class CustomerPasswordResetResource(ResourceView):
    """aftersale.md §5: integration tokens make resets (the token goes out by the application's
    own mail) and read them; whoever holds a reset's id and token sets the password with it."""

    resource_type = "customer_password_resets"
    model = CustomerPasswordReset
    serializer_class = s.CustomerPasswordResetSerializer
    access = {
        "list": INTEGRATION_ONLY,
        "retrieve": INTEGRATION_ONLY,
        "create": INTEGRATION_ONLY,
        "update": ALL_KINDS,
        "delete": INTEGRATION_ONLY,
    }
    # Read here, used by update_resource with the new password (one step, one lock).
    triggers = TriggerSet(
        Trigger(password_resets.TOKEN, lambda reset, v, *, ctx: reset, value=str, on_create=False)
    )
    relationships_map = {"customer": Rel("customers")}
    answers_from_write = True  # the token is in the create's answer only, never stored

    @classmethod
    def scope(cls, qs, ctx):
        return qs  # who may do what is `access`: a storefront reaches a reset by id, to use it

    def parse_write(self, data, *, instance):
        values, trigger_calls = super().parse_write(data, instance=instance)
        self._token = next((v for t, v in trigger_calls if t.name == password_resets.TOKEN), None)
        return values, trigger_calls

    def create_resource(self, values, ctx):
        return password_resets.create_reset(values["customer_email"])

    def update_resource(self, instance, values, ctx):
        return password_resets.reset_password(
            instance, self._token, values.get("customer_password")
        )
