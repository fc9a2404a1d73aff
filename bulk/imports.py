"""Imports (bulk.md "Imports"): records of one resource type created or updated from a JSON
array or a CSV text, each exactly as the equivalent POST or PATCH would (the registered
resource's own `parse_write`, `create_resource`/`update_resource` and triggers: same
serializers, services and messages).

Creating (`create_import`): `inputs` parsed and checked (1 to MAX_RECORDS records: 422 on
`inputs` otherwise), stored as a list of flat objects (CSV cells kept as text, cast when the
record is applied), a gzipped copy written at once (FileChunk rows: `attachment_url` links it
once the import is finished), and the job handed to the runner (bulk/runner.py) in chunks of
CHUNK_SIZE records.

Processing (`process_import_chunk`): one transaction per chunk, a savepoint per record; a failed
record rolls back to its savepoint (its events dropped with it) and is logged; the chunk's
counters, its errors (merged into `errors_log` under the job's row lock, held only from there
to the commit) and the chunk's completion commit together, so a chunk taken over after its
worker died is redone whole and no record is applied twice. The chunk's events are written by
one statement (`recording_events`). Records' own `<type>.create|update` only with
IMPORTS_TRIGGER_WEBHOOKS. Unless `skip_errors`, the chunk stops as soon as the job's errors
exceed 10 % of `inputs_size` and interrupts it in that same transaction.

Decisions where the spec is silent:
- The records are written with an integration token's reach over every market (IMPORT_CTX):
  the job runs as the organization, whoever created it.
- A record's `id` that matches nothing, or a unique key naming no parent record, is that
  record's error (`{"id": ["not found"]}`; the key's own 422 from the write path).
- A CSV `tags.id` column is read as the tags' ids, attached like `tags.name` (`_add_tags`).
"""

import csv
import io
import json
import logging
from contextlib import nullcontext
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from rest_framework import serializers as drf

from bulk import files, runner
from bulk.models import Import
from commerce import services
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.events import dropped_on_error, recording_events, without_generic_events
from commerce.exceptions import (
    CommerceError,
    Locked,
    NotFound,
    RecordNotUnique,
    ValidationError,
    ValidationErrors,
)
from commerce.jsonapi.registry import registry

logger = logging.getLogger(__name__)

KIND = "imports"
MAX_RECORDS = 10_000
CHUNK_SIZE = 500
FORMATS = ("json", "csv")
ERROR_THRESHOLD = 0.10  # CL's documented limit: more errors than this share interrupts
IMPORT_CTX = TokenContext(kind=INTEGRATION, application_id=0, client_id="imports")

# bulk.md "Imports": the supported types, the unique key besides `id` (record keys), and the
# key `parent_resource_id` fills.
UNIQUE_KEYS = {
    "skus": ("code",),
    "prices": ("sku_code", "price_list_id"),
    "stock_items": ("sku_code", "stock_location_id"),
    "stock_locations": ("code",),
    "shipping_categories": ("code",),
    "customers": ("email",),
    "customer_addresses": ("customer_id", "address_id"),
    "addresses": (),
    "coupons": ("code", "promotion_rule_id"),
    "tax_categories": ("sku_code", "tax_calculator_id"),
    "tags": ("name",),
}
PARENT_KEYS = {
    "prices": "price_list_id",
    "stock_items": "stock_location_id",
    "customer_addresses": "customer_id",
    "coupons": "promotion_rule_id",
    "tax_categories": "tax_calculator_id",
}
# resources.md "imports": the typings' enum (those not in UNIQUE_KEYS: "is not supported").
TYPINGS_ENUM = frozenset(
    "addresses tags price_lists line_items orders tax_categories skus shipping_categories "
    "bundles sku_lists sku_list_items stock_items stock_locations coupons customers "
    "customer_addresses customer_payment_sources customer_subscriptions gift_cards "
    "line_item_options stock_transfers sku_options prices price_tiers".split()
)
TAG_COLUMNS = ("tags.name", "tags.id")


