import re

from rest_framework import serializers

from commerce.events import known_topics
from commerce.exceptions import CommerceError
from commerce.jsonapi.query import parse_include
from commerce.jsonapi.registry import registry
from commerce.jsonapi.serializers import ResourceSerializer
from commerce.webhooks import ssrf
from commerce.webhooks.models import EventCallback, Webhook

TOPIC = re.compile(r"^[a-z_]+\.[a-z_]+$")


class IncludeResourcesField(serializers.JSONField):
    default_error_messages = {"invalid": "must be an array of strings"}

    def to_internal_value(self, data):
        if data is None:
            return None
        if not isinstance(data, list) or not all(isinstance(i, str) and i for i in data):
            self.fail("invalid")
        if len(data) > 50:
            raise serializers.ValidationError("is too long (maximum is 50 paths)", code="invalid")
        return data


class WebhookSerializer(ResourceSerializer):
    include_resources = IncludeResourcesField(required=False, allow_null=True)

    class Meta:
        model = Webhook
        fields = [
            "name",
            "topic",
            "callback_url",
            "include_resources",
            "disabled_at",
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
        ]
        read_only_fields = ["disabled_at", "circuit_state", "circuit_failure_count"]

    def validate_topic(self, value):
        # One of the topics recorded: `<served type>.create|update|destroy` and the lifecycle
        # ones (bulk.md "Events").
        if not TOPIC.match(value) or value not in known_topics():
            raise serializers.ValidationError("is not a valid topic", code="invalid")
        return value

    def validate_callback_url(self, value):
        try:
            ssrf.check_url(value)
        except ssrf.UnsafeURL as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None
        return value

    def validate(self, attrs):
        topic = attrs.get("topic") or getattr(self.instance, "topic", None)
        include = attrs.get("include_resources", getattr(self.instance, "include_resources", None))
        if topic and include:
            try:
                parse_include(",".join(include), registry, topic.split(".", 1)[0])
            except CommerceError as exc:
                raise serializers.ValidationError(
                    {"include_resources": [exc.detail]}, code="invalid"
                ) from None
        return attrs


class EventCallbackSerializer(ResourceSerializer):
    class Meta:
        model = EventCallback
        fields = ["callback_url", "payload", "response_code", "response_message"]
        read_only_fields = fields
