"""ResourceView: one declaration per resource type serves its whole JSON:API surface.

A subclass declares what the resource is (`resource_type`, `model`, `serializer_class`,
`relationships`), who may reach it (`access`, `scope`), and how it changes (`triggers`,
`create`, `update`, `delete` — plain record writes by default, a domain service where the
resource has rules). The base class parses the request, enforces the declaration, calls the
service inside one transaction and renders the re-read resource.

Routes (see routing.py): collection (GET list, POST), member (GET, PATCH, DELETE), related
(`/<id>/<relationship>`, GET) and relationship (`/<id>/relationships/<name>`, GET linkage).
"""

import math
from functools import cache, partial
from urllib.parse import urlencode

from django.db import models, transaction
from django.db.models import Q
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce import services
from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL, TokenContext
from commerce.events import recording_events
from commerce.exceptions import (
    BadRequest,
    InvalidToken,
    NotFound,
    Unauthorized,
    ValidationError,
    ValidationErrors,
    param_not_allowed,
)
from commerce.idempotency import idempotent
from commerce.jsonapi import storable
from commerce.jsonapi.document import DocumentBuilder, prefetches
from commerce.jsonapi.filters import FilterPath, build_filter_q
from commerce.jsonapi.query import Query, check_storable_params, parse_query
from commerce.jsonapi.registry import registry
from commerce.jsonapi.secrets import is_secret_path
from commerce.jsonapi.serializers import COMMON_ATTRIBUTES, Rel
from commerce.services import rails_message
from commerce.triggers import TriggerSet

ALL_KINDS = frozenset({INTEGRATION, SALES_CHANNEL, CUSTOMER})
INTEGRATION_ONLY = frozenset({INTEGRATION})
ACTIONS = ("list", "retrieve", "create", "update", "delete")


