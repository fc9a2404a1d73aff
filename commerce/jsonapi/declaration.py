"""What a resource is, declared once per type: its model, serializer and relationships, who may
reach it (`access`, `scope`), how its records are filtered and sorted, and the rows its writes
lock (`locked_through`, `lock_related`). Query parsing, documents and the read and write paths
(reading.py, writing.py) all ask the declaration; views.py puts them behind one HTTP view.
"""

from functools import cache

from django.db import models

from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL, TokenContext
from commerce.event_links import EVENTFUL_TYPES, give_events
from commerce.jsonapi.filters import FilterPath
from commerce.jsonapi.registry import registry
from commerce.jsonapi.secrets import is_secret_path
from commerce.jsonapi.serializers import Rel
from commerce.tags import FILTER_PATHS, TAGGABLE_TYPES, make_taggable
from commerce.triggers import TriggerSet

ALL_KINDS = frozenset({INTEGRATION, SALES_CHANNEL, CUSTOMER})
INTEGRATION_ONLY = frozenset({INTEGRATION})
ACTIONS = ("list", "retrieve", "create", "update", "delete")


class ResourceDeclaration:
    resource_type: str = ""
    model: type[models.Model]
    serializer_class = None
    relationships_map: dict[str, Rel] = {}
    # Token kinds allowed per action; records are further limited by `scope`.
    access: dict[str, frozenset] = {a: INTEGRATION_ONLY for a in ACTIONS}
    ops: frozenset = frozenset(ACTIONS)
    triggers: TriggerSet = TriggerSet()
    # The types a document of this resource may carry (a polymorphic collection lists several).
    document_types: tuple[str, ...] = ()
    # How a DELETE may be refused besides 404 (OpenAPI): 423 a record others depend on.
    delete_refusals: tuple[int, ...] = (423,)
    # Attribute name -> ORM path, for attributes that are not model fields of their own.
    filter_aliases: dict[str, str] = {}
    # Attributes that name a related record by code instead of by relationship:
    # {"sku_code": ("sku", "code")} resolves `sku_code` to the `sku` relationship.
    code_references: dict[str, tuple[str, str]] = {}
    # Attributes a client may write only as a trigger: {"succeeded": ("_forward", True)} takes
    # `succeeded: true` as `_forward` and any other value as a 400 PARAM_NOT_ALLOWED (orders.md:
    # the SDK's typings list a transaction's `succeeded` as writable).
    trigger_attributes: dict[str, tuple[str, object]] = {}
    # Related rows the attributes read (a shipment's `skus_count` sums its stock line items):
    # documents prefetch them for the type, primary or included (document.prefetches).
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Related rows a write reads: brought along when the row is read under its lock.
    lock_related: tuple[str, ...] = ()
    # The parent whose row lock guards every write to this resource ("order" for a line item):
    # a PATCH or DELETE locks that parent first, then the row (the global lock order starts at
    # the parent), and hands the row over with the locked parent attached.
    locked_through: str | None = None
    # The services hand back the records they wrote as a GET reads them (figures included): a
    # write is answered from that instance instead of reading it back (reading.written_document).
    answers_from_write: bool = False
    # Records of this type carry tags (bulk.md "Tags"): set for the types of
    # commerce.tags.TAGGABLE_TYPES, which gives them the `tags` relationship, `_add_tags` and
    # `_remove_tags`, and the `tags_name`/`tags_id` filters.
    taggable: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.resource_type in TAGGABLE_TYPES:
            cls.taggable = True
            make_taggable(cls)
        if cls.resource_type in EVENTFUL_TYPES:
            give_events(cls)

    # --- declaration introspection (used by query parsing and documents) ------------------

    @classmethod
    def relationships(cls) -> dict[str, Rel]:
        return cls.relationships_map

    @classmethod
    @cache
    def attribute_names(cls) -> frozenset:
        return frozenset(cls.serializer_class.attribute_names())

    @classmethod
    def member_names(cls) -> frozenset:
        return cls.attribute_names() | frozenset(cls.relationships())

    @classmethod
    @cache
    def filterable_fields(cls) -> dict[str, str]:
        """API attribute name -> ORM path, for every stored attribute (and `id`) but write-only
        ones and secrets (limits.md §5: whatever path names them, `secrets.py`)."""
        fields = {"id": "public_id"}
        concrete = {f.name for f in cls.model._meta.concrete_fields}
        write_only = {n for n, fld in cls.serializer_class().fields.items() if fld.write_only}
        for name in cls.attribute_names():
            if name in concrete and name != "public_id" and name not in write_only:
                fields[name] = name
        fields.update(cls.filter_aliases)
        return {n: p for n, p in fields.items() if not is_secret_path(cls.model, p)}

    @classmethod
    @cache
    def sortable_fields(cls) -> frozenset:
        """The filterable attributes but objects and arrays (limits.md §5: `metadata` and the
        like are filtered through `_jcont`, never ordered by)."""
        return frozenset(
            name
            for name, path in cls.filterable_fields().items()
            if not isinstance(model_field(cls.model, path), models.JSONField)
        )

    @classmethod
    def resolve_filter_path(
        cls, name: str, depth: int = 0, ctx: TokenContext | None = None
    ) -> FilterPath | None:
        """The ORM path of a filter attribute, walking declared relationships. A storefront
        token (ctx not integration) may only walk into types it may read, and only through
        their records within its reach (the target's scoped queryset, as a list of that type
        reads: `FilterPath.through`), so a filter can't reveal data it could not fetch (stock
        levels, other markets' prices...)."""
        if cls.taggable and name in FILTER_PATHS:  # through the record's taggings (distinct)
            path = FILTER_PATHS[name]
            return FilterPath(path, model_field(cls.model, path), crosses_many=True)
        own = cls.filterable_fields().get(name)
        if own is not None:
            field = model_field(cls.model, own)
            if field is not None and not field.is_relation:
                return FilterPath(
                    own, field, crosses_many="__" in own and _crosses_many(cls.model, own)
                )
        if depth > 3:
            return None
        for rel_name, rel in cls.relationships().items():
            if not name.startswith(rel_name + "_") or rel.getter is not None:
                continue
            if len(rel.types) != 1 or rel.types[0] not in registry:
                continue
            target = registry[rel.types[0]]
            if ctx is not None and not ctx.is_integration and not target.readable_by(ctx):
                continue
            sub = target.resolve_filter_path(name[len(rel_name) + 1 :], depth + 1, ctx=ctx)
            if sub is not None:
                source = rel.source_for(rel_name)
                through = ()
                if ctx is not None and not ctx.is_integration:
                    through = ((source, target.scoped_queryset(ctx)), *sub.through)
                return FilterPath(
                    f"{source}__{sub.orm_path}",
                    sub.model_field,
                    rel.many or sub.crosses_many,
                    through,
                )
        return None

    # --- scoping ----------------------------------------------------------------------------

    @classmethod
    def readable_by(cls, ctx: TokenContext) -> bool:
        return ctx.kind in cls.access.get("list", ()) or ctx.kind in cls.access.get("retrieve", ())

    @classmethod
    def base_queryset(cls):
        qs = cls.model._default_manager.all()
        if cls.select_related:
            qs = qs.select_related(*cls.select_related)
        return qs

    @classmethod
    def scope(cls, qs, ctx: TokenContext):
        """Records the caller may reach; override per resource. Default: integration only."""
        return qs if ctx.is_integration else qs.none()

    @classmethod
    def serializer_context(cls, ctx: TokenContext) -> dict:
        """Extra context for this resource's serializer (e.g. the caller's market)."""
        return {}

    @classmethod
    def scoped_queryset(cls, ctx: TokenContext):
        return cls.scope(cls.base_queryset(), ctx).order_by("created_at", "id")


def model_field(model, path: str):
    """The model field at the end of ORM path `path` (`market__price_list__name`), None when a
    part of it names no field."""
    current = model
    field = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return None
        if field.is_relation:
            current = field.related_model
    return field


def _crosses_many(model, path: str) -> bool:
    current = model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        if field.is_relation:
            current = field.related_model
    return False
