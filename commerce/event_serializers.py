"""The `events` resource's attributes (bulk.md "Events", resources.md "events"): `name` is the
event's topic; an event is never written through the API (only `_trigger`)."""

from rest_framework import serializers

from commerce.jsonapi.fields import TimestampField
from commerce.jsonapi.serializers import ResourceSerializer
from commerce.models import Event


class EventSerializer(ResourceSerializer):
    name = serializers.CharField(source="topic", read_only=True)
    # An event is written once: its `updated_at` is when it happened; it has no reference nor
    # metadata of its own (the common attributes every resource answers, null here).
    updated_at = TimestampField(source="created_at", read_only=True)
    reference = serializers.SerializerMethodField()
    reference_origin = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["created_at", "updated_at", "reference", "reference_origin", "metadata", "name"]
        read_only_fields = fields

    def get_reference(self, event):
        return None

    def get_reference_origin(self, event):
        return None

    def get_metadata(self, event):
        return {}
