"""`Idempotency-Key` on POST and PATCH (orders.md: "A retried trigger never applies twice").

A client that may retry a write sends a key of its choosing (1..255 printable ASCII characters;
anything else is a 400 with `source.parameter: "Idempotency-Key"`). Keys are scoped to the API
client (the token's `application_id`): the same key from two clients is two keys. Within a sales
channel they are also scoped to the caller (limits.md §7): a guest token's keys to that token (any
visitor of a storefront can mint one, so a second guest sending the same key gets its own answer,
never the first guest's order), a customer token's keys to the customer (a customer retrying with
a refreshed token still gets the replay). An integration's keys are the client's: another token of
the same back office replays. Then, for 24 h from the first request:

- the same key with the same request (method, path with its query string, body compared as a
  SHA-256 of its canonical JSON, and the same caller: token kind and customer) replays the first
  response, status and body byte for byte, without running anything again (the replay carries an
  `Idempotent-Replayed: true` header);
- the same key with a different request is a 422 `VALIDATION_ERROR` whose source is
  `{"parameter": "Idempotency-Key"}` (no pointer: nothing in the body is wrong);
- the same key while its first request is still running is a 409 `CONFLICT`, never a second
  execution.

The state lives in the database (`IdempotencyKey`), so it holds across gunicorn workers and
machines. Before executing, a `running` row is inserted in its own short transaction; the unique
constraint on (application, caller, key) makes a concurrent duplicate fail, and that request answers
409 (still running), 422 (different request) or the replay (done). When the request finishes, its
status and rendered body are stored: successes and 4xx alike, so a retry gets the same answer,
except 409 and 429 (transient: the retry should run). On a 5xx or an unexpected exception the row is
deleted so the client may retry. A `running` row older than `IDEMPOTENCY_RUNNING_TIMEOUT` seconds
(default 60, above gunicorn's 30 s worker timeout) was left by a crashed worker and is taken over; a
row older than `IDEMPOTENCY_TTL` (default 24 h) is ignored and replaced. The
`purge_idempotency_keys` management command deletes expired rows.

The row is only visible to other workers once its transaction commits: with ATOMIC_REQUESTS (not
used here) the guarantee across workers would be lost. Requests without the header run exactly
as before, without a single extra query.
"""

import functools
import hashlib
import json
import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone

from commerce.exceptions import BadRequest, CommerceError, Conflict
from commerce.jsonapi import jsontext
from commerce.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
# Answers that are not stored: a retry runs again (5xx are never stored either).
NOT_STORED = frozenset({409, 429})


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_TTL", 24 * 3600))


def running_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_RUNNING_TIMEOUT", 60))


