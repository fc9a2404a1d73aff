"""The shipping weight tier resources (shipping.md "What a method costs for a shipment",
"Access and events"), registered on import (markets/apps.py): `shipping_weight_tiers` (written
by integration tokens, through markets.shipping_tier_services) and `shipping_method_tiers`, the
read-only list of the same rows as their own type.

Sales channels and customers neither list nor read them by id (401): they read a method's tiers
through the methods they can read, with its `shipping_weight_tiers` / `shipping_method_tiers`
relationships (include, related endpoints; declared on shipping_methods in markets/views.py
from TIER_RELATIONSHIP here). Those list a method's tiers by `up_to`, null last, then by id; as
price tiers do, a relationship to a tier names its kind (`shipping_weight_tiers`).
"""

from django.db.models import F, Prefetch

from commerce.jsonapi.registry import register, registry
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ResourceView
from markets import shipping_tier_services as services
from markets.models import ShippingWeightTier
from markets.shipping_tier_serializers import (
    ShippingMethodTierSerializer,
    ShippingWeightTierSerializer,
)

BY_UP_TO = (F("up_to").asc(nulls_last=True), "id")


class ShippingTierResourceBase(ResourceView):
    model = ShippingWeightTier
    # `price_amount` is in the method's currency, read with it.
    select_related = ("shipping_method__market__price_list",)


@register
class ShippingWeightTierResource(ShippingTierResourceBase):
    resource_type = "shipping_weight_tiers"
    serializer_class = ShippingWeightTierSerializer
    locked_through = "shipping_method"
    relationships_map = {"shipping_method": Rel("shipping_methods", create="required", update=True)}

    def create_resource(self, values, ctx):
        return services.create_weight_tier(**values)

    def update_resource(self, instance, values, ctx):
        return services.update_weight_tier(instance, values) if values else instance

    def delete_resource(self, instance, ctx):
        services.delete_weight_tier(instance)


@register
class ShippingMethodTierResource(ShippingTierResourceBase):
    resource_type = "shipping_method_tiers"
    serializer_class = ShippingMethodTierSerializer
    ops = frozenset({"list", "retrieve"})
    relationships_map = {"shipping_method": Rel("shipping_methods")}


def tiers_by_up_to(method) -> list[ShippingWeightTier]:
    """A method's tiers by `up_to`, null last, then by id."""
    if method.is_prefetched("shipping_weight_tiers"):
        tiers = method.shipping_weight_tiers.all()
        return sorted(tiers, key=lambda t: (t.up_to is None, t.up_to or 0, t.pk))
    return list(ShippingWeightTier.objects.filter(shipping_method=method).order_by(*BY_UP_TO))


# A shipping method's `shipping_weight_tiers` and `shipping_method_tiers` (one read for both).
TIER_RELATIONSHIP = Rel(
    "shipping_weight_tiers",
    many=True,
    getter=tiers_by_up_to,
    prefetch=(Prefetch("shipping_weight_tiers", queryset=ShippingWeightTier.objects.all()),),
    through_parent=True,
)
TIER_RELATIONSHIP_NAMES = ("shipping_weight_tiers", "shipping_method_tiers")


def tiers_document(view, pk: str) -> dict:
    """`shipping_methods/<id>/shipping_weight_tiers` (or `shipping_method_tiers`): the method's
    tiers by `up_to`, null last (a `sort` still wins), for whoever may read the method."""
    view.check_action("retrieve")
    method = view.get_object(pk)
    target = registry["shipping_weight_tiers"]
    query = view.parse(collection=True, resource_type=target.resource_type)
    rows = target.base_queryset().filter(shipping_method=method).order_by(*BY_UP_TO)
    return view.collection_document(rows, query, resource_cls=target, related=True)
