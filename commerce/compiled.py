"""Hot reads whose SQL is compiled once per process.

Django turns a queryset into SQL text on every evaluation, and for a read joined to a few wide
tables that costs more than the database takes to answer it (an order's lock with its market,
addresses and payment: ~1.4 ms of compiling, against ~0.3 ms in PostgreSQL). A `CompiledRead`
builds its queryset once with stand-in values for its arguments, compiles it, and from then on
sends the same SQL text with each call's values in their places; the rows become model
instances exactly as the queryset makes them (`select_related` included). The same text each
time is also what PostgreSQL's prepared statements reuse (settings: DB_PREPARE_THRESHOLD).

For reads of a fixed shape only:
- every value that varies between calls is an argument (a `now` too), declared with the model
  field it is compared with, so that it reaches the database as that field sends it;
- no argument changes the SQL's shape (no IN list, no None turned into IS NULL). The compile
  checks what it can: two sets of stand-ins must give the same text and the same constants,
  and each argument must land in the parameters as itself (a lookup such as `icontains` that
  rewrites the value fails here, at the first call, rather than reading the wrong rows).
The result is a list or one instance, never a queryset: a further `.filter()` on a compiled
read would be ignored by the SQL it holds.
"""

import copy
import datetime
import itertools
import operator
import weakref
from contextvars import ContextVar
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models.query import ModelIterable, QuerySet, get_related_populators
from django.db.models.sql.query import Query
from django.db.transaction import TransactionManagementError


def let_psycopg_cache_long_statements() -> None:
    """psycopg turns a statement's `%s` placeholders into `$n` by parsing its text, and keeps
    the result (an LRU of 128) only for statements of at most 4 KiB and 50 parameters: ORM-made
    statements of varying shape would flood it. Ours of a fixed shape are longer (an order's
    lock joined to five tables is 8.8 KiB; an UPDATE that carries its events 82 parameters), so
    a quarter of a checkout's statements were parsed again on every request. Called once, from
    the kernel's AppConfig.ready; psycopg versions without these limits are left alone."""
    try:
        from psycopg import _queries
    except ImportError:  # psycopg2, or a psycopg that moved them
        return
    for name, at_least in (
        ("MAX_CACHED_STATEMENT_LENGTH", 16384),
        ("MAX_CACHED_STATEMENT_PARAMS", 200),
    ):
        if isinstance(getattr(_queries, name, None), int):
            setattr(_queries, name, max(getattr(_queries, name), at_least))


# Rows read ahead for compiled reads, {(read, its values): rows}, while `reads_together`
# (commerce/together.py) holds them: the first call of that read with those values takes them
# instead of sending its SQL; a second call reads the database again.
HELD_ROWS: ContextVar[dict | None] = ContextVar("held_rows", default=None)


