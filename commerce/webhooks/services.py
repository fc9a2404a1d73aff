"""Webhook delivery: outbox rows in, signed POSTs out, never lost, retried with backoff.

1. `schedule_deliveries`: Event rows (commerce.events.emit_event) get one Delivery per enabled
   webhook of their topic, in the same transaction; once it commits, a task per delivery is
   enqueued (a rolled-back change has no event, so no delivery and no task).
2. `deliver` (the task's body): `claim` the delivery with a lease, render and sign the
   resource's JSON:API document, POST it, `record` the attempt as an event callback. A failure
   (timeout, refused, non-2xx) schedules a retry with exponential backoff; after
   WEBHOOK_CIRCUIT_THRESHOLD consecutive failures the webhook's circuit opens and it stops
   sending (its deliveries wait) until `reset_circuit`.
3. `sweep` (management command `sweep_webhooks`, run by `make worker`): re-enqueues deliveries
   that are overdue (a task lost, e.g. the process died between commit and enqueue) or whose
   lease expired (a worker died mid-delivery).

Delivery is at least once: a worker that dies after the receiver got the POST leaves it to be
sent again, with the same `webhook-id`, which receivers use to process it once.
"""

import http.client
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from commerce.auth.context import INTEGRATION, TokenContext
from commerce.exceptions import CommerceError
from commerce.jsonapi.document import DocumentBuilder, prefetches, resource_meta
from commerce.jsonapi.query import Query, parse_include
from commerce.jsonapi.registry import registry
from commerce.webhooks import signing, ssrf
from commerce.webhooks.models import Delivery, EventCallback, Webhook

logger = logging.getLogger(__name__)

# Documents are rendered as an integration token sees them (webhooks are integration-only).
WORKER_CTX = TokenContext(kind=INTEGRATION, application_id=0, client_id="webhooks")
USER_AGENT = "commerce-backend-webhooks/1"
RESPONSE_READ_LIMIT = 64 * 1024


# --- 1. outbox -> deliveries ---------------------------------------------------------------


def on_events_recorded(sender, events, **kwargs):
    schedule_deliveries(events)


def schedule_deliveries(events) -> list[Delivery]:
    """One delivery per enabled webhook of each event's topic, in the caller's transaction (one
    query for the webhooks of all the events, none when the events came with their
    `subscribers`: commerce.events). Webhooks whose circuit is open get theirs too (sent after
    a reset), but no task."""
    if all(hasattr(event, "subscribers") for event in events):
        pairs = [(event, w) for event in events for w in event.subscribers]
    else:
        webhooks = list(
            Webhook.objects.filter(
                topic__in={event.topic for event in events}, disabled_at__isnull=True
            ).only("pk", "topic", "circuit_state", "disabled_at")
        )
        pairs = [(event, w) for event in events for w in webhooks if w.topic == event.topic]
    if not pairs:
        return []
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=e, webhook=w, next_attempt_at=now, enqueued_at=now) for e, w in pairs]
    )
    ready = [d.pk for d, (_, w) in zip(deliveries, pairs, strict=True) if w.sending]
    if ready:
        # robust: a queue hiccup after commit must not fail the request; the sweeper catches up.
        transaction.on_commit(partial(enqueue, ready), robust=True)
    return deliveries


def enqueue(delivery_ids, run_after=None) -> None:
    task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    for pk in delivery_ids:
        task.enqueue(pk)


# --- 2. one attempt ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    url: str
    response_code: int | None
    response_message: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def _claimable(now) -> Q:
    return Q(status=Delivery.PENDING, next_attempt_at__lte=now) & (
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )


