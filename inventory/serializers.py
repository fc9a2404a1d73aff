from commerce.jsonapi.fields import StrictCharField
from commerce.jsonapi.serializers import ResourceSerializer
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


class ShippingCategorySerializer(ResourceSerializer):
    class Meta:
        model = ShippingCategory
        fields = ["name", "code"]


class SkuSerializer(ResourceSerializer):
    class Meta:
        model = Sku
        fields = [
            "code",
            "name",
            "description",
            "image_url",
            "pieces_per_pack",
            "weight",
            "unit_of_weight",
            "hs_tariff_number",
            "do_not_ship",
            "do_not_track",
        ]


class StockLocationSerializer(ResourceSerializer):
    class Meta:
        model = StockLocation
        fields = ["number", "name", "code", "label_format", "suppress_etd"]
        read_only_fields = ["number"]


class StockItemSerializer(ResourceSerializer):
    sku_code = StrictCharField(max_length=255, required=False)

    class Meta:
        model = StockItem
        fields = ["sku_code", "quantity"]


class InventoryModelSerializer(ResourceSerializer):
    class Meta:
        model = InventoryModel
        fields = [
            "name",
            "strategy",
            "stock_locations_cutoff",
            "stock_reservation_cutoff",
            "put_stock_transfers_on_hold",
            "manual_stock_decrement",
        ]
        # No cutoff (null) means every location; 0 would leave none to sell from.
        extra_kwargs = {"stock_locations_cutoff": {"min_value": 1}}


class InventoryStockLocationSerializer(ResourceSerializer):
    class Meta:
        model = InventoryStockLocation
        fields = ["priority", "on_hold"]


class StockTransferSerializer(ResourceSerializer):
    sku_code = StrictCharField(max_length=255, required=False)

    class Meta:
        model = StockTransfer
        fields = [
            "number",
            "sku_code",
            "status",
            "quantity",
            "on_hold_at",
            "picking_at",
            "in_transit_at",
            "completed_at",
            "cancelled_at",
        ]
        read_only_fields = [
            "status",
            "on_hold_at",
            "picking_at",
            "in_transit_at",
            "completed_at",
            "cancelled_at",
        ]
        extra_kwargs = {"quantity": {"min_value": 1, "max_value": 1_000_000}}


class StockReservationSerializer(ResourceSerializer):
    class Meta:
        model = StockReservation
        fields = ["status", "quantity", "expires_at"]
        read_only_fields = fields
