"""Exports (bulk.md "Exports"): the records of one resource type, filtered, with their includes,
written to a gzipped JSON or CSV file stored in FileChunk rows (bulk/files.py).

Creating (`create_export`): the request is checked here (422 on the attribute at fault) and the
matching records counted (`records_count`: none, or more than MAX_RECORDS, is a 422 with the
meta the CLI reads); the job is handed to the runner (bulk/runner.py) in the create's
transaction.

Processing: ONE chunk per export, written by `process_export_chunk` in a single streaming pass.
The file is one ordered stream (a JSON array, a CSV whose header comes first, records in `id`
order), so its parts can't be written by parallel workers without a second pass to stitch them;
an export holds at most MAX_RECORDS records, a few seconds of work. The pass reads the records
in `id` order by keyset batches of BATCH_SIZE (`public_id > last`), includes prefetched per
batch, renders each batch with the API's document builder (commerce/jsonapi/document.py) with
an integration token's reach, flattens it, and writes it as one gzip member through
files.FileWriter (rows of at most 1 MiB): memory holds one batch, never the file.
Progress (`processed_count`) is bumped after each batch, committed at once (visible while it
runs). A chunk taken over after its worker died starts again from an empty file; a worker that
lost its lease stops at its next batch (`_check_lease`). The records are counted again when
the export starts (`prepare_export`) and `records_count` ends as what the file holds (records
created or deleted between the count and the pass change it; never more than MAX_RECORDS).
Filters and includes read with the worker's integration reach (every market), as the
integration token that created the export reads them; `jwt_filters` is kept, not applied.

The flat shape (bulk.md): `id`, the attributes as an integration token reads them (`fields`
applied to the exported type; the `_id`s are written whatever `fields` says), `<name>_id` for
every to-one relationship of one target type (includable ones: they are prefetched per batch as
the builder's includes are; a polymorphic one, a line item's `item`, has none), and each
included relationship nested under its name (an object, or an array for a to-many), recursively
in the same shape. `dry_data` leaves out `*_float` and `formatted_*`; secrets
(commerce/jsonapi/secrets.py) are never written, whatever the token could read.
CSV: a header of every key, computed from the declarations (the serializer's fields in render
order, the money members, the `_id`s, the includes); nested to-one objects flatten to
`<name>.<attribute>`, arrays and objects are JSON text, booleans `true`/`false`, null empty.
"""

import csv
import gc
import io
import json
from functools import partial

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from bulk import files, runner
from bulk.models import Export, JobChunk
from commerce import services
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.exceptions import CommerceError, Locked, ValidationError, ValidationErrors
from commerce.jsonapi.document import DocumentBuilder, prefetches
from commerce.jsonapi.filters import build_filter_q
from commerce.jsonapi.query import Query, parse_include
from commerce.jsonapi.registry import registry
from commerce.jsonapi.secrets import secret_fields

KIND = "exports"
# The types imports support, plus orders (bulk.md "Exports").
SUPPORTED_TYPES = (
    "skus",
    "prices",
    "stock_items",
    "stock_locations",
    "shipping_categories",
    "customers",
    "customer_addresses",
    "addresses",
    "coupons",
    "tax_categories",
    "tags",
    "orders",
)
MAX_RECORDS = 10_000
BATCH_SIZE = 500
FORMATS = ("json", "csv")
# The worker reads as an integration token with every market in reach.
EXPORT_CTX = TokenContext(kind=INTEGRATION, application_id=0, client_id="exports")


# --- the request ---------------------------------------------------------------------------


def _resource_class(resource_type):
    if not isinstance(resource_type, str) or not resource_type:
        raise ValidationError("resource_type", "can't be blank", error="blank")
    if resource_type not in SUPPORTED_TYPES or resource_type not in registry:
        raise ValidationError("resource_type", "is not supported", error="unsupported")
    return registry[resource_type]


def parse_includes(resource_cls, includes) -> dict:
    """The include tree of `includes` (array of paths, at most 3 levels each): the API's own
    parser, its 400s turned into a 422 on `includes`."""
    if includes in (None, []):
        return {}
    if not isinstance(includes, list) or not all(isinstance(i, str) and i for i in includes):
        raise ValidationError("includes", "must be an array of include paths", error="invalid")
    try:
        return parse_include(",".join(includes), registry, resource_cls.resource_type)
    except CommerceError as exc:
        raise ValidationError("includes", exc.detail, error="invalid") from None


