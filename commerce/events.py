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

import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.dispatch import Signal
from django.utils import timezone

from commerce.compiled import written as compiled_writes
from commerce.jsonapi.registry import registry
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
    action = topic.rsplit(".", 1)[-1]
    if action == DESTROY:
        event.payload = payload = {**payload, "id": resource.public_id}
    pending = _pending.get()
    if pending is None:
        # Written at once (admin, commands, workers): a service's own `.update` and the write
        # helpers' generic one, emitted one after the other for the same record object, are
        # still one event (the second merges into the first).
        generic = _generic.get()
        mine, theirs = ("_generic_written", "_explicit_written")
        if not generic:
            mine, theirs = theirs, mine
        earlier = (
            getattr(resource, theirs, {}).pop(topic, None) if action in GENERIC_ACTIONS else None
        )
        if earlier is not None:
            merged = _same_event([earlier], event, payload)
            if merged is not None and merged.pk is not None:
                Event.objects.filter(pk=merged.pk).update(payload=merged.payload)
                return merged
        _record([event])
        if action in GENERIC_ACTIONS:
            try:
                getattr(resource, mine, None) or setattr(resource, mine, {})
                getattr(resource, mine)[topic] = event
            except AttributeError:
                pass
        return event
    earlier = _same_event(pending, event, payload)
    if earlier is not None:
        return earlier
    pending.append(event)
    return event


def _same_event(events: list, event: Event, payload: dict) -> Event | None:
    """The event of `events` that `event` is part of, its payload merged in, or None.

    Once per record per write (bulk.md "Events"): a service's own `orders.update` and the
    write helpers' generic one are the same event; their payloads merge. A record created or
    destroyed by this write records no update besides."""
    action = event.topic.rsplit(".", 1)[-1]
    if action not in GENERIC_ACTIONS:
        return None
    kind = event.resource_type
    for earlier in events:
        if earlier.resource_id != event.resource_id or earlier.resource_type != kind:
            continue
        if action == UPDATE and earlier.topic in (f"{kind}.{CREATE}", f"{kind}.{DESTROY}"):
            return earlier
        if earlier.topic == event.topic:
            changed = sorted({*earlier.payload.get("changed", ()), *payload.get("changed", ())})
            earlier.payload = {**earlier.payload, **payload}
            if changed:
                earlier.payload["changed"] = changed
            return earlier
    return None


_generic: ContextVar[bool] = ContextVar("events_generic", default=False)


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
        carried = [event for event in events if hasattr(event, "_written_payload")]
        _insert_with_subscribers(
            [event for event in events if not hasattr(event, "_written_payload")],
            [event for event in carried if event.payload != event._written_payload],
            connection,
        )
    else:
        Event.objects.bulk_create(events)
    events_recorded.send(sender=Event, events=events)


_COLUMNS = ("public_id", "topic", "resource_type", "resource_id", "payload", "created_at")


def _events_insert(events: list[Event], connection, where=None) -> tuple[str, list]:
    """The INSERT of `events` and its parameters: the events as one JSON array of rows, which
    `jsonb_array_elements` unpacks in their order (as Django's bulk_create does on PostgreSQL,
    the ids follow it), and their one `created_at`. The statement text depends on no count, so
    it is prepared once; one JSON text costs psycopg and PostgreSQL less than six typed arrays
    (a carried event: ~455 -> ~215 us). `where`: (a condition the rows are written under, its
    parameters)."""
    now = timezone.now()
    for event in events:
        event.created_at = now  # what auto_now_add sets on a save
    meta = Event._meta
    quote = connection.ops.quote_name
    condition, condition_params = where or ("", [])
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(name) for name in _COLUMNS)}) "
        "SELECT e->>0, e->>1, e->>2, e->>3, e->4, %s "
        "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS rows(e, n)"
        + (f" WHERE {condition}" if condition else "")
        + " ORDER BY n"
    )
    rows = [
        [event.public_id, event.topic, event.resource_type, event.resource_id, event.payload]
        for event in events
    ]
    created_at = meta.get_field("created_at").get_db_prep_save(now, connection)
    return sql, [created_at, json.dumps(rows), *condition_params]


def _subscribers_sql(connection, event_table: str) -> str:
    """The enabled webhooks of `event_table`'s row's topic, as [[id, circuit_state], ...]."""
    quote = connection.ops.quote_name
    return (
        f"(SELECT json_agg(json_build_array(w.id, w.{quote('circuit_state')})) FROM "
        f"{quote(Webhook._meta.db_table)} w WHERE w.{quote('topic')} = {event_table}."
        f"{quote('topic')} AND w.{quote('disabled_at')} IS NULL)"
    )


