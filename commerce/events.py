"""Domain events: every state change is recorded through `emit_event`, in the caller's
transaction (an outbox), for webhooks and audit.

A write request records its events in one go: the API's write views run inside
`recording_events()`, which collects them and inserts them with one statement at the end of
the request's transaction (a change emits up to a dozen events; one INSERT each was a third of a
checkout's SQL). Outside it (admin, commands, workers) each event is written at once.
Either way `events_recorded` is sent with the new rows, still inside the transaction, so the
webhooks app schedules their deliveries with them. On PostgreSQL that INSERT also returns, for
each event, the enabled webhooks of its topic (`event.subscribers`): a write then costs one
statement for its events and no lookup of webhooks, the common case being that none listens.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.dispatch import Signal
from django.utils import timezone

from commerce.models import Event
from commerce.webhooks.models import Webhook

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
    connection = connections[router.db_for_write(Event)]
    if connection.vendor == "postgresql":
        _insert_with_subscribers(events, connection)
    else:
        Event.objects.bulk_create(events)
    events_recorded.send(sender=Event, events=events)


_COLUMNS = ("topic", "resource_type", "resource_id", "payload", "created_at")


def _insert_with_subscribers(events: list[Event], connection) -> None:
    """INSERT the events (one row per element of the UNNESTed arrays, as Django's bulk_create
    does on PostgreSQL, which returns them in that order), RETURNING each one's id and the
    enabled webhooks of its topic as [[id, circuit_state], ...]; each event gets them as
    `subscribers`, unsaved Webhook instances with what scheduling a delivery reads."""
    now = timezone.now()
    for event in events:
        event.created_at = now  # what auto_now_add sets on a save
    meta, hooks = Event._meta, Webhook._meta
    fields = [meta.get_field(name) for name in _COLUMNS]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        "SELECT * FROM UNNEST("
        + ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
        + f") RETURNING {quote(meta.pk.column)}, (SELECT json_agg(json_build_array(w.id, "
        f"w.{quote('circuit_state')})) FROM {quote(hooks.db_table)} w WHERE w.{quote('topic')}"
        f" = {quote(meta.db_table)}.{quote('topic')} AND w.{quote('disabled_at')} IS NULL)"
    )
    columns = [
        [field.get_db_prep_save(getattr(event, field.attname), connection) for event in events]
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        rows = cursor.fetchall()
    for event, (pk, subscribers) in zip(events, rows, strict=True):
        event.pk = pk
        event.subscribers = [
            Webhook(pk=webhook_id, topic=event.topic, circuit_state=state, disabled_at=None)
            for webhook_id, state in subscribers or ()
        ]