# --- the request ---------------------------------------------------------------------------


def resource_class(resource_type):
    if not isinstance(resource_type, str) or not resource_type:
        raise ValidationError("resource_type", "can't be blank", error="blank")
    if resource_type not in TYPINGS_ENUM:
        raise ValidationError("resource_type", "is not included in the list", error="inclusion")
    if resource_type not in UNIQUE_KEYS or resource_type not in registry:
        raise ValidationError("resource_type", "is not supported", error="unsupported")
    return registry[resource_type]


def _inputs_error(message: str, error: str = "invalid", **meta) -> ValidationError:
    return ValidationError("inputs", message, error=error, **meta)


def _check_count(count: int) -> None:
    if count == 0:
        raise _inputs_error("can't be blank", "blank")
    if count > MAX_RECORDS:
        raise _inputs_error(
            f"must be less than or equal to {MAX_RECORDS}",
            "less_than_or_equal_to",
            count=MAX_RECORDS,
            value=count,
        )


def parse_json_inputs(inputs) -> list[dict]:
    """An array of 1 to MAX_RECORDS objects."""
    if not isinstance(inputs, list) or not all(isinstance(r, dict) for r in inputs):
        raise _inputs_error("must be an array of objects")
    _check_count(len(inputs))
    return inputs


def parse_csv_inputs(inputs) -> list[dict]:
    """One CSV text (header line, then a line per record; RFC 4180 quoting, `\\n` or `\\r\\n`)
    or an array of its lines. Records are {column: cell}, empty cells left out (absent)."""
    if isinstance(inputs, list) and all(isinstance(line, str) for line in inputs):
        inputs = "\n".join(line.rstrip("\r\n") for line in inputs)
    if not isinstance(inputs, str):
        raise _inputs_error("must be a CSV text or an array of CSV lines")
    try:
        rows = [row for row in csv.reader(io.StringIO(inputs, newline="")) if row]
    except csv.Error as exc:
        raise _inputs_error(f"is not valid CSV ({exc})") from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise _inputs_error("can't be blank", "blank")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or "" in header:
        raise _inputs_error("has a header with blank or repeated columns")
    _check_count(len(rows) - 1)
    records = []
    for number, row in enumerate(rows[1:], start=1):
        if len(row) > len(header):
            raise _inputs_error(f"line {number + 1} has more cells than the header")
        records.append({name: cell for name, cell in zip(header, row, strict=False) if cell != ""})
    return records


def parse_inputs(fmt: str, inputs) -> list[dict]:
    if inputs is None:
        raise _inputs_error("can't be blank", "blank")
    return parse_csv_inputs(inputs) if fmt == "csv" else parse_json_inputs(inputs)


def inputs_file(fmt: str, records: list[dict]) -> bytes:
    """The copy behind `attachment_url`: the records as JSON, or CSV with a header of every
    column (what was sent, parsed: blank lines and empty cells left out)."""
    if fmt != "csv":
        return json.dumps(records, separators=(",", ":")).encode()
    columns = list(dict.fromkeys(name for record in records for name in record))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


@transaction.atomic(savepoint=False)
def create_import(values: dict) -> Import:
    """POST /api/imports (integration tokens): checked, stored `pending` with its copy, and handed
    to the runner, which starts it once the transaction commits."""
    errors = []
    try:
        resource_class(values.get("resource_type"))
    except ValidationError as exc:
        errors.append(exc)
    fmt = values.get("format") or "json"
    if fmt not in FORMATS:
        errors.append(ValidationError("format", "is not included in the list", error="inclusion"))
    records = None
    if fmt in FORMATS:
        try:
            records = parse_inputs(fmt, values.get("inputs"))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationErrors(errors)
    job = services.create_record(
        Import,
        dict(
            resource_type=values["resource_type"],
            format=fmt,
            parent_resource_id=values.get("parent_resource_id") or None,
            skip_errors=bool(values.get("skip_errors")),
            inputs=records,
            inputs_size=len(records),
            reference=values.get("reference"),
            reference_origin=values.get("reference_origin"),
            metadata=values.get("metadata") or {},
        ),
    )
    files.write_file(KIND, job.pk, inputs_file(fmt, records))
    runner.start_job(KIND, job, len(records), chunk_size=CHUNK_SIZE)
    job._created_inputs = values.get("inputs")  # echoed by the create's answer only
    return job


