"""`_trigger` of an event (bulk.md "Events"): send it again to the webhooks of its topic."""

from django.db import transaction
from django.utils import timezone

from commerce.models import Event
from commerce.webhooks.models import Delivery, Webhook
from commerce.webhooks.services import enqueue


def trigger_event(event: Event, value=True, *, ctx=None) -> Event:
    """Send `event` again: every enabled webhook of its topic gets a new delivery, with a new
    `webhook-id`, carrying the last body sent for this event (the resource rendered at sending
    time, as a first delivery, when none was ever sent).

    A delivery is unique per (event, webhook) (commerce.webhooks.models, a migration we may not
    add here): a webhook's earlier delivery of this event is deleted (its event callbacks stay)
    and a new one, pending, with a new message id, takes its place."""
    if not value:
        return event
    now = timezone.now()
    webhooks = list(Webhook.objects.filter(topic=event.topic, disabled_at__isnull=True))
    earlier = Delivery.objects.filter(event=event)
    sent = [d for d in earlier if d.body is not None]
    last = max(sent, key=lambda d: (d.delivered_at or d.created_at, d.pk)) if sent else None
    # One delivery per (event, webhook): the earlier one makes way (its callbacks stay).
    earlier.filter(webhook__in=webhooks).delete()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                event=event,
                webhook=webhook,
                body=last.body if last else None,
                next_attempt_at=now,
                enqueued_at=now,
            )
            for webhook in webhooks
        ]
    )
    ready = [d.pk for d in deliveries if d.webhook.sending]
    if ready:
        transaction.on_commit(lambda: enqueue(ready), robust=True)
    return event
