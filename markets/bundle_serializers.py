"""Attributes of bundles (catalog.md "Bundles"): they parse and check what a client sends; the
services (markets.bundle_services) check the rules that span rows and write it."""

from rest_framework import serializers

from commerce.jsonapi.serializers import ResourceSerializer
from markets.bundle_selectors import bundle_items, every_component
from markets.models import Bundle
from markets.serializers import validate_currency_code


class EveryComponentField(serializers.BooleanField):
    """`do_not_ship` / `do_not_track`, read-only: true when every component has it."""

    def __init__(self, flag: str, **kwargs):
        self.flag = flag
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, bundle):
        return every_component(bundle, self.flag)


class ItemsCountField(serializers.IntegerField):
    """`skus_count`, read-only: how many items its list holds."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, bundle):
        return len(bundle_items(bundle))


class BundleSerializer(ResourceSerializer):
    """Money in the bundle's currency: its market's price list's, else its own."""

    money = {
        "price_amount": "effective_currency_code",
        "compare_at_amount": "effective_currency_code",
    }
    do_not_ship = EveryComponentField("do_not_ship")
    do_not_track = EveryComponentField("do_not_track")
    skus_count = ItemsCountField()

    class Meta:
        model = Bundle
        fields = [
            "code",
            "name",
            "currency_code",
            "description",
            "image_url",
            "do_not_ship",
            "do_not_track",
            "price_amount_cents",
            "compare_at_amount_cents",
            "skus_count",
        ]

    def validate_currency_code(self, value):
        return validate_currency_code(value)
