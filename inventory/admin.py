"""Django admin of the catalog and stock: SKUs (with their prices), stock, inventory models."""

from django.contrib import admin

from commerce.admin import ResourceAdmin, ResourceInline
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
from markets.models import Price


@admin.register(ShippingCategory)
class ShippingCategoryAdmin(ResourceAdmin):
    list_display = ("name", "code", "public_id", "created_at")
    search_fields = ("name", "code", "public_id", "reference")


class PriceInline(ResourceInline):
    model = Price
    fields = ("public_id", "price_list", "amount_cents", "compare_at_amount_cents")
    autocomplete_fields = ("price_list",)


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
    inlines = (PriceInline,)


@admin.register(StockLocation)
class StockLocationAdmin(ResourceAdmin):
    list_display = ("code", "name", "number", "address", "label_format", "public_id", "created_at")
    list_select_related = ("address",)
    search_fields = ("code", "name", "public_id", "address__city", "reference")
    readonly_fields = (*ResourceAdmin.readonly_fields, "number")
    autocomplete_fields = ("address",)


@admin.register(StockItem)
class StockItemAdmin(ResourceAdmin):
    list_display = ("public_id", "sku", "stock_location", "quantity", "updated_at")
    list_select_related = ("sku", "stock_location")
    search_fields = (
        "public_id",
        "sku__code",
        "sku__name",
        "stock_location__code",
        "stock_location__name",
    )
    list_filter = ("stock_location",)
    autocomplete_fields = ("sku", "stock_location")


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
class StockTransferAdmin(ResourceAdmin):
    """Statuses move through the API's triggers (inventory.md); here they are read-only."""

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
    )
    autocomplete_fields = (
        "sku",
        "origin_stock_location",
        "destination_stock_location",
        "stock_reservation",
    )