def _subscribed(event: Event, pk, subscribers) -> None:
    event.pk = pk
    event.subscribers = [
        Webhook(pk=webhook_id, topic=event.topic, circuit_state=state, disabled_at=None)
        for webhook_id, state in subscribers or ()
    ]


def _insert_with_subscribers(events: list[Event], changed: list[Event], connection) -> None:
    """INSERT the events RETURNING each one's id and the enabled webhooks of its topic; each
    event gets them as `subscribers`, unsaved Webhook instances with what scheduling a delivery
    reads. `changed`: events an INSERT of their record already wrote (`carrying`)
    whose payload a later emit of the same event added to; the same statement rewrites them."""
    if not events and not changed:
        return
    quote = connection.ops.quote_name
    table = quote(Event._meta.db_table)
    fix, fix_params = "", []
    if changed:
        # [[id, payload], ...] as one JSON text, as `_events_insert` sends its rows.
        fix = (
            f"UPDATE {table} SET {quote('payload')} = e->1 FROM jsonb_array_elements(%s::jsonb) "
            f"AS rows(e) WHERE {table}.{quote('id')} = (e->>0)::bigint"
        )
        fix_params = [json.dumps([[event.pk, event.payload] for event in changed])]
        for event in changed:
            event._written_payload = event.payload
        if not events:
            with connection.cursor() as cursor:
                cursor.execute(fix, fix_params)
            return
        fix = f"WITH fixed AS ({fix}) "
    sql, params = _events_insert(events, connection)
    sql = f"{fix}{sql} RETURNING {quote('id')}, {_subscribers_sql(connection, table)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fix_params, *params])
        rows = cursor.fetchall()
    for event, (pk, subscribers) in zip(events, rows, strict=True):
        _subscribed(event, pk, subscribers)


def carrying(instances, connection, fields=(), *, created: bool, only_if=None):
    """Before a compiled INSERT of `instances`, or UPDATE of one instance's `fields` (None:
    every column), (commerce.compiled), inside `recording_events()` on PostgreSQL: their
    `<type>.create|update` events, emitted now, and how that statement writes them too: (a
    `WITH ev AS (INSERT INTO events ...)` prefix, its parameters, a RETURNING member giving
    each event's id and subscribers, what to do with that member's value). One statement
    where a write and its events were two: a request that writes one record (an address, a
    wire transfer and its order) writes no events statement at the end. None when there is
    nothing to carry. An event written so that a later emit adds to is rewritten by the
    request's last events statement (`_insert_with_subscribers`). `only_if`: (a condition, its
    parameters) the events are written under (the updated row exists); when the statement
    wrote nothing (no such row, or it failed), the callback is given None and the events are
    forgotten."""
    pending = _pending.get()
    if pending is None or connection.vendor != "postgresql" or _suppressed.get():
        return None
    mark = len(pending)
    record_created(instances) if created else record_updated(instances, fields)
    about = _about(instances)
    if len(pending) == mark and not any(_unwritten(event, about) for event in pending):
        return None
    # The statement writes every event still unwritten, in the order they were emitted: ids
    # keep the order things happened in.
    carried = [event for event in pending if not hasattr(event, "_written_payload")]
    sql, params = _events_insert(carried, connection, only_if)
    quote = connection.ops.quote_name
    prefix = f"WITH ev AS ({sql} RETURNING {quote('id')}, {quote('topic')}) "
    member = (
        f"(SELECT json_agg(json_build_array(ev.{quote('id')}, {_subscribers_sql(connection, 'ev')}"
        f") ORDER BY ev.{quote('id')}) FROM ev)"
    )

    def written(value) -> None:
        if value is None:  # no row written: no change, no event of it (the others stay)
            pending[:] = [event for event in pending[:mark] if not _merged_into(event, about)]
            return
        # The ids come from one sequence in row order: ordered by id, they are in `carried`'s.
        for event, (pk, subscribers) in zip(carried, value, strict=True):
            _subscribed(event, pk, subscribers)
            event._written_payload = event.payload

    return prefix, params, member, written


def _about(instances) -> set[tuple[str | None, str | None]]:
    return {(served_type(i), getattr(i, "public_id", None)) for i in instances}


def _unwritten(event: Event, about: set) -> bool:
    """Whether `event` is still unwritten and about one of the records of `about` (`_about`),
    such as a service's own event emitted before the record's write: the write's statement
    carries it (no statement of its own at the end, no payload rewrite)."""
    return (
        not hasattr(event, "_written_payload") and (event.resource_type, event.resource_id) in about
    )


