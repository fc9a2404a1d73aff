"""The attributes of `cleanups` (resources.md): what a POST may send (checked by the service,
bulk/cleanups.py) and what reads show."""

from rest_framework import serializers

from bulk.models import Cleanup
from commerce.jsonapi.serializers import ResourceSerializer


class CleanupSerializer(ResourceSerializer):
    filters = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = Cleanup
        fields = [
            "resource_type",
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "filters",
            "records_count",
            "errors_count",
            "processed_count",
            "errors_log",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "records_count",
            "errors_count",
            "processed_count",
            "errors_log",
        ]
        create_only_fields = ["resource_type", "filters"]
        extra_kwargs = {"resource_type": {"required": True}}
