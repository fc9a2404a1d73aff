"""JSON:API resources of webhooks: integration tokens only (auth.md), like every kernel
resource without an `access` of its own."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from commerce.webhooks import serializers as s
from commerce.webhooks import services
from commerce.webhooks.models import EventCallback, Webhook


@register
class WebhookResource(ResourceView):
    resource_type = "webhooks"
    model = Webhook
    serializer_class = s.WebhookSerializer
    triggers = TriggerSet(
        Trigger("_disable", services.disable, kinds=INTEGRATION_ONLY),
        Trigger("_enable", services.enable, kinds=INTEGRATION_ONLY),
        Trigger("_reset_circuit", services.reset_circuit, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {
        "last_event_callbacks": Rel("event_callbacks", many=True, source="event_callbacks"),
    }


@register
class EventCallbackResource(ResourceView):
    resource_type = "event_callbacks"
    model = EventCallback
    serializer_class = s.EventCallbackSerializer
    ops = frozenset({"list", "retrieve"})
    relationships_map = {"webhook": Rel("webhooks")}
