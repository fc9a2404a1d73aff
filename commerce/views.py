"""JSON:API resources of the shared kernel: addresses."""

from django.db.models import Q

from commerce.jsonapi.registry import register
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.models import Address
from commerce.serializers import AddressSerializer
from commerce.services import create_record


@register
class AddressResource(ResourceView):
    """Integration tokens manage every address. Storefronts create addresses and reach, by id,
    those no customer owns (the id is the key, as for guest orders); a customer also reaches
    its own (auth.md's addresses row)."""

    resource_type = "addresses"
    model = Address
    serializer_class = AddressSerializer
    access = {
        "list": frozenset({"integration", "customer"}),
        "retrieve": ALL_KINDS,
        "create": ALL_KINDS,
        "update": ALL_KINDS,
        "delete": INTEGRATION_ONLY,
    }

    answers_from_write = True

    # Further limits on what a storefront reaches, `rule(queryset, ctx) -> queryset`, added by
    # the apps that link addresses to their records (orders: not an order's out of reach).
    reach_rules: list = []

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        if ctx.is_customer:
            return cls.apply_reach_rules(qs.filter(owner_customer_id=ctx.customer_id), ctx)
        return cls.apply_reach_rules(qs.filter(owner_customer_id__isnull=True), ctx)

    @classmethod
    def apply_reach_rules(cls, qs, ctx):
        for rule in cls.reach_rules:
            qs = rule(qs, ctx)
        return qs

    def get_object(self, pk, **kwargs):
        # A customer also reaches unowned addresses by id (e.g. its guest checkout's).
        if self.ctx.is_customer:
            reachable = Address.objects.filter(
                Q(owner_customer_id=self.ctx.customer_id) | Q(owner_customer_id__isnull=True),
                public_id=str(pk)[:64],
            )
            instance = self.apply_reach_rules(reachable, self.ctx).first()
            if instance is not None:
                return instance
        return super().get_object(pk, **kwargs)

    def create_resource(self, values, ctx):
        owner = ctx.customer_id if ctx.is_customer else None
        return create_record(Address, {**values, "owner_customer_id": owner})