class CompiledRead:
    """`build(**stand_ins)` -> the queryset; `arguments`: name -> the model field the value is
    compared with (models.BigIntegerField(), models.CharField(), models.DateTimeField(), ...);
    `optional`: arguments the SQL may leave out (a token's values that only some reaches use)."""

    def __init__(self, build, *, optional: frozenset = frozenset(), **arguments: models.Field):
        self.build = build
        self.arguments = arguments
        self.optional = optional
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def all(self, *, known: dict | None = None, **values) -> list[models.Model]:
        """The rows for `values`, as model instances. `known`: {foreign key name: instance} set
        on each row without a query (what a related manager does for its owner)."""
        query = self.query(**values)
        if query is None:
            return []
        query.rows = self._take_held(values)
        model = query.model
        queryset = QuerySet(model=model, query=query, using=query.call[2])
        queryset._iterable_class = _CompiledModelIterable
        if known:
            queryset._known_related_objects = {
                model._meta.get_field(name): {instance.pk: instance}
                for name, instance in known.items()
            }
        return list(queryset)

    def query(self, **values) -> Query | None:
        """The compiled query for `values` (what a QuerySet over it sends), None when the read
        can find nothing."""
        model, for_update = self._shape()
        alias = router.db_for_write(model) if for_update else router.db_for_read(model)
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = self._compile(alias)
            self._compiled[(alias, connection.vendor)] = compiled
        if compiled.sql is None:  # a read that can find nothing (`.none()`, an empty IN)
            return None
        if (
            compiled.for_update
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        ):  # as Django's compiler refuses it
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            value = self.arguments[name].get_db_prep_value(values[name], connection)
            for position in positions:
                params[position] = value
        query = _OneCall.__new__(_OneCall)
        query.__dict__ = dict(compiled.query.__dict__)
        query.call = (compiled, tuple(params), alias)
        query.rows = None
        return query

    def held(self, *, known: dict | None = None, **values) -> list[models.Model] | None:
        """The rows read ahead for `values` (HELD_ROWS), as `all` gives them; None, and no
        query, when none are held."""
        held = HELD_ROWS.get()
        if not held or self.held_key(values) not in held:
            return None
        return self.all(known=known, **values)

    def held_key(self, values: dict) -> tuple:
        """What `HELD_ROWS` knows this read's rows for `values` by."""
        return (self, *(values[name] for name in self.arguments))

    def _take_held(self, values: dict) -> list | None:
        """The rows read ahead for `values`, taken (a next call reads the database), or None."""
        held = HELD_ROWS.get()
        return held.pop(self.held_key(values), None) if held else None

    def first(self, *, known: dict | None = None, **values) -> models.Model | None:
        rows = self.all(known=known, **values)
        return rows[0] if rows else None

    def count(self, **values) -> int:
        """How many rows the read finds, counted by the database around the SQL held (one
        text per read, as PostgreSQL prepares it), or the rows read ahead for `values`. For a
        read without slice or ORDER BY."""
        query = self.query(**values)
        if query is None:
            return 0
        rows = self._take_held(values)
        if rows is not None:
            return len(rows)
        compiled, params, alias = query.call
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) counted", params)
            return cursor.fetchone()[0]

    def _shape(self) -> tuple[type[models.Model], bool]:
        """The model read, and whether the read locks (it decides the database alias)."""
        shape = getattr(self, "_shape_held", None)
        if shape is None:
            query = self.build(**self._stand_ins(0)).query
            shape = self._shape_held = (query.model, bool(query.select_for_update))
        return shape

    def _stand_ins(self, round_: int) -> dict:
        return {
            name: _stand_in(field, round_ * 100 + index)
            for index, (name, field) in enumerate(self.arguments.items())
        }

    def _compile(self, alias: str) -> "_Compiled":
        connection = connections[alias]
        texts = []
        for round_ in (1, 2):
            stand_ins = self._stand_ins(round_)
            queryset = self.build(**stand_ins)
            compiler = queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:
                sql, params = None, ()
            slots = {}
            for name, value in stand_ins.items():
                if sql is None:
                    slots[name] = []
                    continue
                sent = self.arguments[name].get_db_prep_value(value, connection)
                positions = [i for i, param in enumerate(params) if param == sent]
                if not positions and name not in self.optional:
                    raise ValueError(f"compiled read: {name!r} is not a parameter of {sql}")
                slots[name] = positions
            taken = set(itertools.chain.from_iterable(slots.values()))
            constants = tuple(None if i in taken else p for i, p in enumerate(params))
            texts.append((sql, constants, slots))
            if round_ == 1:
                kept = _Compiled(
                    query=queryset.query,
                    compiler=compiler,
                    sql=sql,
                    params=constants,
                    slots=slots,
                    for_update=queryset.query.select_for_update,
                )
        if texts[0] != texts[1]:
            raise ValueError(f"compiled read: the arguments change the SQL of {texts[0][0]}")
        return kept


class _Compiled:
    __slots__ = ("query", "compiler", "sql", "params", "slots", "for_update", "converters", "rows")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)
        # The row converters of the SQL's columns, per connection (Django works them out for
        # every execution; they follow from the columns and the backend alone).
        self.converters = weakref.WeakKeyDictionary()
        # How a row becomes instances, per database alias (see _CompiledModelIterable).
        self.rows = {}


class _CompiledModelIterable(ModelIterable):
    """Django's ModelIterable for a compiled read: the same instances, with what turns a row
    into them (where the model's columns are, the populators of each `select_related`
    relation) worked out once per compiled read and database instead of for every execution
    (~30 us for a lock joined to five tables). Those follow from the SQL's columns alone; the
    populators hold nothing of a row."""

    def __iter__(self):
        queryset = self.queryset
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        compiled = queryset.query.call[0]
        shape = compiled.rows.get(db)
        if shape is None:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            shape = compiled.rows[db] = (
                klass_info["model"],
                start,
                end,
                [column[0].target.attname for column in select[start:end]],
                get_related_populators(klass_info, select, db),
                compiler.annotation_col_map,
            )
        model_cls, start, end, init_list, populators, annotations = shape
        meta = queryset.model._meta
        known = [
            (
                field,
                objs,
                operator.attrgetter(
                    *[
                        field.attname if name == "self" else meta.get_field(name).attname
                        for name in field.from_fields
                    ]
                ),
            )
            for field, objs in queryset._known_related_objects.items()
        ]
        for row in compiler.results_iter(results):
            obj = model_cls.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            for field, objs, getter in known:  # as ModelIterable: what select_related left
                if not field.is_cached(obj):
                    related = objs.get(getter(obj), _NONE)
                    if related is not _NONE:
                        setattr(obj, field.name, related)
            yield obj