def delete_import(job: Import) -> None:
    """DELETE: 423 while in progress; else the job with its chunks and its file (never the
    records it wrote)."""
    if job.status == "in_progress":
        raise Locked("The import is in progress.")
    runner.delete_job_data(KIND, job)
    services.delete_record(job)


def attachment_url(job: Import, request=None) -> str | None:
    """The signed link to the copy of the inputs, once the import is finished."""
    if job.status not in ("completed", "interrupted"):
        return None
    return files.signed_url(KIND, job, request)


# --- one record ------------------------------------------------------------------------------


class _WorkerRequest(SimpleNamespace):
    """Stands in for the request a resource's write path reads (its token, its query)."""

    def build_absolute_uri(self, location: str = "/") -> str:
        return location


def resource_view(resource_cls, ctx: TokenContext = IMPORT_CTX):
    view = resource_cls()
    view.request = _WorkerRequest(
        auth=ctx, method="POST", data={}, query_params=QueryDict(), user=None, META={}
    )
    view.format_kwarg = None
    view.kwargs = {}
    return view


def _cast(field, text: str):
    """A CSV cell as the attribute's type (bulk.md: integers, numbers, true/false, JSON for
    object attributes); what doesn't parse stays text, for the write path's own message."""
    try:
        if isinstance(field, drf.BooleanField):
            lowered = text.strip().lower()
            return {"true": True, "false": False}.get(lowered, text)
        if isinstance(field, drf.IntegerField):
            return int(text)
        if isinstance(field, drf.FloatField | drf.DecimalField):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if isinstance(field, drf.JSONField | drf.DictField | drf.ListField | drf.HStoreField):
            return json.loads(text)
    except ValueError:
        return text
    return text


def cast_csv_record(resource_cls, record: dict) -> dict:
    fields = resource_cls.serializer_class().fields
    return {
        name: _cast(fields[name], value) if name in fields else value
        for name, value in record.items()
    }


def _target_type(rel, public_id: str) -> str:
    """The type of a to-one relationship's target (a polymorphic one: the type holding it)."""
    if len(rel.types) > 1:
        for type_name in rel.types:
            target = registry.get(type_name)
            if target and target.model._default_manager.filter(public_id=public_id).exists():
                return type_name
    return rel.types[0]


def resource_object(resource_cls, record: dict) -> dict:
    """A flat record as the resource object a POST/PATCH carries: `<name>_id` of a to-one
    relationship as its linkage, `tags.name`/`tags.id` as `_add_tags`, the rest attributes."""
    rels = resource_cls.relationships()
    attributes, relationships, tag_names = {}, {}, []
    for key, value in record.items():
        if key == "id":
            continue
        if key in TAG_COLUMNS:
            tag_names += _tag_names(key, value)
            continue
        name = key[:-3] if key.endswith("_id") else None
        rel = rels.get(name) if name else None
        if rel is not None and not rel.many:
            linkage = None
            if value not in (None, ""):
                linkage = {"type": _target_type(rel, str(value)), "id": str(value)}
            relationships[name] = {"data": linkage}
        else:
            attributes[key] = value
    if tag_names:
        attributes["_add_tags"] = ",".join(tag_names)
    return {
        "type": resource_cls.resource_type,
        "attributes": attributes,
        "relationships": relationships,
    }


