"""The `bundles` resource (catalog.md "Bundles"), registered on import (markets/apps.py).

Integration tokens write them; sales channels and customers list and read the bundles of their
market or of none (auth.md). A bundle's SKUs are its list's, in the list's order, at
`bundles/{id}/skus`; its derived attributes read its list's items with their SKUs, prefetched
with the bundles of a document.
"""

from django.db.models import Q

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from markets import bundle_services as services
from markets.bundle_serializers import BundleSerializer
from markets.models import Bundle
from markets.views import SKU_LIST_SKUS, list_skus_document

LIST_AND_READ = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}


@register
class BundleResource(ResourceView):
    resource_type = "bundles"
    model = Bundle
    serializer_class = BundleSerializer
    access = LIST_AND_READ
    select_related = ("market__price_list", "sku_list")
    # What `do_not_ship`, `do_not_track` and `skus_count` read: the list's items and their
    # SKUs, for every bundle of a document at once (an include of `skus` reads them too).
    prefetch_related = ("sku_list__sku_list_items__sku",)
    triggers = TriggerSet(
        Trigger("_compute_price_amount", services.compute_price_amount, kinds=INTEGRATION_ONLY),
        Trigger(
            "_compute_compare_at_amount",
            services.compute_compare_at_amount,
            kinds=INTEGRATION_ONLY,
        ),
    )
    relationships_map = {
        "market": Rel("markets", create="optional"),
        # Locked as the bundle is made from it: its items can't change meanwhile.
        "sku_list": Rel("sku_lists", create="required", lock=True),
        "skus": SKU_LIST_SKUS,
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(Q(market__isnull=True) | Q(market__id__in=ctx.market_ids or ()))

    def create_resource(self, values, ctx):
        return services.create_bundle(**values)

    def update_resource(self, instance, values, ctx):
        return services.update_bundle(instance, values) if values else instance

    def related_document(self, pk, name) -> dict:
        """`bundles/{id}/skus` lists the list's SKUs in its order (position); a `sort` still
        wins."""
        if name != "skus":
            return super().related_document(pk, name)
        self.check_action("retrieve")
        return list_skus_document(self, self.get_object(pk))
