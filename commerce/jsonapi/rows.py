"""The rows a request names by id: read, or read under their row locks for a write.

A write locks its `locked_through` parent first (a line item's order), then its own row: the
global lock order starts at the parent (orders/locks.py writes it down). A relationship whose
target the write changes (`Rel.lock`, the order a new line item joins) locks that target.
Each lock reads the row with what its resource's writes need (`lock_related`).

Every write takes one of these locks, and the read behind it joins a few wide tables (an
order's: its market, inventory model, payment method and source, two addresses), so its SQL
is compiled once per process (commerce/compiled.py) for each resource and each shape of
caller's reach: the token's kind and how many markets, stock locations and customer it names.
The token's values are arguments of that SQL, never part of it.
"""

import dataclasses

from django.db import models
from django.db.models import Subquery

from commerce.auth.context import TokenContext
from commerce.compiled import CompiledRead
from commerce.jsonapi.registry import registry


def unique_row(qs):
    """The row a lookup by a unique key finds, or None. Not `.first()`: ordering one row is
    work for nothing, and compiling an ORDER BY is a good part of a small query's cost."""
    return next(iter(qs.order_by()[:1]), None)


def lock_member(resource_cls, ctx: TokenContext, public_id: str):
    """Row `public_id` of the resource within `ctx`'s reach under its lock, after its
    parent's; the locked parent is attached to it. None when out of reach."""
    parent = _lock_parent(resource_cls, public_id)
    instance = lock_target(resource_cls, ctx, public_id)
    if instance is not None and parent is not None:
        setattr(instance, resource_cls.locked_through, parent)
    return instance


def lock_target(target_cls, ctx: TokenContext, public_id: str):
    """Row `public_id` of `target_cls` within `ctx`'s reach (a relationship's target) under its
    lock, with its `lock_related`; None when out of reach."""
    shape = reach_shape(ctx)
    read = _LOCKS.get((target_cls, shape))
    if read is None:
        read = _LOCKS[(target_cls, shape)] = _locking_read(target_cls, ctx)
    return read.first(public_id=public_id, **reach_values(ctx))


def _lock_parent(resource_cls, public_id: str):
    """Lock the `locked_through` parent of row `public_id` (None without one), reading it with
    its resource's `lock_related`; one statement (the row is found by a subquery)."""
    if resource_cls.locked_through is None:
        return None
    read = _LOCKS.get((resource_cls, "parent"))
    if read is None:
        read = _LOCKS[(resource_cls, "parent")] = _parent_read(resource_cls)
    return read.first(public_id=public_id)


_LOCKS: dict[tuple, CompiledRead] = {}


def read_member(resource_cls, ctx: TokenContext, public_id: str, fallback, joined: tuple = ()):
    """Row `public_id` of the resource within `ctx`'s reach (a GET's member, a relationship's
    target; no lock), with its `joined` relations read in the same statement; None when out of
    reach. See `first_within_reach`."""

    def build(reach, public_id):
        rows = resource_cls.scoped_queryset(reach).filter(public_id=public_id)
        return (rows.select_related(*joined) if joined else rows).order_by()[:1]

    return first_within_reach(
        (resource_cls, "member", joined),
        ctx,
        build,
        fallback,
        public_id=(models.CharField(), public_id),
    )


def first_within_reach(key, ctx: TokenContext, build, fallback, **arguments):
    """The first row of `build(ctx, **values)`, a queryset within `ctx`'s reach, by SQL compiled
    once per `key` and shape of reach. `arguments`: name -> (model field, value). A read whose
    SQL the compile refuses to hold (it would change with the token's or the call's values)
    is `fallback()`, the queryset's own row, from then on."""
    row = _within_reach(key, ctx, build, arguments, CompiledRead.first)
    return fallback() if row is _REFUSED else row


def list_within_reach(resource_cls, ctx: TokenContext, order_by: tuple, start: int, size: int):
    """(record count, rows from `start` to `start + size`) of the resource's list within
    `ctx`'s reach in `order_by` (() its own order), unfiltered, by SQL compiled once per
    resource and reach shape (the count) and also per order and slice (the page). None when
    the page isn't compiled: past the first PAGES_COMPILED pages, beyond LIST_READS_MAX
    compiled reads (each shape holds its compiled query, and a client writes the `sort` it
    likes), or a read the compile refuses (a scope at `now`: its constants change)."""
    rows = page_within_reach(
        (resource_cls,), ctx, resource_cls.scoped_queryset, order_by, start, size
    )
    if rows is None:
        return None
    total = count_within_reach((resource_cls,), ctx, resource_cls.scoped_queryset)
    if total is None:
        return None
    return total, rows


def page_within_reach(
    key: tuple, ctx: TokenContext, rows_of, order_by: tuple, start: int, size: int, **arguments
):
    """Rows `start` to `start + size` of `rows_of(ctx, **values)` (a queryset within reach) in
    `order_by` (() its own order), by SQL compiled once per `key`, reach shape, order and slice
    (`arguments`: name -> (model field, value), as `first_within_reach` takes them); None when
    not compiled (see `list_within_reach`)."""
    if start // max(size, 1) >= PAGES_COMPILED:
        return None
    page_key = (*key, "page", order_by, start, size)
    if (page_key, reach_shape(ctx)) not in _READS and len(_READS) >= LIST_READS_MAX:
        return None

    def page(reach, **values):
        rows = rows_of(reach, **values)
        return (rows.order_by(*order_by) if order_by else rows)[start : start + size]

    rows = _within_reach(page_key, ctx, page, arguments, CompiledRead.all)
    return None if rows is _REFUSED else rows


