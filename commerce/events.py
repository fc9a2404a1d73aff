"""Domain events: every state change is recorded through `emit_event`, in the caller's
transaction (an outbox), for webhooks and audit."""

from commerce.models import Event


def emit_event(topic: str, resource, **payload) -> Event:
    """Record `topic` (e.g. "orders.place") for `resource` inside the current transaction."""
    resource_type = topic.split(".", 1)[0]
    return Event.objects.create(
        topic=topic, resource_type=resource_type, resource_id=resource.public_id, payload=payload
    )