class ResourceView(APIView):
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

    mode: str = "collection"  # set per route by routing.py

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
            if not isinstance(_model_field(cls.model, path), models.JSONField)
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
        own = cls.filterable_fields().get(name)
        if own is not None:
            field = _model_field(cls.model, own)
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

    # --- writes (override with domain services) --------------------------------------------

    def create_resource(self, values: dict, ctx: TokenContext):
        return services.create_record(self.model, values)

    def update_resource(self, instance, values: dict, ctx: TokenContext):
        return services.update_record(instance, values) if values else instance

    def delete_resource(self, instance, ctx: TokenContext):
        services.delete_record(instance)

    # --- HTTP ------------------------------------------------------------------------------

    @property
    def ctx(self) -> TokenContext:
        if not isinstance(self.request.auth, TokenContext):
            raise InvalidToken()
        return self.request.auth

    def check_action(self, action: str) -> None:
        if action not in self.ops:
            raise MethodNotAllowed(self.request.method)
        if self.ctx.kind not in self.access.get(action, ()):
            raise Unauthorized()

    def get(self, request, pk=None, relationship=None):
        if self.mode == "collection":
            self.check_action("list")
            query = self.parse(collection=True)
            return Response(self.collection_document(self.scoped_queryset(self.ctx), query))
        if self.mode == "member":
            self.check_action("retrieve")
            query = self.parse(collection=False)
            return Response(self.member_document(pk, query))
        if self.mode == "related":
            return Response(self.related_document(pk, relationship))
        return Response(self.relationship_document(pk, relationship))

    @idempotent
    def post(self, request, **kwargs):
        if self.mode != "collection":
            raise MethodNotAllowed(request.method)
        self.check_action("create")
        query = self.parse(collection=False)
        data = self.resource_data(creating=True)
        with transaction.atomic(), recording_events():
            values, trigger_calls = self.parse_write(data, instance=None)
            instance = self.create_resource(values, self.ctx)
            self.triggers.run(instance, trigger_calls, self.ctx)
        # The caller sees what it just created, even where its scope would not list it (a
        # storefront signing a customer up).
        return Response(self.member_document(instance.public_id, query, created=True), status=201)

    @idempotent
    def patch(self, request, pk=None, **kwargs):
        if self.mode != "member":
            raise MethodNotAllowed(request.method)
        self.check_action("update")
        query = self.parse(collection=False)
        data = self.resource_data(creating=False, pk=pk)
        with transaction.atomic(), recording_events():
            instance = self.get_object(pk, for_update=True)
            values, trigger_calls = self.parse_write(data, instance=instance)
            instance = self.update_resource(instance, values, self.ctx)
            self.triggers.run(instance, trigger_calls, self.ctx)
        return Response(self.member_document(pk, query))

    def delete(self, request, pk=None, **kwargs):
        if self.mode != "member":
            raise MethodNotAllowed(request.method)
        self.check_action("delete")
        with transaction.atomic(), recording_events():
            instance = self.get_object(pk, for_update=True)
            self.delete_resource(instance, self.ctx)
        return Response(status=204)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "ratelimit_headers", {}).items():
            response[name] = value
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    def initial(self, request, *args, **kwargs):
        # Text the database can't store is refused before anything looks it up (limits.md 2).
        check_storable_path(kwargs)
        check_storable_params(request.query_params)
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, TokenContext):
            raise InvalidToken()

    # --- reading ---------------------------------------------------------------------------

    def parse(self, *, collection: bool, resource_type: str | None = None) -> Query:
        type_name = resource_type or self.resource_type
        query = parse_query(self.request.query_params, registry, type_name, collection=collection)
        if not self.ctx.is_integration:
            check_storefront_include(registry[type_name], query.include)
        return query

    def get_object(
        self, pk, *, for_update=False, query: Query | None = None, unscoped: bool = False
    ):
        qs = (
            self.base_queryset().order_by("created_at", "id")
            if unscoped
            else self.scoped_queryset(self.ctx)
        )
        if query is not None:
            qs = qs.prefetch_related(*prefetches(type(self), query.include, self.ctx))
        if not isinstance(pk, str) or len(pk) > 64:
            raise NotFound()
        parent = None
        if for_update:
            parent = self.lock_parent(pk)
            qs = qs.select_for_update(of=("self",)).select_related(*self.lock_related)
        instance = unique_row(qs.filter(public_id=pk))
        if instance is None:
            raise NotFound()
        if parent is not None:
            setattr(instance, self.locked_through, parent)
        return instance

    def lock_parent(self, pk: str):
        """Lock the `locked_through` parent of row `pk` (None without one), reading it with
        its resource's `lock_related`; one statement (the row is found by a subquery)."""
        if self.locked_through is None:
            return None
        field = self.model._meta.get_field(self.locked_through)
        parent_cls = registry[self.relationships()[self.locked_through].types[0]]
        parent_ids = (
            self.model._default_manager.filter(public_id=pk).values(field.attname).order_by()[:1]
        )
        return unique_row(
            field.related_model._default_manager.select_for_update(of=("self",))
            .select_related(*parent_cls.lock_related)
            .filter(pk__in=parent_ids)
        )

    def member_document(self, pk, query: Query, *, created: bool = False) -> dict:
        instance = self.get_object(pk, query=query, unscoped=created)
        return DocumentBuilder(self.request, query, self.ctx).document(
            instance, self.resource_type, many=False
        )

    def collection_document(self, qs, query: Query, resource_cls=None) -> dict:
        resource_cls = resource_cls or type(self)
        if query.filters:
            resolver = partial(resource_cls.resolve_filter_path, ctx=self.ctx)
            q, crosses_many = build_filter_q(resource_cls.model, resolver, query.filters)
            if crosses_many:
                matching = resource_cls.model._default_manager.filter(q).values("pk")
                qs = qs.filter(pk__in=matching)
            else:
                qs = qs.filter(q)
        if query.sort:
            paths = resource_cls.filterable_fields()
            qs = qs.order_by(
                *[("-" if desc else "") + paths[name] for name, desc in query.sort], "id"
            )
        record_count = qs.count()
        size = query.page_size
        page_count = math.ceil(record_count / size)
        start = (query.page_number - 1) * size
        page = qs[start : start + size]
        page = page.prefetch_related(*prefetches(resource_cls, query.include, self.ctx))
        meta = {"record_count": record_count, "page_count": page_count}
        return DocumentBuilder(self.request, query, self.ctx).document(
            page,
            resource_cls.resource_type,
            many=True,
            meta=meta,
            links=self.pagination_links(query, page_count),
        )

    def pagination_links(self, query: Query, page_count: int) -> dict:
        base = self.request.build_absolute_uri(self.request.path)
        others = [(k, v) for k, v in self.request.query_params.items() if not k.startswith("page[")]

        def link(number):
            params = [("page[number]", number), ("page[size]", query.page_size), *others]
            return f"{base}?{urlencode(params, safe='[],')}"

        last = max(page_count, 1)
        links = {"first": link(1)}
        if query.page_number > 1:
            links["prev"] = link(min(query.page_number - 1, last))
        if query.page_number < page_count:
            links["next"] = link(query.page_number + 1)
        links["last"] = link(last)
        return links

    def related_document(self, pk, name) -> dict:
        self.check_action("retrieve")
        rel = self.relationships().get(name)
        if rel is None:
            raise NotFound()
        parent = self.get_object(pk)
        related = None
        if not rel.many:
            related = (
                rel.getter(parent) if rel.getter else getattr(parent, rel.source_for(name), None)
            )
        # A polymorphic to-one answers with its record's own type.
        target_type = rel.target_type(related) if related is not None else rel.types[0]
        if rel.many and len(rel.types) != 1:
            target_type = rel.collection
        target_cls = registry.get(target_type)
        if target_cls is None:
            raise NotFound()
        kinds = target_cls.access.get("retrieve", ()) | target_cls.access.get("list", ())
        if self.ctx.kind not in kinds and not rel.through_parent:
            raise Unauthorized()
        if rel.through_parent:
            target_qs = target_cls.base_queryset().order_by("created_at", "id")
        else:
            target_qs = target_cls.scoped_queryset(self.ctx)
        if rel.many:
            query = self.parse(collection=True, resource_type=target_type)
            qs = target_qs
            if rel.getter is not None:
                related = rel.getter(parent)
                ids = [o.pk for o in (related.all() if hasattr(related, "all") else related)]
                qs = qs.filter(pk__in=ids)
            else:
                qs = qs.filter(pk__in=getattr(parent, rel.source_for(name)).values("pk"))
            return self.collection_document(qs, query, resource_cls=target_cls)
        query = self.parse(collection=False, resource_type=target_type)
        instance = None
        if related is not None:
            qs = target_qs.filter(pk=related.pk)
            qs = qs.prefetch_related(*prefetches(target_cls, query.include, self.ctx))
            instance = unique_row(qs)
        return DocumentBuilder(self.request, query, self.ctx).document(
            instance, target_type, many=False
        )

    def relationship_document(self, pk, name) -> dict:
        self.check_action("retrieve")
        rel = self.relationships().get(name)
        if rel is None:
            raise NotFound()
        # Linkage names records: a caller who may not read the target type gets what its
        # related endpoint answers (401), not their ids (a SKU's stock reservations).
        readable = any(t in registry and registry[t].readable_by(self.ctx) for t in rel.types)
        if not (readable or rel.through_parent or self.ctx.is_integration):
            raise Unauthorized()
        self.parse(collection=False)
        query = Query(include={name: {}})
        parent = self.get_object(pk, query=query)
        return DocumentBuilder(self.request, query, self.ctx).linkage_document(
            parent, self.resource_type, name, rel
        )

    # --- writing ---------------------------------------------------------------------------

    def resource_data(self, *, creating: bool, pk=None) -> dict:
        document = self.request.data
        if not isinstance(document, dict) or "data" not in document:
            raise BadRequest(
                "The required parameter, data, is missing.",
                title="Missing parameter",
                code="PARAM_MISSING",
                pointer="/data",
            )
        data = document["data"]
        if not isinstance(data, dict):
            raise BadRequest(
                "data must be a resource object.",
                title="Invalid resource",
                code="INVALID_RESOURCE",
                pointer="/data",
            )
        if data.get("type") != self.resource_type:
            raise BadRequest(
                f"{data.get('type')} is not a valid type for this operation.",
                title="Type mismatch",
                code="TYPE_MISMATCH",
                pointer="/data/type",
            )
        if creating and "id" in data:
            raise param_not_allowed("id", pointer="/data/id")
        if not creating:
            if "id" not in data:
                raise BadRequest(
                    "The resource object does not contain a key.",
                    title="A key is required",
                    code="KEY_ORDER_MISMATCH",
                    pointer="/data/id",
                )
            if data["id"] != pk:
                raise BadRequest(
                    f"The URL does not support the key {data['id']}",
                    title="Key is not included in URL",
                    code="KEY_NOT_INCLUDED_IN_URL",
                    pointer="/data/id",
                )
        for member in ("attributes", "relationships"):
            if not isinstance(data.get(member, {}), dict):
                raise BadRequest(
                    f"{member} must be an object.",
                    title="Invalid data format",
                    code="INVALID_DATA_FORMAT",
                    pointer=f"/data/{member}",
                )
        unknown = set(data) - {"type", "id", "attributes", "relationships", "meta", "links"}
        for name in sorted(unknown):
            raise param_not_allowed(name, pointer=f"/data/{name}")
        return data

    def parse_write(self, data: dict, *, instance):
        """Checked model values and trigger calls of a create (instance None) or update."""
        creating = instance is None
        ctx = self.ctx
        attributes = data.get("attributes") or {}
        plain = {k: v for k, v in attributes.items() if not k.startswith("_")}
        trigger_attrs = {k: v for k, v in attributes.items() if k.startswith("_")}
        writable = self.serializer_class.writable_attribute_names(
            creating=creating, integration=ctx.is_integration
        )
        for name in plain:
            if name not in writable:
                raise param_not_allowed(name, pointer=f"/data/attributes/{name}")
        trigger_calls = self.triggers.parse(trigger_attrs, ctx, creating=creating)

        errors: list[ValidationError] = []
        relationships = dict(data.get("relationships") or {})
        code_values = self.resolve_code_references(plain, relationships, errors)
        relationship_values = self.parse_relationships(
            relationships, creating=creating, errors=errors, given=set(code_values)
        )
        serializer = self.serializer_class(
            instance,
            data=plain,
            partial=not creating,
            context={"request": self.request, "ctx": ctx},
        )
        values = {}
        if serializer.is_valid():
            values = dict(serializer.validated_data)
        else:
            errors = _serializer_errors(serializer.errors) + errors
        if errors:
            raise ValidationErrors(errors)
        for name in self.code_references:
            values.pop(name, None)
        values.update(relationship_values)
        values.update(code_values)
        return values, trigger_calls

    def resolve_code_references(self, plain: dict, relationships: dict, errors: list) -> dict:
        """Model values for attributes like `sku_code` that name a related record by code."""
        values = {}
        for attribute, (rel_name, field_name) in self.code_references.items():
            code = plain.get(attribute)
            if code is None or not isinstance(code, str) or rel_name in relationships:
                continue
            rel = self.relationships()[rel_name]
            target = (
                registry[rel.types[0]]
                .scoped_queryset(self.ctx)
                .filter(**{field_name: code})
                .first()
            )
            if target is None:
                errors.append(
                    ValidationError(attribute, "not found", error="not_found", value=code)
                )
            else:
                values[rel.source_for(rel_name)] = target
        return values

    def parse_relationships(
        self,
        relationships: dict,
        *,
        creating: bool,
        errors: list,
        given: frozenset | set = frozenset(),
    ) -> dict:
        rels = self.relationships()
        values = {}
        for name, body in relationships.items():
            rel = rels.get(name)
            settable = (
                rel is not None
                and not rel.many
                and (rel.create is not None if creating else rel.update)
            )
            if not settable:
                raise param_not_allowed(name, pointer=f"/data/relationships/{name}")
            if not isinstance(body, dict) or "data" not in body:
                raise BadRequest(
                    f"{name} must be an object with data.",
                    title="Invalid links object",
                    code="INVALID_LINKS_OBJECT",
                    pointer=f"/data/relationships/{name}",
                )
            linkage = body["data"]
            if linkage is None:
                if rel.create == "required":
                    errors.append(
                        ValidationError(name, "can't be blank", error="blank", relationship=True)
                    )
                else:
                    values[rel.source_for(name)] = None
                continue
            target = self.resolve_linkage(name, rel, linkage, errors)
            if target is not None:
                values[rel.source_for(name)] = target
        if creating:
            for name, rel in rels.items():
                source = rel.source_for(name)
                if rel.create == "required" and name not in relationships and source not in given:
                    errors.append(
                        ValidationError(name, "can't be blank", error="blank", relationship=True)
                    )
        return values

    def resolve_linkage(self, name: str, rel: Rel, linkage, errors: list):
        if (
            not isinstance(linkage, dict)
            or not isinstance(linkage.get("type"), str)
            or not isinstance(linkage.get("id"), str)
        ):
            errors.append(
                ValidationError(
                    name,
                    "must be a resource identifier with type and id",
                    error="invalid",
                    relationship=True,
                )
            )
            return None
        type_name, public_id = linkage["type"], linkage["id"]
        if type_name not in rel.types or type_name not in registry:
            errors.append(
                ValidationError(
                    name, f"{type_name} is not a valid type", error="invalid", relationship=True
                )
            )
            return None
        target_cls = registry[type_name]
        qs = target_cls.scoped_queryset(self.ctx)
        if rel.lock:
            qs = qs.select_for_update(of=("self",)).select_related(*target_cls.lock_related)
        target = unique_row(qs.filter(public_id=public_id[:64]))
        if target is None or not self.allows_target(name, target):
            errors.append(
                ValidationError(
                    name, f"{type_name} {public_id} not found", error="not_found", relationship=True
                )
            )
            return None
        return target

    def allows_target(self, name: str, target) -> bool:
        """Extra rules on a relationship's target (e.g. same market); override per resource."""
        return True