def _merged_into(event: Event, about: set) -> bool:
    """Whether `event` is an unwritten `.create`/`.update` of one of the records of `about`,
    which that record's write merged its own into: a write that writes nothing forgets it with
    its own (a service's `shipments.update` emitted before it). Other topics stay."""
    return _unwritten(event, about) and event.topic.rsplit(".", 1)[-1] in (CREATE, UPDATE)


# --- generic `<type>.create|update|destroy` (bulk.md "Events") ------------------------------

CREATE, UPDATE, DESTROY = "create", "update", "destroy"
GENERIC_ACTIONS = (CREATE, UPDATE, DESTROY)

# The topics the services emit beside the generic ones, the one list of them (a webhook may
# subscribe to these and to `<served type>.create|update|destroy`: `known_topics`).
LIFECYCLE_TOPICS = frozenset(
    [f"orders.{t}" for t in ("place", "approve", "capture", "refund", "cancel", "pending",
                             "archive", "unarchive", "start_editing", "stop_editing")]
    + [f"shipments.{t}" for t in ("upcoming", "on_hold", "picking", "packing", "ready_to_ship",
                                  "ship", "deliver", "cancel")]
    + [f"gift_cards.{t}" for t in ("purchase", "activate", "deactivate", "redeem", "restore",
                                   "balance_change")]
    + [f"order_copies.{t}" for t in ("start", "complete", "fail", "abort")]
    + [f"stock_transfers.{t}" for t in ("upcoming", "on_hold", "picking", "in_transit",
                                        "complete", "cancel")]
    + [f"returns.{t}" for t in ("request", "approve", "cancel", "ship", "reject", "receive",
                                "restock", "refund", "archive", "unarchive")]
    + ["authorizations.capture", "authorizations.void", "captures.refund"]
    + [f"{kind}.forward" for kind in ("authorizations", "captures", "voids", "refunds")]
    + ["customer_password_resets.reset_password"]
    + [f"{job}.{t}" for job in ("imports", "exports", "cleanups")
       for t in ("start", "complete", "interrupt")]
)  # fmt: skip


_registered_topics: set[str] = set()


def register_topics(*topics: str) -> None:
    """Add topics a module emits of its own (`<type>.tagged`...) to `known_topics`; call it at
    import time of that module."""
    _registered_topics.update(topics)


def known_topics() -> frozenset[str]:
    """Every topic a webhook may subscribe to: the generic ones of each type the API serves
    and the lifecycle topics (bulk.md "Events": anything else is 422 `invalid`)."""
    generic = {f"{name}.{action}" for name in registry for action in GENERIC_ACTIONS}
    return frozenset(generic) | LIFECYCLE_TOPICS | _registered_topics


def served_type(instance) -> str | None:
    """The resource type the API serves `instance` as, None when it serves no such record.
    A model served under several types is named by its `kind` (payment sources, transactions)
    or else by the type that is not a polymorphic collection of others nor a read-only view."""
    model = type(instance)
    types = _types_by_model().get(model)
    if not types:
        return None
    if len(types) == 1:
        return types[0]
    kind = getattr(instance, "kind", None)
    if kind in types:
        return kind
    return types[0]


def is_served(model) -> bool:
    """Whether the API serves records of `model` (their writes record events)."""
    return bool(_types_by_model().get(model))


_by_model: dict = {}


def _types_by_model() -> dict:
    """model -> its served types, own type first (rebuilt when the registry grew: apps register
    their resources when their views are imported)."""
    if _by_model.get("size") != len(registry):
        mapping: dict = {}
        for name, resource_cls in registry.items():
            model = getattr(resource_cls, "model", None)
            if model is None or not hasattr(model, "public_id"):
                continue
            collection = len(getattr(resource_cls, "document_types", ()) or ()) > 1
            # A read-only view of another type's rows (shipping_method_tiers over
            # shipping_weight_tiers) is not what their writes are named as.
            read_only = "create" not in (getattr(resource_cls, "ops", None) or {"create"})
            mapping.setdefault(model, []).append((collection, read_only, name))
        _by_model.clear()
        _by_model.update({m: [n for *_, n in sorted(v)] for m, v in mapping.items()})
        _by_model["size"] = len(registry)
    return _by_model


def snapshot(sender, instance, **kwargs) -> None:
    """post_init receiver: the values a served record was loaded (or built) with, what
    `changed_fields` compares against; no query (reading a before-image would cost one)."""
    _remember(instance)


