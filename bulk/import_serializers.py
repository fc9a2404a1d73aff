"""The attributes of `imports` (resources.md): what a POST may send (checked by the service,
bulk/imports.py) and what reads show. `inputs` is echoed by the create's answer only; later
reads show it null and, once the import is finished, `attachment_url` links its copy."""

from rest_framework import serializers

from bulk import imports
from bulk.models import Import
from commerce.jsonapi.serializers import ResourceSerializer


class EchoedInputsField(serializers.JSONField):
    """Any JSON on the way in (the service checks its shape for the format); on the way out
    what the create was sent, on that answer only."""

    def get_attribute(self, instance):
        return getattr(instance, "_created_inputs", None)

    def to_representation(self, value):
        return value


class ImportSerializer(ResourceSerializer):
    inputs = EchoedInputsField(required=False, allow_null=True)
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = Import
        fields = [
            "resource_type",
            "format",
            "parent_resource_id",
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "inputs",
            "inputs_size",
            "errors_count",
            "warnings_count",
            "processed_count",
            "errors_log",
            "warnings_log",
            "skip_errors",
            "attachment_url",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "inputs_size",
            "errors_count",
            "warnings_count",
            "processed_count",
            "errors_log",
            "warnings_log",
        ]
        create_only_fields = [
            "resource_type",
            "format",
            "parent_resource_id",
            "inputs",
            "skip_errors",
        ]
        extra_kwargs = {"resource_type": {"required": True}}

    def get_attachment_url(self, job) -> str | None:
        # A new signature at every read: valid 5 minutes from it (bulk.md "Exports").
        return imports.attachment_url(job, self.context.get("request"))