_NONE = object()


class _OneCall(Query):
    """The compiled query for one call: its compiler sends the SQL held, with the call's
    parameters, on this thread's connection, or answers with the `rows` read ahead for it (as
    the database sends them); what turns rows into instances is Django's."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiled, params, _ = self.call
        compiler = copy.copy(compiled.compiler)
        connection = compiler.connection = connection or connections[using]
        compiler.using = using
        sql = compiled.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        if self.rows is not None:
            rows = self.rows
            compiler.execute_sql = lambda *args, **kwargs: [rows]
        converters = compiled.converters.get(connection)
        if converters is None:
            work_out = compiler.get_converters

            def get_converters(expressions):
                found = compiled.converters[connection] = work_out(expressions)
                return found

            compiler.get_converters = get_converters
        else:
            compiler.get_converters = lambda expressions: converters
        return compiler


_EPOCH = datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)


def _stand_in(field: models.Field, n: int):
    """A value of `field`'s type that no real argument takes, different for each n."""
    if isinstance(field, models.DateTimeField):
        return _EPOCH + datetime.timedelta(seconds=n + 1)
    if isinstance(field, models.IntegerField):
        return -(2**40) - n
    if isinstance(field, models.CharField | models.TextField):
        return f"compiled-read-stand-in-{n}"
    raise TypeError(f"compiled read: no stand-in for a {type(field).__name__}")


def update_rows(instances: list[models.Model], fields: list[str] | None = None) -> int:
    """Store `fields` of each of `instances` (one model) by primary key, or when `fields` is
    None what `save()` would store, `auto_now` stamps included: every column but the key, or
    for one record read whole the columns it changed (`_changed_columns`). One UPDATE text per
    set of columns, built once per process, sent once with every row's values (`executemany`,
    which psycopg sends in one round trip). What `bulk_update` does without its CASE WHEN per
    row and per field (~2 ms of compiling for a handful of line items), and what `save()` does
    without compiling a statement of every column each time (~1 ms for an order). Returns the
    rows matched (for one instance)."""
    if not instances:
        return 0
    model = type(instances[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if fields is None:
        for obj in instances:
            for field in _stamps(model):
                field.pre_save(obj, add=False)
        # One record read whole: the columns it changed (see _changed_columns).
        columns = _changed_columns(instances[0]) if len(instances) == 1 else None
    else:
        columns = tuple(fields)
    key = (model, columns, alias, connection.vendor)
    statement = _UPDATES.get(key)
    if statement is None:
        meta = model._meta
        if columns is None:
            targets = [field for field in meta.concrete_fields if not field.primary_key]
        else:
            targets = [meta.get_field(name) for name in columns]
        quote = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            quote(meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in targets),
            quote(meta.pk.column),
        )
        statement = (sql, targets)
        if len(_UPDATES) < _UPDATES_HELD:  # sets of changed columns are many in principle
            _UPDATES[key] = statement
    sql, targets = statement
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in targets]
        + [obj.pk]
        for obj in instances
    ]
    carried, quote = None, connection.ops.quote_name
    if len(rows) == 1 and written.carrying is not None:
        pk_column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
        exists = (f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {pk_column} = %s)",
                  [rows[0][-1]])  # fmt: skip
        carried = written.carrying(instances, connection, fields, created=False, only_if=exists)
    with connection.cursor() as cursor:
        if carried is not None:
            prefix, prefix_params, member, on_member = carried
            try:
                cursor.execute(f"{prefix}{sql} RETURNING {member}", [*prefix_params, *rows[0]])
                returned = cursor.fetchall()
            except Exception:
                on_member(None)  # nothing was written: the events are forgotten with the row
                raise
            on_member(returned[0][0] if returned else None)
        elif len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
        matched = cursor.rowcount
    if matched and carried is None and written.updated is not None:
        written.updated(instances, fields)
    return matched