def count_within_reach(key: tuple, ctx: TokenContext, rows_of, **arguments) -> int | None:
    """How many rows `rows_of(ctx, **values)` finds, by SQL compiled once per `key` and reach
    shape; None when the compile refuses it."""

    def count(reach, **values):
        return rows_of(reach, **values).order_by().values("pk")

    total = _within_reach((*key, "count"), ctx, count, arguments, CompiledRead.count)
    return None if total is _REFUSED else total


PAGES_COMPILED = 5
LIST_READS_MAX = 512


def _within_reach(key, ctx: TokenContext, build, arguments: dict, use):
    """`use(read, **values)` of the CompiledRead of `build` for `key` and `ctx`'s reach shape,
    compiled at its first use; _REFUSED, then and from then on, where the compile refuses."""
    shape = (key, reach_shape(ctx))
    read = _READS.get(shape, _UNTRIED)
    if read is None:
        return _REFUSED
    values = {name: value for name, (_, value) in arguments.items()}
    values.update(reach_values(ctx))
    if read is _UNTRIED:
        read = _reach_read(ctx, build, {name: field for name, (field, _) in arguments.items()})
        try:
            result = use(read, **values)
        except (ValueError, TypeError):  # compiled.py's refusals, at the first call only
            _READS[shape] = None
            return _REFUSED
        _READS[shape] = read
        return result
    return use(read, **values)


_READS: dict[tuple, CompiledRead | None] = {}
_UNTRIED = object()
_REFUSED = object()


def _reach_read(ctx: TokenContext, build, fields: dict) -> CompiledRead:
    def read(**values):
        reach = {name: value for name, value in values.items() if name not in fields}
        return build(stand_in_ctx(ctx, reach), **{name: values[name] for name in fields})

    reach = reach_fields(ctx)
    return CompiledRead(read, optional=frozenset(reach), **fields, **reach)


def _locking_read(resource_cls, ctx: TokenContext) -> CompiledRead:
    def build(public_id, **reach):
        return (
            resource_cls.scoped_queryset(stand_in_ctx(ctx, reach))
            .filter(public_id=public_id)
            .select_for_update(of=("self",))
            .select_related(*resource_cls.lock_related)
            .order_by()[:1]
        )

    fields = reach_fields(ctx)
    return CompiledRead(build, optional=frozenset(fields), public_id=models.CharField(), **fields)


def _parent_read(resource_cls) -> CompiledRead:
    model = resource_cls.model
    field = model._meta.get_field(resource_cls.locked_through)
    parent_cls = registry[resource_cls.relationships()[resource_cls.locked_through].types[0]]

    def build(public_id):
        parent_ids = model._default_manager.filter(public_id=public_id).values(field.attname)
        # `pk = (SELECT …)`, not `pk IN (SELECT …)`: PostgreSQL runs the scalar subquery first
        # and reads the parent by its key, while a semi-join among the lock's joins (more
        # relations than its join_collapse_limit of 8) was planned as a scan of every order
        # (~35 ms on 10 000 orders against ~1 ms).
        return (
            field.related_model._default_manager.select_for_update(of=("self",))
            .select_related(*parent_cls.lock_related)
            .filter(pk=Subquery(parent_ids.order_by()[:1]))
            .order_by()[:1]
        )

    return CompiledRead(build, public_id=models.CharField())


# What of a token a reach may filter on, and as what kind of value.
_REACH_FIELDS = {
    "market": models.BigIntegerField(),
    "stock_location": models.BigIntegerField(),
    "customer": models.BigIntegerField(),
    "application": models.BigIntegerField(),
    "token": models.BigIntegerField(),
    "client": models.CharField(),
    "scope": models.CharField(),
}


def reach_fields(ctx: TokenContext) -> dict:
    """The model field of each of `reach_values` (CompiledRead's arguments)."""
    return {name: _REACH_FIELDS[name.rstrip("0123456789")] for name in reach_values(ctx)}


def reach_shape(ctx: TokenContext) -> tuple:
    """What of a token changes the SQL of a reach (not its values)."""
    return (
        ctx.kind,
        None if ctx.market_ids is None else len(ctx.market_ids),
        len(ctx.stock_location_ids),
        ctx.customer_id is None,
        ctx.token_id is None,
    )


def reach_values(ctx: TokenContext) -> dict:
    """A token's values, one argument each (`market0`, `market1`, ...)."""
    values = {f"market{i}": pk for i, pk in enumerate(ctx.market_ids or ())}
    values.update({f"stock_location{i}": pk for i, pk in enumerate(ctx.stock_location_ids)})
    if ctx.customer_id is not None:
        values["customer0"] = ctx.customer_id
    if ctx.token_id is not None:
        values["token0"] = ctx.token_id
    values.update(application0=ctx.application_id, client0=ctx.client_id, scope0=ctx.scope)
    return values


def stand_in_ctx(ctx: TokenContext, reach: dict) -> TokenContext:
    """`ctx` of the same shape with the stand-ins of CompiledRead in place of its values."""
    markets = (
        None
        if ctx.market_ids is None
        else tuple(reach[f"market{i}"] for i in range(len(ctx.market_ids)))
    )
    return dataclasses.replace(
        ctx,
        market_ids=markets,
        stock_location_ids=tuple(
            reach[f"stock_location{i}"] for i in range(len(ctx.stock_location_ids))
        ),
        customer_id=reach.get("customer0"),
        token_id=reach.get("token0"),
        application_id=reach["application0"],
        client_id=reach["client0"],
        scope=reach["scope0"],
    )
