"""Attributes of tags (bulk.md "Tags")."""

from rest_framework import serializers

from commerce.jsonapi.serializers import ResourceSerializer
from commerce.models import Tag
from commerce.tags import is_valid_name


class TagSerializer(ResourceSerializer):
    """`name`: 1 to 25 characters of `[0-9A-Za-z_-]` (422 `invalid`), unique (422 `taken`, the
    model's unique validator)."""

    class Meta:
        model = Tag
        fields = ["name"]

    def validate_name(self, value):
        if not is_valid_name(value):
            raise serializers.ValidationError(
                "must be 1 to 25 letters, digits, underscores or hyphens", code="invalid"
            )
        return value
