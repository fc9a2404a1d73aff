"""Attributes of shipping weight tiers and their read-only `shipping_method_tiers` list
(shipping.md "What a method costs for a shipment"): `up_to` a number > 0 in the method's
`unit_of_weight`, or null for the tier beyond every other; `price_amount` in the method's
currency (its own, else its market's price list's)."""

from rest_framework import serializers

from commerce.jsonapi.serializers import ResourceSerializer
from markets.models import ShippingWeightTier


class ShippingWeightTierSerializer(ResourceSerializer):
    money = {"price_amount": "currency_code"}

    class Meta:
        model = ShippingWeightTier
        fields = ["name", "up_to", "price_amount_cents"]
        extra_kwargs = {"price_amount_cents": {"required": True, "allow_null": False}}

    def validate_up_to(self, value):
        if value is not None and value <= 0:
            raise serializers.ValidationError("must be greater than 0", code="greater_than")
        return value


class ShippingMethodTierSerializer(ShippingWeightTierSerializer):
    """The read-only `shipping_method_tiers` list of the same rows."""

    class Meta(ShippingWeightTierSerializer.Meta):
        read_only_fields = ShippingWeightTierSerializer.Meta.fields
