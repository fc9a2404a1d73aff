"""The attributes of `exports` (resources.md): what a POST may send (checked by the service,
bulk/exports.py, which knows the resource type the values depend on) and what reads show."""

from rest_framework import serializers

from bulk import exports
from bulk.models import Export
from commerce.jsonapi.serializers import ResourceSerializer


class ExportSerializer(ResourceSerializer):
    includes = serializers.JSONField(required=False, allow_null=True)
    fields = serializers.JSONField(required=False, allow_null=True)
    filters = serializers.JSONField(required=False, allow_null=True)
    progress = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "resource_type",
            "format",
            "status",
            "includes",
            "fields",
            "filters",
            "dry_data",
            "jwt_filters",
            "started_at",
            "completed_at",
            "estimated_completion_at",
            "interrupted_at",
            "records_count",
            "processed_count",
            "progress",
            "attachment_url",
            "errors_log",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "completed_at",
            "estimated_completion_at",
            "interrupted_at",
            "records_count",
            "processed_count",
            "errors_log",
        ]
        create_only_fields = [
            "resource_type",
            "format",
            "includes",
            "fields",
            "filters",
            "dry_data",
            "jwt_filters",
        ]
        extra_kwargs = {"resource_type": {"required": True}}

    def get_progress(self, export) -> int:
        return exports.progress(export)

    def get_attachment_url(self, export) -> str | None:
        # A new signature at every read: valid 5 minutes from it (bulk.md "Exports").
        return exports.attachment_url(export, self.context.get("request"))
