"""The job runner shared by imports, exports and cleanups (bulk.md "Jobs").

Interface (what a kind's module calls):

    from bulk import runner

    runner.register_kind(
        "exports",
        process_chunk=process_export_chunk,  # (job, chunk) -> None; chunk.first/.last: range
        finish=finish_export,                # (job) -> None, optional; before `completed`
        prepare=prepare_export,              # (job) -> int | None, optional; see below
    )
    runner.start_job("exports", job, total, chunk_size=500)  # inside the create transaction
    runner.interrupt(job)                     # `_interrupt`: 422 on status unless running/pending
    runner.move_job(job, "interrupted", errors_log={...})  # the one writer of a job's status
    runner.bump(job, processed=1, errors=1)   # atomic counter increments, visible at once
    runner.complete_chunk(chunk)              # optional, inside the kind's own transaction

- `start_job` plans `ceil(total / chunk_size)` JobChunk rows (records [first, last) of the
  job's list) and, once the transaction commits, admits the job: at most
  BULK_MAX_RUNNING_JOBS (10) jobs of a kind are `in_progress`; the others wait `pending` and
  are admitted in creation order when a running one ends. Admission moves the job to
  `in_progress` (`<kind>.start`), calls `prepare(job)` if registered (it may return a new
  total: the chunks are planned again, e.g. an export counting its records when it starts)
  and enqueues one django-tasks task (`run_job_chunk`) per chunk. A job of total 0 completes at
  once.
- A task claims its chunk with a lease (BULK_LEASE_SECONDS; `SELECT ... FOR UPDATE SKIP
  LOCKED` on PostgreSQL, compare-and-set on the lease token everywhere), calls the kind's
  `process_chunk(job, chunk)` outside any transaction (the kind opens its own: one per chunk
  for imports, one per record for cleanups), then marks the chunk done and bumps
  `chunks_done`; the worker finishing the last chunk calls `finish(job)` and completes the job
  (compare-and-set on status). A kind that wants "records applied exactly once" calls
  `complete_chunk(chunk)` itself inside its chunk transaction: if its lease was lost meanwhile,
  that raises `LeaseLost` and the whole chunk rolls back (the successor redoes it).
- A chunk of a job that is no longer `in_progress` (interrupted) is marked done unprocessed.
- A dead worker's chunk is taken over when its lease expires: `sweep()` (`manage.py
  sweep_jobs [--every N]`) re-enqueues such chunks and those whose task was lost.
- A failure of ours (an exception from `process_chunk` other than LeaseLost) interrupts the
  job with `errors_log["base"] = {"base": ["chunk <n> failed (<Error>)"]}`.
- `move_job(job, to)` is the one writer of a job's status; `move_chunk` of a chunk's.

Tests run the tasks in process with `tests.bulk_support.run_jobs()`.
"""

import logging
import math
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from bulk.models import Cleanup, Export, Import, JobChunk
from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import write_fields

logger = logging.getLogger(__name__)

MODELS = {"imports": Import, "exports": Export, "cleanups": Cleanup}
_KINDS: dict[str, dict] = {}

# The moves a job's status may make (bulk.md "Jobs").
MOVES = {
    "in_progress": ("pending",),
    "completed": ("in_progress",),
    "interrupted": ("pending", "in_progress"),
}
STAMPS = {"in_progress": "started_at", "completed": "completed_at", "interrupted": "interrupted_at"}
TOPICS = {"in_progress": "start", "completed": "complete", "interrupted": "interrupt"}


class LeaseLost(Exception):
    """This worker's lease on a chunk was taken over: its work must not commit."""


def register_kind(kind: str, *, process_chunk, finish=None, prepare=None) -> None:
    _KINDS[kind] = {"process_chunk": process_chunk, "finish": finish, "prepare": prepare}


def max_running() -> int:
    return settings.BULK_MAX_RUNNING_JOBS


def lease_seconds() -> float:
    return settings.BULK_LEASE_SECONDS


def kind_of(job) -> str:
    return next(kind for kind, model in MODELS.items() if isinstance(job, model))


# --- status -----------------------------------------------------------------------------------


def move_job(job, to: str, **changes) -> bool:
    """The one writer of a job's status: `to` from the statuses MOVES allows (compare-and-set),
    stamping its date and recording `<kind>.start|complete|interrupt`. `changes` are other
    fields written with the move (e.g. an `errors_log`). False when the job had moved already."""
    kind = kind_of(job)
    now = timezone.now()
    values = {STAMPS[to]: now, "updated_at": now, **changes}
    with transaction.atomic():
        rows = type(job).objects.filter(pk=job.pk, status__in=MOVES[to])
        if not rows.update(status=to, **values):
            return False
        for name, value in {"status": to, **values}.items():
            setattr(job, name, value)
        emit_event(f"{kind}.{TOPICS[to]}", job)
        if to != "in_progress":  # a place among the running jobs is free
            transaction.on_commit(partial(admit, kind), robust=True)
    return True