def unique_row(qs):
    """The row a lookup by a unique key finds, or None. Not `.first()`: ordering one row is
    work for nothing, and compiling an ORDER BY is a good part of a small query's cost."""
    return next(iter(qs.order_by()[:1]), None)


def check_storable_path(kwargs: dict) -> None:
    """400 for a path segment holding a NUL or a lone surrogate: the member id (INVALID_RESOURCE_ID,
    `source.parameter` "id") or a relationship name. Such an id can't exist, but looking it up
    is a database error on PostgreSQL."""
    for name, code in (("pk", "INVALID_RESOURCE_ID"), ("relationship", "BAD_REQUEST")):
        value = kwargs.get(name)
        if isinstance(value, str) and storable.is_unstorable(value):
            raise BadRequest(
                f"The path contains {storable.describe(value)}, which can't be stored.",
                title="Invalid resource id" if name == "pk" else "Bad request",
                code=code,
                parameter="id" if name == "pk" else name,
            )


def check_storefront_include(resource_cls, tree: dict) -> None:
    """Storefront tokens include what the document can scope: relationships loaded through the
    target's scoped queryset, or bound to a parent they reach (`through_parent`). Computed or
    polymorphic ones without that promise, and anything nested below a computed one, are a
    400 rather than a leak."""
    rels = resource_cls.relationships()
    for name, subtree in tree.items():
        rel = rels[name]
        unscoped = (rel.getter is not None or len(rel.types) != 1) and not rel.through_parent
        if unscoped or (rel.getter is not None and subtree):
            raise BadRequest(
                f"{name} can't be included with this token",
                title="Invalid include",
                code="INVALID_INCLUDE",
                parameter="include",
            )
        if rel.types[0] in registry:
            check_storefront_include(registry[rel.types[0]], subtree)


def _serializer_errors(errors: dict) -> list[ValidationError]:
    result = []
    for field_name, messages in errors.items():
        name = "base" if field_name == "non_field_errors" else field_name
        if isinstance(messages, dict):
            messages = [m for ms in messages.values() for m in ms]
        for message in messages:
            text, error, meta = rails_message(getattr(message, "code", None), str(message))
            result.append(ValidationError(name, text, error=error, **meta))
    return result


def _model_field(model, path: str):
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


__all__ = ["ResourceView", "ALL_KINDS", "INTEGRATION_ONLY", "Rel", "COMMON_ATTRIBUTES", "Q"]