class written:
    """What is told of the rows written here: commerce.events sets these to record each
    write's `<type>.create|update` (bulk.md "Events"; this module imports no reader of it)."""

    created = None  # called with the new instances
    # called before an INSERT or a one-row UPDATE: None, or (prefix, its params, a RETURNING
    # member, a callback given that member's value) that the statement takes in
    # (commerce.events.carrying)
    carrying = None
    updated = None  # called with the instances and the fields written (None: every column)
    loaded_with = None  # called with an instance: {attname: value} it was read with, or None


_UPDATES: dict[tuple, tuple[str, list[models.Field]]] = {}
_UPDATES_HELD = 4096


@cache
def _stamps(model) -> tuple[models.Field, ...]:
    """The `auto_now` columns `save()` stamps on every write."""
    return tuple(f for f in model._meta.concrete_fields if getattr(f, "auto_now", False))


def _changed_columns(obj: models.Model) -> tuple[str, ...] | None:
    """The columns `update_rows` writes for a record it is given whole (`save()` writes every
    one): those whose values differ from what the record was read with (its snapshot,
    `written.loaded_with`), the stamps, and every column holding a dict or a list (JSON, arrays),
    which a change in place leaves equal to the snapshot's. An order has 75 columns and a
    refresh changes a dozen; the rest were read under the same row lock, so they are what the
    row holds. None (every column) for a record without a snapshot, or nothing to write."""
    before = written.loaded_with(obj) if written.loaded_with is not None else None
    if before is None:
        return None
    values, stamps = obj.__dict__, _stamps(type(obj))
    names = tuple(
        field.name
        for field in type(obj)._meta.concrete_fields
        if not field.primary_key
        and field.attname in values  # a deferred column is not written, as save() does
        and (
            field in stamps
            or isinstance(values[field.attname], dict | list)
            or before.get(field.attname, _UNSET) != values[field.attname]
        )
    )
    return names or None


_UNSET = object()


def insert_rows(instances: list[models.Model]) -> list[models.Model]:
    """INSERT new `instances` (one model, no parent table) and set their keys: one statement
    text per model and row count, built once per process, with each column's value as `save()`
    prepares it (`pre_save`: `auto_now`/`auto_now_add` stamps, defaults already on the instance).
    What `save()` and `bulk_create` send, without Django compiling the INSERT each time (~0.7 ms
    for a line item's 30 columns). The key comes back by RETURNING, on PostgreSQL and SQLite
    alike (both return the rows in the order of their VALUES, as bulk_create relies on)."""
    if not instances:
        return instances
    model = type(instances[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    key = (model, len(instances), alias, connection.vendor)
    statement = _INSERTS.get(key)
    if statement is None:
        meta = model._meta
        if not insertable(model, connection):
            raise TypeError(f"insert_rows: {model.__name__} needs Django's own INSERT")
        targets = [field for field in meta.concrete_fields if not field.primary_key]
        quote = connection.ops.quote_name
        row = "({})".format(", ".join(["%s"] * len(targets)))
        sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(
            quote(meta.db_table),
            ", ".join(quote(field.column) for field in targets),
            ", ".join([row] * len(instances)),
            quote(meta.pk.column),
        )
        statement = _INSERTS[key] = (sql, targets)
    sql, targets = statement
    if any(obj.pk is not None for obj in instances):
        raise ValueError("insert_rows: the database gives the keys")
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in instances
        for field in targets
    ]
    carried = written.carrying(instances, connection, created=True) if written.carrying else None
    if carried is not None:
        prefix, prefix_params, member, on_member = carried
        sql, params = f"{prefix}{sql}, {member}", [*prefix_params, *params]
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
    except Exception:
        if carried is not None:
            on_member(None)  # nothing was written: the events are forgotten with the rows
        raise
    pk = model._meta.pk
    for obj, (value, *_) in zip(instances, keys, strict=True):
        obj.pk = pk.to_python(value)
        obj._state.adding = False
        obj._state.db = alias
    if carried is not None:
        on_member(keys[0][1])
    elif written.created is not None:
        written.created(instances)
    return instances


_INSERTS: dict[tuple, tuple[str, list[models.Field]]] = {}


def insertable(model: type[models.Model], connection) -> bool:
    """Whether `insert_rows` writes what Django's INSERT would: one table, a key the database
    generates and returns, no column the database computes or defaults itself."""
    meta = model._meta
    return (
        not meta.parents
        and isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
        and connection.features.can_return_rows_from_bulk_insert
        and not any(
            field.generated or field.db_default is not models.NOT_PROVIDED
            for field in meta.concrete_fields
        )
    )
