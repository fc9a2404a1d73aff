"""JSON:API resources of the markets' catalog: price volume tiers, their read-only `price_tiers`
list, and SKU options (catalog.md). Registered on import (markets/apps.py).

Sales channels and customers read the tiers of their market's price list (auth.md: "prices of
its market's price list (with their tiers)") and the SKU options of their market or of none;
integration tokens write them. The SKU relationships computed here (`sku_lists`,
`sku_options`) are declared on the skus resource (markets/views.py).
"""

from django.db.models import Prefetch, Q

from catalog.models import SkuList, SkuListItem
from catalog.selectors import regex_matches
from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.services import create_record
from inventory.models import Sku
from markets import catalog_serializers as s
from markets import catalog_services as services
from markets.models import PriceList, PriceVolumeTier, SkuOption

LIST_AND_READ = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}


def _of_price_lists_in_reach(ctx) -> Q:
    """Tiers of the prices of the token's markets' price lists (PriceResource's reach)."""
    lists = PriceList.objects.filter(markets__id__in=ctx.market_ids or ())
    return Q(price__price_list__in=lists)


class PriceTierResourceBase(ResourceView):
    model = PriceVolumeTier
    access = LIST_AND_READ
    select_related = ("price__price_list",)

    @classmethod
    def scope(cls, qs, ctx):
        return qs if ctx.is_integration else qs.filter(_of_price_lists_in_reach(ctx))


@register
class PriceVolumeTierResource(PriceTierResourceBase):
    """Up to 5 per price, one per `up_to` (null included): catalog_services checks both under
    the price's row lock (taken first on every write)."""

    resource_type = "price_volume_tiers"
    serializer_class = s.PriceVolumeTierSerializer
    locked_through = "price"
    relationships_map = {"price": Rel("prices", create="required", update=True, lock=True)}

    def create_resource(self, values, ctx):
        return services.create_volume_tier(**values)

    def update_resource(self, instance, values, ctx):
        return services.update_volume_tier(instance, values) if values else instance


@register
class PriceTierResource(PriceTierResourceBase):
    """Read-only list of a price's tiers, whatever their kind (volume tiers only here: frequency
    tiers are out of scope). As the `promotions` list does, it answers with its own type;
    relationships to a tier name its kind (`price_volume_tiers`)."""

    resource_type = "price_tiers"
    serializer_class = s.PriceTierSerializer
    ops = frozenset({"list", "retrieve"})
    relationships_map = {"price": Rel("prices")}


@register
class SkuOptionResource(ResourceView):
    resource_type = "sku_options"
    model = SkuOption
    serializer_class = s.SkuOptionSerializer
    access = LIST_AND_READ
    select_related = ("market__price_list",)
    relationships_map = {"market": Rel("markets", create="optional", update=True)}

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(Q(market__isnull=True) | Q(market__id__in=ctx.market_ids or ()))

    def create_resource(self, values, ctx):
        return create_record(SkuOption, values)


# --- a SKU's computed relationships (declared on SkuResource) --------------------------------

# A SKU's items, each with its list: what `sku_lists_of` reads of manual lists when included.
SKU_LIST_ITEMS = Prefetch("sku_list_items", queryset=SkuListItem.objects.select_related("sku_list"))


def sku_lists_of(sku: Sku) -> list[SkuList]:
    """The lists holding a SKU: the manual ones it has an item in, and the automatic ones whose
    regex matches its code (read and matched here, one query), oldest first."""
    items = (
        sku.sku_list_items.all()
        if sku.is_prefetched("sku_list_items")
        else SkuListItem.objects.filter(sku=sku).select_related("sku_list")
    )
    lists = [item.sku_list for item in items if item.sku_list.manual]
    automatic = SkuList.objects.exclude(sku_code_regex__isnull=True).exclude(sku_code_regex="")
    lists += [sl for sl in automatic if regex_matches(sl.sku_code_regex, sku.code)]
    return sorted(lists, key=lambda sl: (sl.created_at, sl.pk))


def sku_options_of(sku: Sku) -> list[SkuOption]:
    """The options a SKU's lines may carry: those whose regex matches its code (none: any), of
    every market (the related endpoint keeps the caller's reach)."""
    options = SkuOption.objects.select_related("market__price_list").order_by("created_at", "id")
    return [o for o in options if not o.sku_code_regex or regex_matches(o.sku_code_regex, sku.code)]
