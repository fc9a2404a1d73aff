"""Prefetches of to-many relationships read through a foreign key back to their parents (an
order's line items, its shipments' stock line items), with their SQL compiled once per process.

Django compiles a prefetch's queryset each time, after adding `<key>__in` the parents' keys to
it; for a member's document (an order with its line items and shipments) those compiles cost
more than the database takes to answer. `compiled_prefetch` marks the Prefetch's queryset so
that, when Django's prefetch adds exactly that filter and nothing else changed, the SQL comes
from a CompiledRead (commerce/compiled.py) built from the same queryset with stand-ins, one per
resource, relationship, shape of the caller's reach and number of parents. Anything else
(another filter, a slice, a read the compile refuses) is compiled by Django as before.
"""

from django.db import models
from django.db.models import Q
from django.db.models.sql.query import Query

from commerce.compiled import CompiledRead
from commerce.jsonapi.rows import reach_fields, reach_shape, reach_values, stand_in_ctx


def compiled_prefetch(queryset, build, key, ctx, field):
    """`queryset`, which `build(ctx)` made, to be prefetched through reverse foreign key
    `field` (the line item's `order`): its prefetch reads are compiled once per `key`, `ctx`'s
    reach shape and number of parents. `ctx` None: a queryset that depends on no token."""
    if type(queryset.query) is not Query or queryset.query.is_sliced:
        return queryset
    queryset = queryset._chain()
    query = queryset.query
    query.__class__ = _PrefetchQuery
    query.prefetch = (build, key, ctx, field)
    query.before = _fingerprint(query)
    query.parents = None
    return queryset


class _PrefetchQuery(Query):
    def add_q(self, q_object, reuse_all=False):
        before = _fingerprint(self)
        super().add_q(q_object, reuse_all)
        field = self.prefetch[3]
        child = q_object.children[0] if len(q_object.children) == 1 else None
        if (
            self.parents is None
            and reuse_all
            and before == self.before
            and not q_object.negated
            and isinstance(child, tuple)
            and child[0] == f"{field.name}__in"
        ):  # what Django's prefetch adds (related_descriptors._filter_prefetch_queryset)
            self.parents = (list(child[1]), _fingerprint(self))
        else:
            self.parents = False

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if self.parents and _fingerprint(self) == self.parents[1]:
            query = _compiled_query(self)
            if query is not None:
                return query.get_compiler(using, connection, elide_empty)
        return super().get_compiler(using, connection, elide_empty)


def _compiled_query(query: _PrefetchQuery):
    build, key, ctx, field = query.prefetch
    attname = field.target_field.attname
    keys = list(dict.fromkeys(getattr(parent, attname, None) for parent in query.parents[0]))
    if not keys or None in keys:
        return None
    shape = (key, None if ctx is None else reach_shape(ctx), len(keys))
    read = _READS.get(shape, _UNTRIED)
    if read is None:
        return None
    values = {f"parent{i}": value for i, value in enumerate(keys)}
    if ctx is not None:
        values.update(reach_values(ctx))
    if read is _UNTRIED:
        read = _prefetch_read(build, ctx, field, len(keys))
        try:
            compiled = read.query(**values)
        except (ValueError, TypeError):  # compiled.py's refusals, at the first call only
            _READS[shape] = None
            return None
        _READS[shape] = read
        return compiled
    return read.query(**values)


_READS: dict[tuple, CompiledRead | None] = {}
_UNTRIED = object()


def _prefetch_read(build, ctx, field, count: int) -> CompiledRead:
    def read(**arguments):
        reach = {name: value for name, value in arguments.items() if not name.startswith("parent")}
        queryset = build(None if ctx is None else stand_in_ctx(ctx, reach))
        parents = [arguments[f"parent{i}"] for i in range(count)]
        queryset.query.add_q(Q(**{f"{field.name}__in": parents}), reuse_all=True)
        return queryset

    parents = {f"parent{i}": _key_field(field) for i in range(count)}
    reach = {} if ctx is None else reach_fields(ctx)
    return CompiledRead(read, optional=frozenset(reach), **parents, **reach)


def _key_field(field):
    """A plain field of the parents' key type (CompiledRead's stand-ins and conversions)."""
    target = field.target_field
    if isinstance(target, models.CharField):
        return models.CharField()
    return models.BigIntegerField()


def _fingerprint(query: Query) -> tuple:
    """What of a query a change between marking and compiling would show in (Django's prefetch
    only adds its filter; anything else sends the read back to Django's compile)."""
    where = query.where
    return (
        len(where.children),
        where.connector,
        where.negated,
        query.low_mark,
        query.high_mark,
        query.order_by,
        query.extra_order_by,
        query.default_ordering,
        tuple(query.annotations),
        query.distinct,
        query.distinct_fields,
        query.select_related,
        query.deferred_loading,
        query.values_select,
        query.select_for_update,
        query.combinator,
        tuple(query.alias_map),
        bool(query.extra),
    )