def _tag_names(column: str, value) -> list[str]:
    items = [v.strip() for v in str(value).split(",") if v.strip()]
    if column == "tags.name" or not items:
        return items
    tag_cls = registry.get("tags")
    if tag_cls is None:
        return []
    found = tag_cls.model._default_manager.filter(public_id__in=items)
    return list(found.values_list("name", flat=True))


def key_lookup(resource_cls, key: str) -> str:
    """The ORM lookup of a unique-key member: a code helper (`sku_code` -> `sku__code`), a
    relationship id (`price_list_id` -> `price_list__public_id`), else the attribute."""
    if key in resource_cls.code_references:
        rel_name, field_name = resource_cls.code_references[key]
        rel = resource_cls.relationships()[rel_name]
        return f"{rel.source_for(rel_name)}__{field_name}"
    if key.endswith("_id") and key[:-3] in resource_cls.relationships():
        rel = resource_cls.relationships()[key[:-3]]
        return f"{rel.source_for(key[:-3])}__public_id"
    return key


def key_value(resource_type: str, record: dict) -> str | None:
    """The record's unique key (bulk.md table) as text ("24-WB01/vLrWRCJWBE"), None if absent."""
    keys = UNIQUE_KEYS[resource_type]
    values = [record.get(k) for k in keys]
    if not keys or any(v in (None, "") for v in values):
        return None
    return "/".join(str(v) for v in values)


def find_existing(view, record: dict):
    """The record to update, read under its lock: by `id` (NotFound when unknown), else by
    the unique key, else None (create)."""
    resource_cls = type(view)
    if record.get("id") not in (None, ""):
        return view.get_object(str(record["id"]), for_update=True)
    match = match_by_key(resource_cls, record)
    return None if match is None else view.get_object(match, for_update=True)


def match_by_key(resource_cls, record: dict):
    """The id of the row holding the record's unique key (bulk.md table), else None."""
    if key_value(resource_cls.resource_type, record) is None:
        return None
    lookups = {
        key_lookup(resource_cls, key): record[key]
        for key in UNIQUE_KEYS[resource_cls.resource_type]
    }
    rows = resource_cls.scoped_queryset(IMPORT_CTX).filter(**lookups).order_by()
    return rows.values_list("public_id", flat=True).first()


def apply_record(view, record: dict, attempt: dict | None = None):
    """Create or update one record through the resource's own write path (`attempt` is told
    which of the two it tried)."""
    instance = find_existing(view, record)
    if attempt is not None:
        attempt["creating"] = instance is None
    data = resource_object(type(view), record)
    values, trigger_calls = view.parse_write(data, instance=instance)
    if instance is None:
        instance = view.create_resource(values, view.ctx)
    else:
        instance = view.update_resource(instance, values, view.ctx)
    return view.triggers.run(instance, trigger_calls, view.ctx)


def prepared_record(job: Import, resource_cls, record: dict) -> dict:
    """The record as its resource reads it: CSV cells cast, the parent filled in (the
    record's own parent value wins, CL)."""
    if job.format == "csv":
        record = cast_csv_record(resource_cls, record)
    parent_key = PARENT_KEYS.get(job.resource_type)
    if parent_key and job.parent_resource_id and record.get(parent_key) in (None, ""):
        record = {**record, parent_key: job.parent_resource_id}
    return record


def import_record(view, record: dict) -> None:
    """One record in its savepoint. The loser of a unique-key race (another chunk or import
    created the key between our lookup and our write: the database's 409, or the serializer's
    "has already been taken" once the winner committed) retries once as an update, when the
    key now finds the winner's row."""
    attempt = {}
    try:
        with transaction.atomic(), dropped_on_error():
            apply_record(view, record, attempt)
    except (RecordNotUnique, ValidationError, ValidationErrors):
        if not (attempt.get("creating") and _lost_race(view, record)):
            raise
        with transaction.atomic(), dropped_on_error():
            apply_record(view, record)


