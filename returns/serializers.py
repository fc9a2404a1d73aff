"""Attributes of the returns resources (resources.md `returns`, `return_line_items`,
`inventory_return_locations`); they only parse and render, the services decide."""

from commerce.jsonapi.fields import MetadataField
from commerce.jsonapi.serializers import ResourceSerializer
from returns.models import InventoryReturnLocation, Return, ReturnLineItem


class ReturnSerializer(ResourceSerializer):
    money = {"estimated_refund_amount": "currency_code"}

    class Meta:
        model = Return
        fields = [
            "number",
            "status",
            "customer_email",
            "skus_count",
            "approved_at",
            "cancelled_at",
            "shipped_at",
            "rejected_at",
            "received_at",
            "refunded_at",
            "archived_at",
            "estimated_refund_amount_cents",
        ]
        read_only_fields = fields


class ReturnLineItemSerializer(ResourceSerializer):
    money = {"total_amount": "currency_code"}
    return_reason = MetadataField(required=False, allow_null=True)

    class Meta:
        model = ReturnLineItem
        fields = [
            "sku_code",
            "bundle_code",
            "quantity",
            "name",
            "image_url",
            "total_amount_cents",
            "return_reason",
            "restocked_at",
        ]
        read_only_fields = [
            "sku_code",
            "bundle_code",
            "name",
            "image_url",
            "total_amount_cents",
            "restocked_at",
        ]
        extra_kwargs = {"quantity": {"min_value": 1, "max_value": 100_000}}


class InventoryReturnLocationSerializer(ResourceSerializer):
    class Meta:
        model = InventoryReturnLocation
        fields = ["priority"]
