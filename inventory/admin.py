"""Django admin of the catalog and stock: SKUs, stock items, stock transfers, inventory models.

(The SKU page gets its prices inline from markets/admin.py: markets depends on inventory.)
Stock quantities change through the inventory services, as over the API: a stock item's
quantity (also edited right in the list) through `update_stock_item`, a stock transfer's status
through `move_stock_transfer` (its triggers are list actions and detail-page buttons).
"""

from django.contrib import admin

from commerce.admin import (
    ResourceAdmin,
    ResourceInline,
    TriggerButtonsMixin,
    run_on_each,
    trigger_action,
)
from inventory import (
    package_admin,  # noqa: F401 (registers the packages' pages)
    services,
)
from inventory.models import (
    InventoryModel,
    InventoryStockLocation,
    ShippingCategory,
    Sku,
    StockItem,
    StockLocation,
    StockReservation,
    StockTransfer,
)
from inventory.transitions import transfer_deletable, transfer_editable


@admin.register(ShippingCategory)
class ShippingCategoryAdmin(ResourceAdmin):
    list_display = ("name", "code", "public_id", "created_at")
    search_fields = ("name", "code", "public_id", "reference")


@admin.register(Sku)
class SkuAdmin(ResourceAdmin):
    list_display = (
        "code",
        "name",
        "shipping_category",
        "weight",
        "unit_of_weight",
        "do_not_ship",
        "do_not_track",
        "public_id",
        "created_at",
    )
    list_select_related = ("shipping_category",)
    search_fields = ("code", "name", "public_id", "reference")
    list_filter = ("shipping_category", "do_not_ship", "do_not_track", "unit_of_weight")
    autocomplete_fields = ("shipping_category",)


@admin.register(StockLocation)
class StockLocationAdmin(ResourceAdmin):
    list_display = ("code", "name", "number", "address", "label_format", "public_id", "created_at")
    list_select_related = ("address",)
    search_fields = ("code", "name", "public_id", "address__city", "reference")
    readonly_fields = (*ResourceAdmin.readonly_fields, "number")
    autocomplete_fields = ("address",)


@admin.register(StockItem)
class StockItemAdmin(ResourceAdmin):
    """Stock per location: on hand (editable in the list), reserved and salable."""

    list_display = (
        "public_id",
        "sku",
        "stock_location",
        "quantity",
        "reserved",
        "salable",
        "updated_at",
    )
    list_editable = ("quantity",)
    list_select_related = ("sku", "stock_location")
    search_fields = (
        "public_id",
        "sku__code",
        "sku__name",
        "stock_location__code",
        "stock_location__name",
    )
    list_filter = ("stock_location",)
    ordering = ("stock_location__code", "sku__code", "id")
    autocomplete_fields = ("sku", "stock_location")

    def get_queryset(self, request):
        return services.with_reserved_and_salable(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), "reserved", "salable")
        # A stock item stays with its SKU and location: a new one is a new row.
        return (*fields, "sku", "stock_location") if obj else fields

    @admin.display(ordering="reserved")
    def reserved(self, obj):
        return getattr(obj, "reserved", None)

    @admin.display(ordering="salable")
    def salable(self, obj):
        return getattr(obj, "salable", None)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if values:
            services.update_stock_item(obj, values)


STOCK_TRANSFER_ACTIONS = {
    "upcoming": "Upcoming (reserve at origin)",
    "on_hold": "Put on hold",
    "picking": "Start picking",
    "in_transit": "In transit",
    "complete": "Complete",
    "cancel": "Cancel",
}


def trigger_stock_transfer(name: str, request, transfer: StockTransfer) -> StockTransfer:
    return services.move_stock_transfer(transfer, name)


class InventoryStockLocationInline(ResourceInline):
    model = InventoryStockLocation
    fields = ("public_id", "stock_location", "priority", "on_hold")
    autocomplete_fields = ("stock_location",)
    ordering = ("priority", "id")


@admin.register(InventoryModel)
class InventoryModelAdmin(ResourceAdmin):
    list_display = (
        "name",
        "strategy",
        "stock_locations_cutoff",
        "stock_reservation_cutoff",
        "manual_stock_decrement",
        "public_id",
        "created_at",
    )
    search_fields = ("name", "public_id", "reference")
    list_filter = ("strategy", "manual_stock_decrement", "put_stock_transfers_on_hold")
    inlines = (InventoryStockLocationInline,)


@admin.register(InventoryStockLocation)
class InventoryStockLocationAdmin(ResourceAdmin):
    list_display = ("public_id", "inventory_model", "stock_location", "priority", "on_hold")
    list_select_related = ("inventory_model", "stock_location")
    search_fields = (
        "public_id",
        "inventory_model__name",
        "stock_location__code",
        "stock_location__name",
    )
    list_filter = ("inventory_model", "on_hold")
    autocomplete_fields = ("inventory_model", "stock_location")


@admin.register(StockReservation)
class StockReservationAdmin(ResourceAdmin):
    list_display = (
        "public_id",
        "stock_item",
        "sku",
        "stock_location",
        "quantity",
        "status",
        "expires_at",
        "created_at",
    )
    list_select_related = ("stock_item__sku", "stock_item__stock_location")
    search_fields = ("public_id", "stock_item__sku__code", "stock_item__stock_location__code")
    list_filter = ("status", "stock_item__stock_location")
    autocomplete_fields = ("stock_item",)

    @admin.display(ordering="stock_item__sku__code")
    def sku(self, obj):
        return obj.stock_item.sku

    @admin.display(ordering="stock_item__stock_location__code")
    def stock_location(self, obj):
        return obj.stock_item.stock_location


@admin.register(StockTransfer)
class StockTransferAdmin(TriggerButtonsMixin, ResourceAdmin):
    """Statuses move only through the triggers (inventory.md), run by `move_stock_transfer`;
    like the API, a transfer under way can't be edited, and can be deleted only when draft,
    completed or cancelled."""

    list_display = (
        "public_id",
        "number",
        "sku",
        "quantity",
        "origin_stock_location",
        "destination_stock_location",
        "status",
        "created_at",
    )
    list_select_related = ("sku", "origin_stock_location", "destination_stock_location")
    search_fields = (
        "public_id",
        "number",
        "sku__code",
        "origin_stock_location__code",
        "destination_stock_location__code",
    )
    list_filter = ("status", "origin_stock_location", "destination_stock_location")
    readonly_fields = (
        *ResourceAdmin.readonly_fields,
        "status",
        "on_hold_at",
        "picking_at",
        "in_transit_at",
        "completed_at",
        "cancelled_at",
        "stock_reservation",
    )
    autocomplete_fields = ("sku", "origin_stock_location", "destination_stock_location")
    actions = [
        trigger_action(
            f"stock_transfer_{name}",
            label,
            lambda request, transfer, name=name: trigger_stock_transfer(name, request, transfer),
        )
        for name, label in STOCK_TRANSFER_ACTIONS.items()
    ]
    trigger_labels = STOCK_TRANSFER_ACTIONS

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not transfer_editable(obj.status):
            fields = (*fields, "sku", "quantity", "origin_stock_location")
            fields = (*fields, "destination_stock_location")
        return fields

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or transfer_deletable(obj.status))

    def delete_model(self, request, obj):
        services.delete_stock_transfer(obj)  # the guard, under the transfer's lock

    def get_actions(self, request):
        # A transfer under way can't be deleted: the bulk delete would skip that check.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def run_trigger(self, request, transfer, name):
        label = STOCK_TRANSFER_ACTIONS[name]
        run_on_each(
            self, request, [transfer], label, lambda t: trigger_stock_transfer(name, request, t)
        )