def parse_fields(resource_cls, fields) -> set[str] | None:
    """The attributes to write (`id` always is); None: all of them."""
    if fields in (None, []):
        return None
    if not isinstance(fields, list) or not all(isinstance(n, str) and n for n in fields):
        raise ValidationError("fields", "must be an array of attribute names", error="invalid")
    allowed = resource_cls.attribute_names()
    for name in fields:
        if name != "id" and name not in allowed:
            raise ValidationError(
                "fields",
                f"{name} is not a valid field for {resource_cls.resource_type}",
                error="invalid",
            )
    return {n for n in fields if n != "id"}


def _filter_text(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        return ",".join(str(v) for v in value)
    return None


def parse_filters(filters) -> dict[str, str]:
    """`filter[q]` predicates without the `q` (`{"code_start": "TSHIRT"}`), as query texts."""
    if filters in (None, {}):
        return {}
    if not isinstance(filters, dict):
        raise ValidationError("filters", "must be an object of predicates", error="invalid")
    parsed = {}
    for key, value in filters.items():
        text = _filter_text(value)
        if text is None:
            raise ValidationError(
                "filters", f"{value!r} is not a valid value for {key}", error="invalid"
            )
        parsed[key] = text
    return parsed


def matching_queryset(resource_cls, filters: dict[str, str]):
    """The records of the export, in `id` order: the API's own filter parser and resolver
    (api.md, integration reach); an unknown predicate or path is a 422 on `filters`."""
    qs = resource_cls.scoped_queryset(EXPORT_CTX)
    if filters:
        resolver = partial(resource_cls.resolve_filter_path, ctx=EXPORT_CTX)
        try:
            q, crosses_many = build_filter_q(resource_cls.model, resolver, filters)
        except CommerceError as exc:
            raise ValidationError("filters", exc.detail, error="invalid") from None
        if crosses_many:
            qs = qs.filter(pk__in=resource_cls.model._default_manager.filter(q).values("pk"))
        else:
            qs = qs.filter(q)
    return qs.order_by("public_id")


def check_records_count(count: int) -> None:
    """bulk.md: the CLI's messages read exactly these metas."""
    if count == 0:
        raise ValidationError(
            "records_count", "must be greater than 0", error="greater_than", count=0, value=0
        )
    if count > MAX_RECORDS:
        raise ValidationError(
            "records_count",
            f"must be less than or equal to {MAX_RECORDS}",
            error="less_than_or_equal_to",
            count=MAX_RECORDS,
            value=count,
        )


# --- services -------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def create_export(values: dict) -> Export:
    """POST /api/exports (integration tokens): checked, counted, created `pending` and handed to
    the runner, which starts it once the transaction commits."""
    errors = []
    resource_cls = None
    try:
        resource_cls = _resource_class(values.get("resource_type"))
    except ValidationError as exc:
        errors.append(exc)
    fmt = values.get("format") or "json"
    if fmt not in FORMATS:
        errors.append(ValidationError("format", "is not included in the list", error="inclusion"))
    filters = {}
    for name, check in (("includes", parse_includes), ("fields", parse_fields)):
        if resource_cls is None:
            break
        try:
            check(resource_cls, values.get(name))
        except ValidationError as exc:
            errors.append(exc)
    try:
        filters = parse_filters(values.get("filters"))
    except ValidationError as exc:
        errors.append(exc)
    if errors:
        raise ValidationErrors(errors)
    qs = matching_queryset(resource_cls, filters)
    count = qs.count()
    check_records_count(count)
    export = services.create_record(
        Export,
        {
            "resource_type": resource_cls.resource_type,
            "format": fmt,
            "includes": values.get("includes") or None,
            "fields": values.get("fields") or None,
            "filters": values.get("filters") or None,
            "dry_data": bool(values.get("dry_data")),
            "jwt_filters": values.get("jwt_filters"),
            "records_count": count,
            "reference": values.get("reference"),
            "reference_origin": values.get("reference_origin"),
            "metadata": values.get("metadata") or {},
        },
    )
    # One chunk: the whole file in one ordered pass (module docstring).
    runner.start_job(KIND, export, count, chunk_size=MAX_RECORDS)
    return export


def start(export: Export, value, *, ctx=None) -> Export:
    """`_start`: exports start by themselves; on any export it changes nothing (bulk.md)."""
    return export


def delete_export(export: Export) -> None:
    """DELETE: 423 while in progress; else the job goes with its chunks and its file."""
    if export.status == "in_progress":
        raise Locked("The export is in progress.")
    runner.delete_job_data(KIND, export)
    services.delete_record(export)


def progress(export: Export) -> int:
    """0-100: the records written of `records_count` (100 once completed)."""
    if export.status == "completed":
        return 100
    if not export.records_count:
        return 0
    return min(100, export.processed_count * 100 // export.records_count)


def attachment_url(export: Export, request=None) -> str | None:
    """The signed link to the file of a completed export, made anew at every read."""
    if export.status != "completed":
        return None
    return files.signed_url(KIND, export, request)


# --- processing ------------------------------------------------------------------------------


class _ApiOrigin:
    """Stands in for the request a document builder takes (links are not written anyway)."""

    def build_absolute_uri(self, location: str) -> str:
        return settings.WEBHOOK_API_BASE_URL.rstrip("/") + location


def _single_target(rel):
    if len(rel.types) == 1 and rel.types[0] in registry:
        return registry[rel.types[0]]
    return None


def _id_relationships(resource_cls) -> list[str]:
    """The to-one relationships written as `<name>_id`: includable, of one target type."""
    return [
        name
        for name, rel in resource_cls.relationships().items()
        if not rel.many and rel.includable and _single_target(rel) is not None
    ]


def render_tree(resource_cls, user_tree: dict) -> dict:
    """The builder's include tree: what the client asked, plus at every level the to-one
    relationships whose ids are written (their linkage needs them prefetched)."""
    tree = {name: {} for name in _id_relationships(resource_cls)}
    rels = resource_cls.relationships()
    for name, sub in user_tree.items():
        target = _single_target(rels[name])
        tree[name] = render_tree(target, sub) if target is not None else dict(sub)
    return tree


def _dropped(export, key: str) -> bool:
    return export.dry_data and (key.endswith("_float") or key.startswith("formatted_"))


class Renderer:
    """Renders batches of one export's records into flat objects (module docstring)."""

    def __init__(self, export: Export):
        self.export = export
        self.resource_cls = registry[export.resource_type]
        self.user_tree = parse_includes(self.resource_cls, export.includes)
        self.fields = parse_fields(self.resource_cls, export.fields)
        self.tree = render_tree(self.resource_cls, self.user_tree)
        sparse = {}
        if self.fields is not None:
            # The builder drops relationships outside a sparse fieldset: keep the ones read.
            sparse[self.resource_cls.resource_type] = set(self.fields) | set(self.tree)
        self.query = Query(include=self.tree, fields=sparse)
        self.lookups = prefetches(self.resource_cls, self.tree, EXPORT_CTX)

    def render(self, records: list) -> list[dict]:
        builder = DocumentBuilder(_ApiOrigin(), self.query, EXPORT_CTX)
        document = builder.document(records, self.resource_cls.resource_type, many=True)
        index = {(r["type"], r["id"]): r for r in document["data"]}
        for resource in document.get("included", ()):
            index[(resource["type"], resource["id"])] = resource
        return [self._flat(r, self.user_tree, index) for r in document["data"]]

    def _flat(self, resource: dict, user_tree: dict, index: dict) -> dict:
        resource_cls = registry[resource["type"]]
        secrets = secret_fields(resource_cls.model)
        flat = {"id": resource["id"]}
        for key, value in resource["attributes"].items():
            if key not in secrets and not _dropped(self.export, key):
                flat[key] = value
        relationships = resource.get("relationships", {})
        for name in _id_relationships(resource_cls):
            member = relationships.get(name)
            if member is not None and "data" in member:
                flat[f"{name}_id"] = member["data"]["id"] if member["data"] else None
        rels = resource_cls.relationships()
        for name, sub in user_tree.items():
            linkage = relationships.get(name, {}).get("data")
            if rels[name].many:
                found = [index.get((i["type"], i["id"])) for i in linkage or ()]
                flat[name] = [self._flat(r, sub, index) for r in found if r is not None]
            else:
                target = index.get((linkage["type"], linkage["id"])) if linkage else None
                flat[name] = None if target is None else self._flat(target, sub, index)
        return flat

    # --- CSV ------------------------------------------------------------------------------

    def csv_columns(self) -> list[str]:
        return self._columns(self.resource_cls, self.fields, self.user_tree, "")

    def _columns(self, resource_cls, fields, user_tree: dict, prefix: str) -> list[str]:
        serializer_class = resource_cls.serializer_class
        serializer = serializer_class(context={"sparse_fields": fields, "ctx": EXPORT_CTX})
        names = [n for n, field in serializer.fields.items() if not field.write_only]
        for money in getattr(serializer_class, "money", {}):
            for key in (f"{money}_cents", f"{money}_float", f"formatted_{money}"):
                if fields is None or key in fields:
                    names.append(key)
        secrets = secret_fields(resource_cls.model)
        columns = [f"{prefix}id"]
        columns += [
            f"{prefix}{n}" for n in names if n not in secrets and not _dropped(self.export, n)
        ]
        columns += [f"{prefix}{name}_id" for name in _id_relationships(resource_cls)]
        rels = resource_cls.relationships()
        for name, sub in user_tree.items():
            target = _single_target(rels[name])
            if rels[name].many or target is None:
                columns.append(f"{prefix}{name}")
            else:
                columns += self._columns(target, None, sub, f"{prefix}{name}.")
        return columns

    def csv_row(self, flat: dict) -> dict:
        row: dict = {}
        self._cells(flat, self.resource_cls, self.user_tree, "", row)
        return row

    def _cells(self, flat: dict, resource_cls, user_tree: dict, prefix: str, row: dict) -> None:
        rels = resource_cls.relationships()
        for key, value in flat.items():
            sub = user_tree.get(key) if key in user_tree else None
            target = _single_target(rels[key]) if key in user_tree else None
            if sub is not None and target is not None and not rels[key].many:
                if value is not None:
                    self._cells(value, target, sub, f"{prefix}{key}.", row)
                continue
            row[f"{prefix}{key}"] = _cell(value)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
    return str(value)


def _check_lease(chunk: JobChunk) -> None:
    if not JobChunk.objects.filter(pk=chunk.pk, lease_token=chunk.lease_token).exists():
        raise runner.LeaseLost(str(chunk))


def write_export_file(export: Export, chunk: JobChunk | None = None) -> int:
    """Write the export's file from scratch (module docstring); returns the records written.
    Each batch is one gzip member; the counters advance per batch."""
    renderer = Renderer(export)
    qs = matching_queryset(renderer.resource_cls, parse_filters(export.filters))
    qs = qs.prefetch_related(*renderer.lookups)
    files.delete_file(KIND, export.pk)
    Export.objects.filter(pk=export.pk).update(processed_count=0)
    writer = files.FileWriter(KIND, export.pk)
    columns = renderer.csv_columns() if export.format == "csv" else None
    written, last = 0, None
    while written < MAX_RECORDS:
        if chunk is not None:
            _check_lease(chunk)
        page = qs if last is None else qs.filter(public_id__gt=last)
        records = list(page[: min(BATCH_SIZE, MAX_RECORDS - written)])
        if not records:
            break
        last = records[-1].public_id
        flats = renderer.render(records)
        if columns is not None:
            text = _csv_text(renderer, columns, flats, header=written == 0)
        else:
            body = ",\n".join(json.dumps(f, cls=DjangoJSONEncoder) for f in flats)
            text = ("[\n" if written == 0 else ",\n") + body
        writer.write(files.gzip_member(text.encode()))
        written += len(records)
        runner.bump(export, processed=len(records))
        # A batch's records reference each other (a price's SKU, the SKU's prefetched prices):
        # cycles that only the collector frees. Collected here, one batch is all memory holds.
        del records, flats, text
        gc.collect()
    if export.format == "csv":
        tail = _csv_text(renderer, columns, [], header=True) if written == 0 else ""
    else:
        tail = "[]" if written == 0 else "\n]\n"
    if tail:
        writer.write(files.gzip_member(tail.encode()))
    writer.close()
    return written


def _csv_text(renderer, columns, flats, *, header: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", extrasaction="ignore")
    if header:
        writer.writeheader()
    for flat in flats:
        writer.writerow(renderer.csv_row(flat))
    return out.getvalue()


def process_export_chunk(export: Export, chunk: JobChunk) -> None:
    """The runner's work unit: the whole file (one chunk per export). `records_count` becomes
    what the file holds. A failure of ours interrupts the export with the reason in
    `errors_log` (exports never end `failed`: bulk.md "Jobs")."""
    try:
        written = write_export_file(export, chunk)
    except runner.LeaseLost:
        raise
    except Exception as exc:  # noqa: BLE001 -- any failure must end the job, not hang the CLI
        files.delete_file(KIND, export.pk)
        runner.move_job(export, "interrupted", errors_log={"base": [f"export failed: {exc}"]})
        return
    Export.objects.filter(pk=export.pk).update(records_count=written, processed_count=written)


def prepare_export(export: Export):
    """When the export starts: its records counted again (bulk.md); still one chunk."""
    try:
        qs = matching_queryset(registry[export.resource_type], parse_filters(export.filters))
        count = min(qs.count(), MAX_RECORDS)
    except (KeyError, CommerceError):
        return None
    Export.objects.filter(pk=export.pk).update(records_count=count)
    export.records_count = count
    return None


runner.register_kind(KIND, process_chunk=process_export_chunk, prepare=prepare_export)