def move_chunk(chunk_id: int, to: str, *, token=None, expires=None) -> bool:
    """The one writer of a chunk's status: `running` under a new lease (`token`, `expires`)
    from pending or an expired lease, or `done` by the lease holder (`token`; None: any holder,
    for an interrupted job's chunks). False when it was not this caller's move."""
    now = timezone.now()
    rows = JobChunk.objects.filter(pk=chunk_id).exclude(status="done")
    if to == "running":
        rows = rows.filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
        return bool(
            rows.update(
                status="running",
                lease_token=token,
                lease_expires_at=expires,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        )
    if token is not None:
        rows = rows.filter(lease_token=token)
    return bool(rows.update(status="done", lease_expires_at=None, updated_at=now))


def interrupt(job) -> None:
    """`_interrupt` (bulk.md "Jobs"): pending or in_progress -> interrupted; 422 on `status`
    for a finished job. The chunks not yet run are skipped by their tasks."""
    if not move_job(job, "interrupted"):
        raise ValidationError("status", "can't be interrupted", error="invalid", value=job.status)


def interrupt_trigger(job, value, *, ctx=None):
    """The `_interrupt` trigger of every kind of job: `interrupt`, answered with the job."""
    interrupt(job)
    return job


def update_job(job, values: dict):
    """PATCH of any kind of job: the common attributes (`reference`, `reference_origin`,
    `metadata`; the serializers refuse the create-only ones). Only those columns are written:
    a running job's counters, bumped by its workers meanwhile, are never written back from
    this copy."""
    if not values:
        return job
    for field_name, value in values.items():
        setattr(job, field_name, value)
    return write_fields(job, [*values, "updated_at"])


def bump(job, *, processed: int = 0, errors: int = 0, warnings: int = 0) -> None:
    """Add to the job's counters by atomic increments (visible to readers while it runs)."""
    values = {}
    if processed:
        values["processed_count"] = F("processed_count") + processed
    if errors:
        values["errors_count"] = F("errors_count") + errors
    if warnings:
        values["warnings_count"] = F("warnings_count") + warnings
    if values:
        type(job).objects.filter(pk=job.pk).update(**values)


# --- planning and admission -------------------------------------------------------------------


def plan_chunks(kind: str, job, total: int, chunk_size: int = 500) -> None:
    """(Re)plan the job's chunks: records [0, total) in ranges of `chunk_size`."""
    JobChunk.objects.filter(kind=kind, job_id=job.pk).delete()
    count = math.ceil(total / chunk_size) if total > 0 else 0
    JobChunk.objects.bulk_create(
        JobChunk(
            kind=kind,
            job_id=job.pk,
            position=i,
            first=i * chunk_size,
            last=min(total, (i + 1) * chunk_size),
        )
        for i in range(count)
    )
    job.chunks_count, job.chunks_done = count, 0
    type(job).objects.filter(pk=job.pk).update(chunks_count=count, chunks_done=0)


def start_job(kind: str, job, total: int, chunk_size: int = 500) -> None:
    """Plan the job's chunks; once the caller's transaction commits, admit it (or let it wait
    pending behind BULK_MAX_RUNNING_JOBS running jobs of its kind)."""
    plan_chunks(kind, job, total, chunk_size)
    transaction.on_commit(partial(admit, kind), robust=True)


def admit(kind: str) -> list[int]:
    """Start the oldest pending jobs of `kind` while fewer than BULK_MAX_RUNNING_JOBS run.
    Returns the ids of the jobs started. Admitters serialize on the pending rows' locks."""
    model = MODELS[kind]
    started = []
    with transaction.atomic():
        pending = model.objects.filter(status="pending").order_by("created_at", "id")
        if connection.features.has_select_for_update:
            pending = pending.select_for_update()
        pending = list(pending[: max_running()])
        room = max_running() - model.objects.filter(status="in_progress").count()
        for job in pending[: max(room, 0)]:
            if not move_job(job, "in_progress"):
                continue
            hooks = _KINDS.get(kind, {})
            if hooks.get("prepare"):
                total = hooks["prepare"](job)
                if total is not None:
                    size = _chunk_size(kind, job)
                    plan_chunks(kind, job, total, size)
            started.append(job.pk)
            if job.chunks_count == 0:
                _complete(kind, job)
            else:
                ids = list(
                    JobChunk.objects.filter(kind=kind, job_id=job.pk).values_list("pk", flat=True)
                )
                transaction.on_commit(partial(enqueue, ids), robust=True)
    return started


def _chunk_size(kind: str, job) -> int:
    first = JobChunk.objects.filter(kind=kind, job_id=job.pk, position=0).first()
    return max(first.last - first.first, 1) if first else 500


def enqueue(chunk_ids) -> None:
    for pk in chunk_ids:
        run_job_chunk.enqueue(pk)


# --- running a chunk --------------------------------------------------------------------------


def _skip_locked(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def claim(chunk_id: int) -> JobChunk | None:
    """Take the chunk for BULK_LEASE_SECONDS, or None when it is done or leased by a live
    worker. PostgreSQL skips a row another worker is claiming."""
    now = timezone.now()
    token = secrets.token_hex(16)
    expires = now + timedelta(seconds=lease_seconds())
    with transaction.atomic():
        claimable = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
        rows = JobChunk.objects.filter(claimable, pk=chunk_id).exclude(status="done")
        chunk = _skip_locked(rows).first()
        if chunk is None or not move_chunk(chunk.pk, "running", token=token, expires=expires):
            return None
    chunk.lease_token, chunk.lease_expires_at = token, expires
    return chunk


def complete_chunk(chunk: JobChunk) -> bool:
    """Mark the claimed chunk done and count it; the last one completes its job. Call it inside
    the transaction that commits the chunk's work to make both one: LeaseLost (rolling the
    work back) if the lease was taken over. Idempotent: False when already done by us."""
    if getattr(chunk, "_completed", False):
        return False
    with transaction.atomic():
        if not move_chunk(chunk.pk, "done", token=chunk.lease_token):
            raise LeaseLost(str(chunk))
        chunk._completed = True
        model = MODELS[chunk.kind]
        rows = model.objects.filter(pk=chunk.job_id)
        rows.update(chunks_done=F("chunks_done") + 1)
        done, count, status = rows.values_list("chunks_done", "chunks_count", "status").get()
        if done >= count and status == "in_progress":
            _complete(chunk.kind, rows.get())
    return True


def _complete(kind: str, job) -> None:
    finish = _KINDS.get(kind, {}).get("finish")
    if finish:
        finish(job)
    move_job(job, "completed")


def run_chunk(chunk_id: int) -> str:
    """The task's body: claim the chunk, process it if its job still runs, complete it."""
    chunk = claim(chunk_id)
    if chunk is None:
        return "not ours"
    model = MODELS[chunk.kind]
    job = model.objects.filter(pk=chunk.job_id).first()
    if job is None or job.status != "in_progress":
        move_chunk(chunk.pk, "done", token=chunk.lease_token)
        return "skipped"
    try:
        _KINDS[chunk.kind]["process_chunk"](job, chunk)
        complete_chunk(chunk)
    except LeaseLost:
        return "lease lost"
    except Exception as exc:
        # A failure of ours (bulk.md "Jobs"): the job is interrupted with it in `errors_log`,
        # rather than its chunk retried forever.
        logger.exception("%s %s chunk %s failed", chunk.kind, chunk.job_id, chunk.position)
        failed(job, chunk, exc)
        return "failed"
    return "done"


def failed(job, chunk: JobChunk, exc: Exception) -> None:
    with transaction.atomic():
        log = type(job).objects.values_list("errors_log", flat=True).get(pk=job.pk) or {}
        reason = f"chunk {chunk.position + 1} failed ({exc.__class__.__name__})"
        earlier = (log.get("base") or {}).get("base", [])
        log = {**log, "base": {"base": [*earlier, reason]}}  # shaped as a record's errors
        move_job(job, "interrupted", errors_log=log)
        move_chunk(chunk.pk, "done", token=chunk.lease_token)


@task()
def run_job_chunk(chunk_id: int) -> str:
    """The one background task of bulk jobs: "run chunk X". The JobChunk row says what and
    whether; a lost or duplicated task costs nothing (sweep)."""
    return run_chunk(chunk_id)


def sweep() -> int:
    """Re-enqueue the chunks whose worker died (lease expired) or whose task was lost (pending
    for BULK_SWEEP_GRACE_SECONDS since it was planned; a duplicate task finds the chunk taken
    and does nothing), and admit waiting jobs. Returns how many chunks were re-enqueued."""
    now = timezone.now()
    grace = timedelta(seconds=settings.BULK_SWEEP_GRACE_SECONDS)
    ids = list(
        JobChunk.objects.filter(
            Q(status="running", lease_expires_at__lte=now)
            | Q(status="pending", updated_at__lte=now - grace)
        ).values_list("pk", flat=True)
    )
    enqueue(ids)
    for kind in MODELS:
        admit(kind)
    return len(ids)


def delete_job_data(kind: str, job) -> None:
    """Remove a finished job's chunks and files (the job row is deleted by its caller)."""
    from bulk.models import FileChunk

    JobChunk.objects.filter(kind=kind, job_id=job.pk).delete()
    FileChunk.objects.filter(kind=kind, job_id=job.pk).delete()
