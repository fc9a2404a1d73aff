"""JSON:API resources of the inventory app."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ResourceView
from commerce.triggers import Trigger, TriggerSet
from inventory import serializers as s
from inventory import services
from inventory.models import (
    InventoryModel,
    InventoryStockLocation,
    ShippingCategory,
    StockItem,
    StockLocation,
    StockTransfer,
)


@register
class ShippingCategoryResource(ResourceView):
    resource_type = "shipping_categories"
    model = ShippingCategory
    serializer_class = s.ShippingCategorySerializer
    relationships_map = {"skus": Rel("skus", many=True)}


@register
class StockLocationResource(ResourceView):
    resource_type = "stock_locations"
    model = StockLocation
    serializer_class = s.StockLocationSerializer
    relationships_map = {
        "address": Rel("addresses", create="required", update=True),
        "inventory_stock_locations": Rel("inventory_stock_locations", many=True),
        # The returns app's resource, by type (it sits above this one).
        "inventory_return_locations": Rel("inventory_return_locations", many=True),
        "stock_items": Rel("stock_items", many=True),
        # Transfers leaving this location (the model's `stock_transfers`).
        "stock_transfers": Rel("stock_transfers", many=True),
    }

    def create_resource(self, values, ctx):
        return services.create_stock_location(**values)


@register
class StockItemResource(ResourceView):
    resource_type = "stock_items"
    model = StockItem
    serializer_class = s.StockItemSerializer
    select_related = ("sku",)
    filter_aliases = {"sku_code": "sku__code"}
    relationships_map = {
        "stock_location": Rel("stock_locations", create="required", update=True),
        "sku": Rel("skus", create="required", update=True),
        "stock_reservations": Rel("stock_reservations", many=True),
    }

    code_references = {"sku_code": ("sku", "code")}

    def update_resource(self, instance, values, ctx):
        return services.update_stock_item(instance, values) if values else instance


@register
class InventoryModelResource(ResourceView):
    resource_type = "inventory_models"
    model = InventoryModel
    serializer_class = s.InventoryModelSerializer
    relationships_map = {
        "inventory_stock_locations": Rel("inventory_stock_locations", many=True),
        "inventory_return_locations": Rel("inventory_return_locations", many=True),
    }


@register
class InventoryStockLocationResource(ResourceView):
    resource_type = "inventory_stock_locations"
    model = InventoryStockLocation
    serializer_class = s.InventoryStockLocationSerializer
    relationships_map = {
        "stock_location": Rel("stock_locations", create="required", update=True),
        "inventory_model": Rel("inventory_models", create="required", update=True),
    }


def _transfer_trigger(name):
    return Trigger(
        f"_{name}",
        lambda transfer, value, *, ctx: services.move_stock_transfer(transfer, name, ctx=ctx),
        on_create=name == "upcoming",
    )


@register
class StockTransferResource(ResourceView):
    resource_type = "stock_transfers"
    model = StockTransfer
    serializer_class = s.StockTransferSerializer
    select_related = ("sku",)
    filter_aliases = {"sku_code": "sku__code"}
    code_references = {"sku_code": ("sku", "code")}
    triggers = TriggerSet(
        *[
            _transfer_trigger(n)
            for n in ("upcoming", "on_hold", "picking", "in_transit", "complete", "cancel")
        ]
    )
    relationships_map = {
        "sku": Rel("skus", create="required", update=True),
        "origin_stock_location": Rel("stock_locations", create="required", update=True),
        "destination_stock_location": Rel("stock_locations", create="required", update=True),
        "stock_reservation": Rel("stock_reservations"),
        # Commerce Layer links the transfers it makes for a shipment (`ship_from_primary`) to that
        # shipment and its line item; ours are made by hand (inventory.md), so neither is ever set.
        "shipment": Rel("shipments", getter=lambda transfer: None),
        "line_item": Rel("line_items", getter=lambda transfer: None),
    }

    def update_resource(self, instance, values, ctx):
        return services.update_stock_transfer(instance, values)

    def delete_resource(self, instance, ctx):
        services.delete_stock_transfer(instance)
