"""Attributes of the markets' catalog resources: price volume tiers (and their read-only
`price_tiers` list) and SKU options (catalog.md "Price volume tiers", "SKU options")."""

from rest_framework import serializers

from commerce.jsonapi.fields import validate_regex
from commerce.jsonapi.serializers import ResourceSerializer
from markets.models import PriceVolumeTier, SkuOption
from markets.serializers import validate_currency_code


class PriceVolumeTierSerializer(ResourceSerializer):
    """`price_amount` in the price list's currency; `up_to` an integer >= 1, or null for the
    tier past all the others."""

    money = {"price_amount": "currency_code"}

    class Meta:
        model = PriceVolumeTier
        fields = ["name", "up_to", "price_amount_cents"]
        extra_kwargs = {
            "up_to": {"min_value": 1},
            "price_amount_cents": {"required": True, "allow_null": False},
        }


class PriceTierSerializer(PriceVolumeTierSerializer):
    """The read-only `price_tiers` list of the same rows."""

    class Meta(PriceVolumeTierSerializer.Meta):
        read_only_fields = PriceVolumeTierSerializer.Meta.fields


class SkuOptionSerializer(ResourceSerializer):
    """`price_amount` in its own currency, else its market's price list's; `delay_days` is
    `delay_hours` rounded up to days."""

    money = {"price_amount": "effective_currency_code"}
    delay_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = SkuOption
        fields = [
            "name",
            "currency_code",
            "description",
            "price_amount_cents",
            "delay_hours",
            "delay_days",
            "sku_code_regex",
        ]

    def validate_currency_code(self, value):
        return validate_currency_code(value)

    def validate_sku_code_regex(self, value):
        return validate_regex(value)
