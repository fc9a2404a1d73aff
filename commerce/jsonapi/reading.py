"""The read path of a resource: a member, a page of the collection (filtered, sorted, counted),
a related record or collection, a relationship's linkage; each one document built from what
the queryset prefetched (document.py).
"""

import math
from functools import partial
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import prefetch_related_objects

from commerce import services
from commerce.exceptions import BadRequest, NotFound, Unauthorized
from commerce.jsonapi.document import DocumentBuilder, prefetches
from commerce.jsonapi.filters import build_filter_q
from commerce.jsonapi.query import Query, parse_query
from commerce.jsonapi.registry import registry
from commerce.jsonapi.rows import (
    count_within_reach,
    list_within_reach,
    lock_member,
    page_within_reach,
    read_member,
    unique_row,
)


class Reading:
    def parse(self, *, collection: bool, resource_type: str | None = None) -> Query:
        type_name = resource_type or self.resource_type
        query = parse_query(self.request.query_params, registry, type_name, collection=collection)
        if not self.ctx.is_integration:
            check_storefront_include(registry[type_name], query.include)
        return query

    def builder(self, query: Query) -> DocumentBuilder:
        """The builder of this request's answers: `wire`, the document only goes to the
        renderer (commerce.jsonapi.document)."""
        return DocumentBuilder(self.request, query, self.ctx, wire=True)

    def get_object(
        self, pk, *, for_update=False, query: Query | None = None, unscoped: bool = False
    ):
        if not isinstance(pk, str) or len(pk) > 64:
            raise NotFound()
        if for_update:  # a write's row within reach, read under its lock (rows.py)
            instance = lock_member(type(self), self.ctx, pk)
        elif unscoped:
            qs = self.base_queryset().order_by("created_at", "id")
            instance = unique_row(qs.filter(public_id=pk))
        else:  # SQL compiled once (rows.py); the queryset's if the reach can't be compiled
            instance = read_member(
                type(self),
                self.ctx,
                pk,
                lambda: unique_row(self.scoped_queryset(self.ctx).filter(public_id=pk)),
            )
        if instance is None:
            raise NotFound()
        if query is not None:
            lookups = prefetches(type(self), query.include, self.ctx)
            if lookups:
                prefetch_related_objects([instance], *lookups)
        return instance

    def member_document(self, pk, query: Query, *, created: bool = False) -> dict:
        instance = self.get_object(pk, query=query, unscoped=created)
        return self.builder(query).document(instance, self.resource_type, many=False)

    def written_document(self, instance, query: Query, *, created: bool = False) -> dict:
        """The answer to a write: the record as a GET shows it. A resource whose services hand
        back the records they wrote, figures and all (`answers_from_write`), is rendered from
        that instance, its includes prefetched afresh (what the service read on the way is not
        what the document shows); the others are read back. tests/orders/test_write_answers.py
        holds the two equal. Like a creation, an update answers with the record even where the
        write took it out of the caller's reach (a storefront that gave its cart a customer)."""
        if not self.answers_from_write:
            return self.member_document(instance.public_id, query, created=created)
        # Only what the service vouches for (services.answer_as_read), and not under includes,
        # whose reads go by the caller's reach.
        held = getattr(instance, "_prefetched_objects_cache", {})
        kept = () if query.include else instance.__dict__.pop(services.ANSWERED_AS_READ, ())
        instance._prefetched_objects_cache = {name: held[name] for name in kept if name in held}
        lookups = prefetches(type(self), query.include, self.ctx)
        if lookups:
            prefetch_related_objects([instance], *lookups)
        return self.builder(query).document(instance, self.resource_type, many=False)

    def list_document(self, query: Query) -> dict:
        """GET of the collection: without filters, its count and page come from SQL compiled
        once per resource, reach shape, order and page (rows.list_within_reach)."""
        return self.collection_document(self.scoped_queryset(self.ctx), query, whole=True)

    def collection_document(
        self, qs, query: Query, resource_cls=None, *, whole=False, related=False, compiled=None
    ) -> dict:
        """A page of `qs`, filtered and sorted as `query` says. `whole`: `qs` is the resource's
        scoped_queryset as it comes (its whole list within the caller's reach); `related`: a
        record's related list; `compiled`: (key, rows_of, arguments) that build `qs` for
        rows.page_within_reach, whose SQL is then compiled once (without filters)."""
        resource_cls = resource_cls or type(self)
        order_by = ()
        if query.sort:
            paths = resource_cls.filterable_fields()
            order_by = (*[("-" if desc else "") + paths[name] for name, desc in query.sort], "id")
        size = query.page_size
        start = (query.page_number - 1) * size
        listed = None
        if whole and not query.filters:
            listed = list_within_reach(resource_cls, self.ctx, order_by, start, size)
        elif compiled is not None and not query.filters:
            key, rows_of, arguments = compiled
            rows = page_within_reach(key, self.ctx, rows_of, order_by, start, size, **arguments)
            if rows is not None:
                total = _last_page_count(start, size, rows)
                if total is None:
                    total = count_within_reach(key, self.ctx, rows_of, **arguments)
                listed = None if total is None else (total, rows)
        lookups = prefetches(resource_cls, query.include, self.ctx)
        if listed is not None:
            record_count, page = listed
            if lookups and page:
                prefetch_related_objects(page, *lookups)
        else:
            if query.filters:
                resolver = partial(resource_cls.resolve_filter_path, ctx=self.ctx)
                q, crosses_many = build_filter_q(resource_cls.model, resolver, query.filters)
                if crosses_many:
                    matching = resource_cls.model._default_manager.filter(q).values("pk")
                    qs = qs.filter(pk__in=matching)
                else:
                    qs = qs.filter(q)
            if order_by:
                qs = qs.order_by(*order_by)
            page = list(qs[start : start + size].prefetch_related(*lookups))
            record_count = _last_page_count(start, size, page) if related else None
            if record_count is None:
                record_count = qs.count()
        page_count = math.ceil(record_count / size)
        meta = {"record_count": record_count, "page_count": page_count}
        return self.builder(query).document(
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
                if hasattr(related, "values"):  # a QuerySet: its rows by a subquery
                    qs = qs.filter(pk__in=related.values("pk"))
                else:
                    qs = qs.filter(pk__in=[o.pk for o in related])
            else:
                qs = qs.filter(pk__in=getattr(parent, rel.source_for(name)).values("pk"))
            if rel.ordering:
                qs = qs.order_by(*rel.ordering)
            return self.collection_document(
                qs,
                query,
                resource_cls=target_cls,
                related=True,
                compiled=_related_rows(type(self), name, rel, parent, target_cls),
            )
        query = self.parse(collection=False, resource_type=target_type)
        instance = None
        if related is not None:
            qs = target_qs.filter(pk=related.pk)
            qs = qs.prefetch_related(*prefetches(target_cls, query.include, self.ctx))
            instance = unique_row(qs)
        return self.builder(query).document(instance, target_type, many=False)

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
        return self.builder(query).linkage_document(parent, self.resource_type, name, rel)


def _related_rows(resource_cls, name: str, rel, parent, target_cls):
    """(key, rows_of, arguments) of `parent`'s related list `name` for a compiled page: the
    rows `related_document` lists, for a parent of any id (the argument). Only for a reverse
    foreign key to the parent's primary key (an order's line items and shipments); None for
    the others (a getter's, a many-to-many's), which Django compiles each time."""
    if rel.getter is not None:
        return None
    source = rel.source_for(name)
    try:
        field = parent._meta.get_field(source)
    except FieldDoesNotExist:  # a property giving the rows
        return None
    if not (field.one_to_many and field.field.target_field.primary_key):
        return None
    parent_model = type(parent)

    def rows_of(reach, parent_id):
        if rel.through_parent:
            rows = target_cls.base_queryset().order_by("created_at", "id")
        else:
            rows = target_cls.scoped_queryset(reach)
        rows = rows.filter(pk__in=getattr(parent_model(pk=parent_id), source).values("pk"))
        return rows.order_by(*rel.ordering) if rel.ordering else rows

    key = (resource_cls, "related", name)
    return key, rows_of, {"parent_id": (models.BigIntegerField(), parent.pk)}


def _last_page_count(start: int, size: int, page: list) -> int | None:
    """The record count of a record's related list when `page` is its last page (a few rows,
    as a rule): counted from its rows, no COUNT; None otherwise."""
    if len(page) < size and (page or start == 0):
        return start + len(page)
    return None


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