def _skip_locked(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for WEBHOOK_LEASE_SECONDS, or None when it is not ours to send (done,
    not due, leased by a live worker, or its webhook is disabled or its circuit open).

    PostgreSQL skips a row another worker is claiming; the compare-and-set on the old lease
    token makes the claim exclusive on SQLite too (no row locks there)."""
    now = timezone.now()
    with transaction.atomic():
        qs = Delivery.objects.filter(_claimable(now), pk=delivery_id)
        delivery = _skip_locked(qs).select_related("webhook", "event").first()
        if delivery is None or not delivery.webhook.sending:
            return None
        token = secrets.token_hex(16)
        expires = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
        won = (
            Delivery.objects.filter(_claimable(now), pk=delivery.pk)
            .filter(lease_token=delivery.lease_token)
            .update(lease_token=token, lease_expires_at=expires)
        )
    if not won:
        return None
    delivery.lease_token, delivery.lease_expires_at = token, expires
    return delivery


def deliver(delivery_id: int) -> str:
    """The task: send one delivery if it is ours to send. Returns what happened (logged)."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    webhook = delivery.webhook
    if delivery.body is None:
        try:
            document = render_document(delivery.event, webhook.include_resources)
        except Exception:  # a bug of ours: logged, shown as a failed attempt, retried later
            logger.exception("webhook delivery %s: the document could not be rendered", delivery.pk)
            record(
                delivery, Outcome(webhook.callback_url, None, "payload could not be rendered", 0)
            )
            return "render failed"
        delivery.body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        Delivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token).update(
            body=delivery.body
        )
    body = delivery.body.encode()
    headers = signing.signed_headers(
        body,
        shared_secret=webhook.shared_secret,
        message_id=delivery.message_id,
        topic=delivery.event.topic,
        now=timezone.now(),
    )
    outcome = post(webhook.callback_url, body, headers)
    record(delivery, outcome)
    return f"{outcome.response_code or '-'} {outcome.response_message}"


@task()
def deliver_webhook(delivery_id: int) -> str:
    """The one background task: "deliver delivery X". The Delivery row says what and whether;
    the task carries only its id, so a lost or duplicated task costs nothing (sweep). It lives
    here, beside `enqueue` and the retry that queue it."""
    return deliver(delivery_id)


def post(url: str, body: bytes, headers: dict) -> Outcome:
    """POST without following redirects, connecting only to checked public addresses."""
    started = time.monotonic()
    code, message = None, ""
    try:
        code, message, _ = ssrf.post(
            url,
            body,
            {**headers, "User-Agent": USER_AGENT},
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            read_limit=RESPONSE_READ_LIMIT,
        )
    except ssrf.UnsafeURL as exc:
        message = f"refused: callback_url {exc}"
    except TimeoutError:
        message = "timeout"
    except (OSError, ValueError, http.client.HTTPException) as exc:
        message = str(exc) or exc.__class__.__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(url, code, message[:1000], duration_ms)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base, 2 x base, 4 x base ... up to the cap."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


@transaction.atomic
def record(delivery: Delivery, outcome: Outcome) -> None:
    """Log the attempt as an event callback; move the delivery and the webhook's circuit on,
    unless this worker's lease was taken over meanwhile (the successor's attempt counts)."""
    webhook = Webhook.objects.select_for_update().filter(pk=delivery.webhook_id).first()
    if webhook is None:  # deleted meanwhile, with its deliveries
        return
    EventCallback.objects.create(
        webhook=webhook,
        delivery_id=delivery.pk,
        callback_url=outcome.url,
        payload=json.loads(delivery.body) if delivery.body else None,
        response_code=None if outcome.response_code is None else str(outcome.response_code),
        response_message=outcome.response_message,
        duration_ms=outcome.duration_ms,
    )
    current = (
        Delivery.objects.select_for_update()
        .filter(pk=delivery.pk, lease_token=delivery.lease_token)
        .first()
    )
    if current is None:
        return
    now = timezone.now()
    current.attempts += 1
    current.lease_token = current.lease_expires_at = None
    if outcome.ok:
        current.status, current.delivered_at = Delivery.DELIVERED, now
        webhook.circuit_failure_count = 0
    else:
        webhook.circuit_failure_count += 1
        if webhook.circuit_failure_count >= settings.WEBHOOK_CIRCUIT_THRESHOLD:
            webhook.circuit_state = Webhook.OPEN
        if current.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            current.status = Delivery.FAILED
        else:
            current.next_attempt_at = current.enqueued_at = now + backoff(current.attempts)
            if webhook.sending:
                retry = partial(enqueue, [current.pk], run_after=current.next_attempt_at)
                transaction.on_commit(retry, robust=True)
    current.save()
    webhook.save(update_fields=["circuit_state", "circuit_failure_count", "updated_at"])


# --- the document --------------------------------------------------------------------------


class _ApiOrigin:
    """Stands in for the request a document builder takes: links point at the public API."""

    def build_absolute_uri(self, location: str) -> str:
        return settings.WEBHOOK_API_BASE_URL.rstrip("/") + location


def render_document(event, include_resources) -> dict:
    """The event's resource as its JSON:API document, with the webhook's includes."""
    return render_resource(event.resource_type, event.resource_id, include_resources)


