"""The `events` resource (bulk.md "Events", resources.md "events"): the recorded events, read by
integration tokens; `_trigger` sends one again to the webhooks of its topic. Created only by the
writes themselves (commerce.events) and never deleted through the API: POST and DELETE are 405."""

from commerce import event_services
from commerce.event_serializers import EventSerializer
from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.models import Event
from commerce.triggers import Trigger, TriggerSet
from commerce.webhooks.models import EventCallback, Webhook


def _webhooks(event):
    """The webhooks of the event's topic (one query per event: reached at the related endpoint,
    not through `include`)."""
    return list(Webhook.objects.filter(topic=event.topic).order_by("id"))


def _last_event_callbacks(event):
    """The callbacks of the deliveries of this event, newest first."""
    return list(EventCallback.objects.filter(delivery__event=event).order_by("-id"))


@register
class EventResource(ResourceView):
    resource_type = "events"
    model = Event
    serializer_class = EventSerializer
    ops = frozenset({"list", "retrieve", "update"})
    filter_aliases = {"name": "topic"}
    triggers = TriggerSet(
        Trigger("_trigger", event_services.trigger_event, kinds=INTEGRATION_ONLY, on_create=False)
    )
    relationships_map = {
        "webhooks": Rel("webhooks", many=True, getter=_webhooks, includable=False),
        "last_event_callbacks": Rel(
            "event_callbacks", many=True, getter=_last_event_callbacks, includable=False
        ),
    }
