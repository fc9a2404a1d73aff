"""Attributes of the catalog's resources (catalog.md "SKU lists"): they parse and check what a
client sends; the services write it."""

from rest_framework import serializers

from catalog.models import SkuList, SkuListItem
from commerce.jsonapi.fields import StrictBooleanField, StrictCharField, validate_regex
from commerce.jsonapi.serializers import ResourceSerializer


class SkuListSerializer(ResourceSerializer):
    """`manual` is derived from `sku_code_regex` (none: manual). A client may send it, as
    Commerce Layer's clients do, but only to agree: `manual: true` with a regex is a 422 on
    `sku_code_regex`."""

    slug = StrictCharField(read_only=True)
    manual = StrictBooleanField(required=False, allow_null=True)

    class Meta:
        model = SkuList
        fields = ["name", "slug", "description", "image_url", "manual", "sku_code_regex"]

    def validate_sku_code_regex(self, value):
        return validate_regex(value)

    def validate(self, attrs):
        manual = attrs.pop("manual", None)
        instance = self.instance
        regex = attrs.get("sku_code_regex", instance.sku_code_regex if instance else None)
        if manual is True and regex:
            raise serializers.ValidationError(
                {
                    "sku_code_regex": serializers.ErrorDetail(
                        "must be blank for a manual list", code="present"
                    )
                }
            )
        return attrs


class SkuListItemSerializer(ResourceSerializer):
    """The SKU by relationship or by `sku_code`; `position` defaults to after the last item."""

    sku_code = StrictCharField(max_length=255, required=False)

    class Meta:
        model = SkuListItem
        fields = ["position", "sku_code", "quantity"]
        extra_kwargs = {"quantity": {"min_value": 1}}
