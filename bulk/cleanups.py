"""Cleanups (bulk.md "Cleanups"): the records of one resource type matching filters, deleted one
by one through the resource's own DELETE service with its guards.

Creating (`create_cleanup`): `resource_type` checked (skus, prices, stock_items, promotions;
the typings' others 422 "is not supported", anything else 422 `inclusion`: placed orders are
never bulk-deleted), `filters` parsed as exports' (`filter[q]` predicates without the `q`,
through the API's own filter parser with an integration token's reach: bulk/exports.py), and
`records_count` counted with the exports' 422s (none; more than 10 000).

Starting (the runner's `prepare`): the matching ids are frozen (`record_ids`, public ids, in id
order) and the chunks planned over them: records created later are not touched.

Processing (`process_cleanup_chunk`): each record read under its lock and deleted by the
resource's `delete_resource` in its own transaction (its `<type>.destroy` with it, and the
job's counter bumped in it too, so a chunk redone after its worker died counts each deletion
once); a record already gone is skipped; a refusal (what DELETE answers with 423 or 422) adds 1
to `errors_count` and `errors_log["<id>"] = {"base": ["<reason>"]}` (the reason is the
error's detail, or for a 422 its `<attribute> - <message>`). The chunk stops early when its
job was interrupted (looked at every STATUS_CHECK_EVERY records).
"""

from django.db import transaction

from bulk import exports, runner
from bulk.imports import resource_view
from bulk.models import Cleanup
from commerce import services
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.events import recording_events
from commerce.exceptions import CommerceError, Locked, NotFound, ValidationError
from commerce.jsonapi.registry import registry

KIND = "cleanups"
SUPPORTED_TYPES = ("skus", "prices", "stock_items", "promotions")
# resources.md "cleanups": the typings' enum.
TYPINGS_ENUM = frozenset(
    ("promotions", "skus", "bundles", "sku_lists", "stock_items", "gift_cards", "sku_options")
    + ("prices",)
)
CHUNK_SIZE = 500
STATUS_CHECK_EVERY = 25
CLEANUP_CTX = TokenContext(kind=INTEGRATION, application_id=0, client_id="cleanups")


def resource_class(resource_type):
    if not isinstance(resource_type, str) or not resource_type:
        raise ValidationError("resource_type", "can't be blank", error="blank")
    if resource_type not in TYPINGS_ENUM:
        raise ValidationError("resource_type", "is not included in the list", error="inclusion")
    if resource_type not in SUPPORTED_TYPES or resource_type not in registry:
        raise ValidationError("resource_type", "is not supported", error="unsupported")
    return registry[resource_type]


@transaction.atomic(savepoint=False)
def create_cleanup(values: dict) -> Cleanup:
    """POST /api/cleanups (integration tokens): checked, counted, created `pending` and handed to
    the runner, which starts it once the transaction commits."""
    resource_cls = resource_class(values.get("resource_type"))
    filters = exports.parse_filters(values.get("filters"))
    count = exports.matching_queryset(resource_cls, filters).count()
    exports.check_records_count(count)
    job = services.create_record(
        Cleanup,
        dict(
            resource_type=resource_cls.resource_type,
            filters=values.get("filters") or None,
            records_count=count,
            reference=values.get("reference"),
            reference_origin=values.get("reference_origin"),
            metadata=values.get("metadata") or {},
        ),
    )
    runner.start_job(KIND, job, count, chunk_size=CHUNK_SIZE)
    return job


def prepare_cleanup(job: Cleanup) -> int:
    """The runner's `prepare`: freeze the ids matching now; the chunks are planned over them."""
    resource_cls = registry[job.resource_type]
    qs = exports.matching_queryset(resource_cls, exports.parse_filters(job.filters))
    ids = list(qs.values_list("public_id", flat=True))
    Cleanup.objects.filter(pk=job.pk).update(record_ids=ids, records_count=len(ids))
    job.record_ids, job.records_count = ids, len(ids)
    return len(ids)


def delete_cleanup(job: Cleanup) -> None:
    """DELETE: 423 while in progress; else the job with its chunks (never the records)."""
    if job.status == "in_progress":
        raise Locked("The cleanup is in progress.")
    runner.delete_job_data(KIND, job)
    services.delete_record(job)


def refusal_reason(exc: CommerceError) -> str:
    items = exc.items()
    return items[0].detail if items else str(exc)


def delete_one(view, job: Cleanup, public_id: str) -> None:
    """One record in its own transaction: deleted and counted, or its refusal logged."""
    try:
        with transaction.atomic(), recording_events():
            instance = view.get_object(public_id, for_update=True)
            view.delete_resource(instance, view.ctx)
            runner.bump(job, processed=1)
    except NotFound:
        return  # gone already (deleted meanwhile, or by this chunk's earlier run)
    except CommerceError as exc:
        log_refusal(job, public_id, refusal_reason(exc))


@transaction.atomic
def log_refusal(job: Cleanup, public_id: str, reason: str) -> None:
    locked = Cleanup.objects.select_for_update().only("errors_log").get(pk=job.pk)
    errors_log = dict(locked.errors_log or {})
    if public_id in errors_log:  # logged by this chunk's earlier run
        return
    errors_log[public_id] = {"base": [reason]}
    Cleanup.objects.filter(pk=job.pk).update(errors_log=errors_log)
    runner.bump(job, errors=1)


def process_cleanup_chunk(job: Cleanup, chunk) -> None:
    """The runner's `process_chunk` for cleanups (module docstring)."""
    view = resource_view(registry[job.resource_type], CLEANUP_CTX)
    ids = (job.record_ids or [])[chunk.first : chunk.last]
    for n, public_id in enumerate(ids):
        if n and n % STATUS_CHECK_EVERY == 0:
            status = Cleanup.objects.values_list("status", flat=True).get(pk=job.pk)
            if status != "in_progress":
                return
        delete_one(view, job, public_id)


runner.register_kind(KIND, process_chunk=process_cleanup_chunk, prepare=prepare_cleanup)
