"""Attributes of parcels and parcel line items (shipping.md "Packages, parcels, parcel line
items"): they parse and type-check what a client sends. The rules that read the shipment, its
stock line items and its packages are the services' (orders.services.parcels)."""

from rest_framework import serializers

from commerce.jsonapi.serializers import ResourceSerializer
from orders.models import Parcel, ParcelLineItem


class TrackingDetailsField(serializers.JSONField):
    """`tracking_details`: an array of objects (a carrier's tracking events), or null."""

    default_error_messages = {"invalid": "must be an array of objects"}

    def to_internal_value(self, data):
        if data is None:
            return None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ParcelSerializer(ResourceSerializer):
    """`number` is given by the service (`<shipment number>/P/<nnn>`); the customs fields are
    stored as sent, not interpreted."""

    tracking_details = TrackingDetailsField(required=False, allow_null=True)

    class Meta:
        model = Parcel
        fields = [
            "number",
            "weight",
            "unit_of_weight",
            "eel_pfc",
            "contents_type",
            "contents_explanation",
            "customs_certify",
            "customs_signer",
            "non_delivery_option",
            "restriction_type",
            "restriction_comments",
            "customs_info_required",
            "shipping_label_url",
            "shipping_label_file_type",
            "shipping_label_size",
            "shipping_label_resolution",
            "tracking_number",
            "tracking_status",
            "tracking_status_detail",
            "tracking_status_updated_at",
            "tracking_details",
            "carrier_weight_oz",
            "signed_by",
            "incoterm",
            "delivery_confirmation",
        ]
        read_only_fields = ["number"]


class ParcelLineItemSerializer(ResourceSerializer):
    """`quantity` is set on create only (delete and create again to change it); what it shows
    of the SKU is copied from the stock line item by the service."""

    class Meta:
        model = ParcelLineItem
        fields = ["sku_code", "bundle_code", "quantity", "name", "image_url"]
        read_only_fields = ["sku_code", "bundle_code", "name", "image_url"]
        create_only_fields = ["quantity"]
        extra_kwargs = {"quantity": {"min_value": 1, "max_value": 100_000}}
