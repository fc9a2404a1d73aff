"""Domain events: every state change is recorded through `emit_event`, in the caller's
transaction (an outbox), for webhooks and audit.

A write request records its events in one go: the API's write views run inside
`recording_events()`, which collects them and inserts them with one statement at the end of
the request's transaction (a change emits up to a dozen events; one INSERT each was a third of a
checkout's SQL). Outside it (admin, commands, workers) each event is written at once.
Either way `events_recorded` is sent with the new rows, still inside the transaction, so the
webhooks app schedules their deliveries with them.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

from commerce.models import Event

events_recorded = Signal()  # sent with events=[Event, ...] once the rows exist

_pending: ContextVar[list | None] = ContextVar("pending_events", default=None)


def emit_event(topic: str, resource, **payload) -> Event:
    """Record `topic` (e.g. "orders.place") for `resource` inside the current transaction."""
    event = Event(
        topic=topic,
        resource_type=topic.split(".", 1)[0],
        resource_id=resource.public_id,
        payload=payload,
    )
    pending = _pending.get()
    if pending is None:
        _record([event])
    else:
        pending.append(event)
    return event


@contextmanager
def recording_events():
    """Collect the events emitted inside the block and write them when it ends without an
    error; use it inside the transaction (`with transaction.atomic(), recording_events():`).
    Nested blocks join the outer one."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        events = _pending.get()
    finally:
        _pending.reset(token)
    if events:
        _record(events)


def _record(events: list[Event]) -> None:
    Event.objects.bulk_create(events)
    events_recorded.send(sender=Event, events=events)