def render_resource(type_name: str, public_id: str, include_resources=(), *, known=None) -> dict:
    """A resource as its JSON:API document with `include_resources` (none, should the registry
    no longer know one of them), rendered through the resource registry by type name (the kernel
    knows no app) with the back office's reach; links point at the public API. Also what an
    external payment gateway and an external shipping price URL are sent (payments.md,
    shipping.md). `known`: related records as the caller holds them, set on the resource before
    its includes are read ({"order": order}: an order the request changed and will write later)."""
    resource_cls = registry.get(type_name)
    instance = None
    query = Query()
    if resource_cls is not None:
        try:
            query = Query(
                include=parse_include(",".join(include_resources or ()), registry, type_name)
            )
        except CommerceError:  # the registry changed since the includes were saved
            query = Query()
        qs = resource_cls.scoped_queryset(WORKER_CTX).filter(public_id=public_id)
        lookups = prefetches(resource_cls, query.include, WORKER_CTX)
        if known:
            instance = qs.first()
            if instance is not None:
                for name, record in known.items():
                    setattr(instance, name, record)
                prefetch_related_objects([instance], *lookups)
        else:
            instance = qs.prefetch_related(*lookups).first()
    if instance is None:  # e.g. orders.destroy: the record is gone
        return {"data": {"id": public_id, "type": type_name, "meta": resource_meta()}}
    return DocumentBuilder(_ApiOrigin(), query, WORKER_CTX).document(
        instance, type_name, many=False
    )


# --- 3. sweeping and the circuit -----------------------------------------------------------


def sweep(limit: int = 1000) -> int:
    """Re-enqueue deliveries that should have been sent by now: due for longer than
    WEBHOOK_SWEEP_GRACE_SECONDS since their task was enqueued, not leased by a live worker, of a
    sending webhook. Returns how many."""
    now = timezone.now()
    grace = timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    overdue = _claimable(now) & Q(
        enqueued_at__lte=now - grace,
        webhook__disabled_at__isnull=True,
        webhook__circuit_state=Webhook.CLOSED,
    )
    with transaction.atomic():
        qs = _skip_locked(Delivery.objects.filter(overdue).order_by("next_attempt_at", "id"))
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
            transaction.on_commit(partial(enqueue, ids))
    return len(ids)


def release_held(webhook: Webhook) -> None:
    """Send now what waited for the webhook (circuit open or disabled): once this commits."""
    now = timezone.now()
    pending = Delivery.objects.filter(webhook=webhook, status=Delivery.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    if ids:
        pending.filter(pk__in=ids).update(next_attempt_at=now, enqueued_at=now)
        transaction.on_commit(partial(enqueue, ids), robust=True)


def reset_circuit(webhook: Webhook, value=True, *, ctx=None) -> Webhook:
    """`_reset_circuit` (and the admin action): closed, failure count 0, held deliveries go."""
    webhook.circuit_state = Webhook.CLOSED
    webhook.circuit_failure_count = 0
    webhook.save(update_fields=["circuit_state", "circuit_failure_count", "updated_at"])
    if webhook.disabled_at is None:
        release_held(webhook)
    return webhook


@transaction.atomic
def reset_circuits(webhooks) -> None:
    """The admin's bulk reset: each webhook of the queryset under its lock, in pk order."""
    for webhook in webhooks.select_for_update().order_by("pk"):
        reset_circuit(webhook)


def disable(webhook: Webhook, value=True, *, ctx=None) -> Webhook:
    """`_disable`: no new deliveries; pending ones wait until `_enable`."""
    if webhook.disabled_at is None:
        webhook.disabled_at = timezone.now()
        webhook.save(update_fields=["disabled_at", "updated_at"])
    return webhook


def enable(webhook: Webhook, value=True, *, ctx=None) -> Webhook:
    if webhook.disabled_at is not None:
        webhook.disabled_at = None
        webhook.save(update_fields=["disabled_at", "updated_at"])
        if webhook.circuit_state == Webhook.CLOSED:
            release_held(webhook)
    return webhook


def prune_task_results() -> int:
    """Delete the queue's finished task rows older than WEBHOOK_TASK_RESULTS_DAYS (the sweeper
    does it hourly): a task row only says a worker ran; what was sent, when and with which
    answer is in the deliveries and event callbacks, kept."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_TASK_RESULTS_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
