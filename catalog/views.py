"""The catalog's resources: sku_lists and sku_list_items (registered on import).

Integration tokens do everything; sales channels and customers list and read them (a storefront
shows "the list"). A list's SKUs are its items' by position, or those its regex matches by
code (catalog.selectors.list_skus), at `sku_lists/{id}/skus`.
"""

from django.db.models import Prefetch

from catalog import serializers as s
from catalog import services
from catalog.models import SkuList, SkuListItem
from catalog.selectors import list_skus
from commerce.jsonapi.registry import register, registry
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView

LIST_AND_READ_ALL = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}


def list_members(sku_list: SkuList) -> list:
    """The list's SKUs (an include of `skus`): a manual list's from its items when they came
    with it (prefetched), else as catalog.selectors reads them (an automatic list's always:
    its regex is matched over every code)."""
    if sku_list.manual and sku_list.is_prefetched("sku_list_items"):
        items = sorted(
            sku_list.sku_list_items.all(), key=lambda i: (i.position, i.created_at, i.pk)
        )
        return [item.sku for item in items]
    return list(list_skus(sku_list))


@register
class SkuListResource(ResourceView):
    resource_type = "sku_lists"
    model = SkuList
    serializer_class = s.SkuListSerializer
    access = LIST_AND_READ_ALL
    relationships_map = {
        "skus": Rel(
            "skus",
            many=True,
            getter=list_members,
            prefetch=(
                Prefetch("sku_list_items", queryset=SkuListItem.objects.select_related("sku")),
            ),
        ),
        "sku_list_items": Rel("sku_list_items", many=True),
        # The markets app's (above this one), named by type: the bundles made of the list.
        "bundles": Rel("bundles", many=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs

    def update_resource(self, instance, values, ctx):
        return services.update_sku_list(instance, values) if values else instance

    def related_document(self, pk, name) -> dict:
        """`sku_lists/{id}/skus` lists the SKUs in the list's own order (position, or code),
        which a related list read by ids would lose; a `sort` still wins."""
        if name != "skus":
            return super().related_document(pk, name)
        self.check_action("retrieve")
        sku_list = self.get_object(pk)
        skus = registry["skus"]
        query = self.parse(collection=True, resource_type="skus")
        rows = skus.scope(list_skus(sku_list), self.ctx)
        return self.collection_document(rows, query, resource_cls=skus, related=True)


@register
class SkuListItemResource(ResourceView):
    resource_type = "sku_list_items"
    model = SkuListItem
    serializer_class = s.SkuListItemSerializer
    access = LIST_AND_READ_ALL
    # Its list too: a SKU's `sku_lists`, read through its items, keep the manual ones only
    # (and a write checks the list's kind).
    select_related = ("sku", "sku_list")
    # A change or a delete locks the list first: its items are frozen while a bundle uses it
    # (catalog.services.check_not_frozen), which a new bundle checks under the same lock.
    locked_through = "sku_list"
    delete_refusals = (422,)  # frozen
    filter_aliases = {"sku_code": "sku__code"}
    code_references = {"sku_code": ("sku", "code")}
    relationships_map = {
        # Locked as a new item joins it: the list's kind, its SKUs and its last position hold.
        "sku_list": Rel("sku_lists", create="required", lock=True),
        "sku": Rel("skus", create="required"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs

    def create_resource(self, values, ctx):
        return services.add_sku_list_item(**values)

    def update_resource(self, instance, values, ctx):
        return services.update_sku_list_item(instance, values) if values else instance

    def delete_resource(self, instance, ctx):
        services.remove_sku_list_item(instance)