def idempotent(handler):
    """Decorate a ResourceView write handler (`post`, `patch`) to honour `Idempotency-Key`."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.META.get(META_KEY)
        if key is None:
            return handler(view, request, *args, **kwargs)
        return run(view, request, key, lambda: handler(view, request, *args, **kwargs))

    return wrapper


def run(view, request, key: str, execute):
    """Replay the stored answer for this key, or execute once and store the answer."""
    if not KEY_PATTERN.fullmatch(key):
        raise BadRequest(
            f"{HEADER} must be 1 to 255 printable ASCII characters.",
            title="Invalid header",
            parameter=HEADER,
        )
    ctx = request.auth
    record = acquire(
        ctx.application_id,
        key,
        request.method,
        request.get_full_path(),
        fingerprint(request),
        caller=caller_of(ctx),
    )
    if isinstance(record, HttpResponse):
        return record
    try:
        try:
            response = execute()
        except Exception as exc:
            # Render known errors here (DRF's own handler), so that 4xx answers are stored;
            # anything else is re-raised and handled below.
            response = view.handle_exception(exc)
        response = view.finalize_response(request, response)
        if hasattr(response, "render"):
            response.render()
    except BaseException:
        release(record)
        raise
    if response.status_code >= 500 or response.status_code in NOT_STORED:
        release(record)
    else:
        store(record, response)
    return response


def caller_of(ctx) -> str:
    """Whose keys these are within the API client (see the module's docstring)."""
    if ctx.is_customer:
        return f"customer:{ctx.customer_id}"
    if ctx.is_sales_channel:
        return f"token:{ctx.token_id}"
    return ""


def fingerprint(request) -> str:
    """SHA-256 of what makes two requests the same: method, full path, caller and body."""
    ctx = request.auth
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), ctx.kind, str(ctx.customer_id or "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    digest.update(canonical_body(request))
    return digest.hexdigest()


def canonical_body(request) -> bytes:
    """The body as canonical JSON (sorted keys, no insignificant whitespace), else raw bytes."""
    try:
        raw = request._request.body
    except RawPostDataException:  # already parsed by DRF: canonicalise what it parsed
        return _canonical_json(request.data)
    try:
        # Bounded: the body is parsed here before the parser refuses a deep one.
        return _canonical_json(jsontext.loads(raw)) if raw else b""
    except (ValueError, UnicodeDecodeError):
        return raw


def _canonical_json(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8", "surrogatepass")  # a lone surrogate is refused later, not here


def acquire(application_id: int, key: str, method: str, path: str, digest: str, caller: str = ""):
    """The `running` row this request now owns, or the response to give instead.

    Raises Conflict (still running) or a 422 (same key, different request).
    """
    for _ in range(3):
        now = timezone.now()
        owner = uuid.uuid4()
        values = {
            "fingerprint": digest,
            "method": method,
            "path": path[:2000],
            "state": IdempotencyKey.RUNNING,
            "owner": owner,
            "created_at": now,
            "completed_at": None,
            "status_code": None,
            "content_type": "",
            "body": None,
        }
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    application_id=application_id, caller=caller, key=key, **values
                )
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(
            application_id=application_id, caller=caller, key=key
        ).first()
        if existing is None:  # deleted meanwhile (failed or purged): try again
            continue
        expired = existing.created_at <= now - ttl()
        abandoned = (
            existing.state == IdempotencyKey.RUNNING
            and existing.created_at <= now - running_timeout()
        )
        if expired or abandoned:
            # Take it over, unless another request did first (then look again).
            taken = IdempotencyKey.objects.filter(pk=existing.pk, owner=existing.owner).update(
                **values
            )
            if taken:
                existing.__dict__.update(values)
                return existing
            continue
        if existing.fingerprint != digest:
            raise mismatch()
        if existing.state == IdempotencyKey.RUNNING:
            raise in_flight()
        return replay(existing)
    raise in_flight()


def mismatch() -> CommerceError:
    return CommerceError(
        f"{HEADER} has already been used for a different request.",
        title="has already been used for a different request",
        code="VALIDATION_ERROR",
        status=422,
        parameter=HEADER,
        meta={"error": "taken"},
    )


def in_flight() -> Conflict:
    return Conflict(
        f"A request with this {HEADER} is still being processed. Retry later.",
        parameter=HEADER,
    )


def replay(record) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body or b""),
        status=record.status_code,
        content_type=record.content_type or None,
    )
    if not record.body:
        del response["Content-Type"]
    response[REPLAYED_HEADER] = "true"
    return response


def store(record, response) -> None:
    try:
        IdempotencyKey.objects.filter(pk=record.pk, owner=record.owner).update(
            state=IdempotencyKey.DONE,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
            completed_at=timezone.now(),
        )
    except DatabaseError:
        # The write itself is done: answer it. The row stays `running` until it times out.
        logger.exception("could not store the response of idempotency key %s", record.pk)


def release(record) -> None:
    """Forget the key (a failed request may be retried)."""
    try:
        IdempotencyKey.objects.filter(pk=record.pk, owner=record.owner).delete()
    except DatabaseError:
        logger.exception("could not release idempotency key %s", record.pk)


def purge(now=None) -> int:
    """Delete expired keys; returns how many."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
    return deleted