def _lost_race(view, record: dict) -> bool:
    return record.get("id") in (None, "") and match_by_key(type(view), record) is not None


def error_messages(exc: Exception) -> dict[str, list[str]]:
    """A failed record's errors as CL logs them: {attribute: [message, ...]}."""
    if isinstance(exc, NotFound):
        return {"id": ["not found"]}
    if isinstance(exc, ValidationErrors | ValidationError):
        found: dict[str, list[str]] = {}
        for error in exc.errors if isinstance(exc, ValidationErrors) else [exc]:
            found.setdefault(error.name, []).append(error.title)
        return found
    if isinstance(exc, CommerceError):
        found = {}
        for item in exc.items():
            pointer = item.pointer or ""
            name = pointer.rsplit("/", 1)[-1] if pointer.startswith("/data/") else "base"
            found.setdefault(name or "base", []).append(item.detail)
        return found
    return {"base": [f"could not be imported ({exc.__class__.__name__})"]}


def log_key(job: Import, record: dict, number: int) -> str:
    """bulk.md: the unique key's value, else the record's id, else `#<n>` (1-based)."""
    return (
        key_value(job.resource_type, record)
        or (record.get("id") and str(record["id"]))
        or (f"#{number}")
    )


# --- a chunk ---------------------------------------------------------------------------------


def over_threshold(job: Import, errors_count: int) -> bool:
    return not job.skip_errors and errors_count > job.inputs_size * ERROR_THRESHOLD


def process_import_chunk(job: Import, chunk) -> None:
    """The runner's `process_chunk` for imports (module docstring)."""
    resource_cls = registry[job.resource_type]
    view = resource_view(resource_cls)
    records = (job.inputs or [])[chunk.first : chunk.last]
    trigger = settings.IMPORTS_TRIGGER_WEBHOOKS
    with transaction.atomic(), recording_events():
        errors_so_far = Import.objects.values_list("errors_count", flat=True).get(pk=job.pk)
        processed, log = 0, []
        for offset, raw in enumerate(records):
            if over_threshold(job, errors_so_far + len(log)):
                break  # the records not reached stay untouched
            number = chunk.first + offset + 1
            record = raw if isinstance(raw, dict) else {}
            try:
                record = prepared_record(job, resource_cls, record)
                with nullcontext() if trigger else without_generic_events():
                    import_record(view, record)
                processed += 1
            except CommerceError as exc:
                log.append((log_key(job, record, number), number, error_messages(exc)))
            except Exception as exc:  # a failure of ours: logged on the record, never a 500
                logger.exception("import %s record %s", job.pk, number)
                log.append((log_key(job, record, number), number, error_messages(exc)))
        errors_count = record_outcome(job, processed, log)
        if over_threshold(job, errors_count):
            runner.move_job(job, "interrupted")
        runner.complete_chunk(chunk)


def record_outcome(job: Import, processed: int, log: list) -> int:
    """Add the chunk's counts and errors to the job, under its row lock (taken here, at the
    chunk's end, so parallel chunks don't wait on each other while they work). Returns the
    job's errors_count."""
    locked = Import.objects.select_for_update().only("errors_log", "errors_count").get(pk=job.pk)
    errors_log = dict(locked.errors_log or {})
    for key, number, messages in log:
        if key in errors_log:
            key = f"{key} (#{number})"
        errors_log[key] = messages
    runner.bump(job, processed=processed, errors=len(log))
    if log:
        Import.objects.filter(pk=job.pk).update(errors_log=errors_log)
    return locked.errors_count + len(log)


def finish_import(job: Import) -> None:
    """The runner's `finish`: the inputs are emptied (their copy stays as the attachment)."""
    Import.objects.filter(pk=job.pk).update(inputs=None)


runner.register_kind(KIND, process_chunk=process_import_chunk, finish=finish_import)