def changed_fields(instance, fields=None) -> list[str]:
    """The stored attributes and relationships of `instance` that differ from what it was
    loaded with (`fields`: those being written; a deferred one counts as changed). Stamps
    (`auto_now`) are no change of their own."""
    before = getattr(instance, "_event_before", None)
    meta = instance._meta
    if fields is None:
        targets = [f for f in meta.concrete_fields if not f.primary_key]
    else:
        targets = [meta.get_field(name) for name in fields]
    changed = []
    for field in targets:
        if getattr(field, "auto_now", False) or field.name == "public_id":
            continue
        name = field.attname
        if before is None or name not in before:
            if fields is not None or before is None:
                changed.append(field.name)
        elif before[name] != instance.__dict__.get(name):
            changed.append(field.name)
    return changed


def _remember(instance, fields=None) -> None:
    """What `instance` holds now is what its row holds: all of it (read, created, written
    whole), or the `fields` a write stored; a change to another field stays a change."""
    before = instance.__dict__.get("_event_before")
    if fields is not None and before is not None:
        meta = instance._meta
        for name in fields:
            attname = meta.get_field(name).attname
            before[attname] = instance.__dict__.get(attname)
        return
    # A copy of the whole __dict__ (C speed; a checkout builds some 250 served records):
    # `changed_fields` reads field attnames only, the private members ride along unread.
    before = instance.__dict__.copy()
    before.pop("_event_before", None)  # not a chain of every earlier image
    instance._event_before = before


def loaded_with(instance) -> dict | None:
    """What `instance` was read (or last written) with, by attname; None when not known."""
    return instance.__dict__.get("_event_before")


def record_created(instances) -> None:
    """`<type>.create` for each new served record (write helpers, after the INSERT)."""
    for instance in instances:
        name = served_type(instance)
        if name is not None:
            _emit_generic(f"{name}.{CREATE}", instance, {})
            _remember(instance)


def record_updated(instances, fields=None) -> None:
    """`<type>.update` for each served record whose stored values changed (bulk.md: once per
    record per write; a no-op write records nothing)."""
    for instance in instances:
        name = served_type(instance)
        if name is None:
            continue
        changed = changed_fields(instance, fields)
        if changed:
            _emit_generic(f"{name}.{UPDATE}", instance, {"changed": changed})
        _remember(instance, fields)


def record_destroyed(instances) -> None:
    """`<type>.destroy` for each served record deleted; the payload is its id alone (CL: every
    other member null)."""
    for instance in instances:
        name = served_type(instance)
        if name is not None:
            _emit_generic(f"{name}.{DESTROY}", instance, {"id": instance.public_id})


def record_destroyed_ids(name: str, public_ids) -> None:
    """`<name>.destroy` for records deleted in bulk (a QuerySet delete), by their public ids."""
    for public_id in public_ids:
        _emit_generic(f"{name}.{DESTROY}", _Gone(public_id), {"id": public_id})


class _Gone:
    def __init__(self, public_id):
        self.public_id = public_id


def _emit_generic(topic: str, resource, payload: dict) -> None:
    if _suppressed.get() or (_triggers_only.get() and topic.endswith(f".{UPDATE}")):
        return
    token = _generic.set(True)
    try:
        emit_event(topic, resource, **payload)
    finally:
        _generic.reset(token)


_suppressed: ContextVar[bool] = ContextVar("events_suppressed", default=False)
_triggers_only: ContextVar[bool] = ContextVar("events_triggers_only", default=False)


@contextmanager
def triggers_only(active: bool = True):
    """A PATCH that carries triggers alone records their topics, not the `.update` of what they
    changed (bulk.md "Events": "a no-op or trigger-only PATCH records only its trigger's
    topic"); records they create or destroy still record theirs."""
    if not active:
        yield
        return
    token = _triggers_only.set(True)
    try:
        yield
    finally:
        _triggers_only.reset(token)


@contextmanager
def without_generic_events():
    """Writes inside the block record no `<type>.create|update|destroy` (bulk.md: records an
    import changes record theirs only with IMPORTS_TRIGGER_WEBHOOKS)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


@contextmanager
def dropped_on_error():
    """Inside `recording_events()`: the events emitted in the block are dropped when it raises,
    as its rows are when it is a savepoint rolled back (bulk.md "Imports": a failed record of a
    chunk leaves no event; the chunk's events are written by one statement)."""
    pending = _pending.get()
    mark = len(pending) if pending is not None else 0
    try:
        yield
    except BaseException:
        if pending is not None:
            del pending[mark:]
        raise


# The compiled writes (commerce.compiled) tell these of the rows they write.
compiled_writes.created = record_created
compiled_writes.carrying = carrying
compiled_writes.updated = record_updated
compiled_writes.loaded_with = loaded_with
