"""Several compiled reads (commerce/compiled.py) sent as one statement.

A cart's every change reads the same handful of small row sets (its lines, shipments, stock
line items, the market's shipping methods and promotions, ...), each a statement and a round
trip of its own. On PostgreSQL `reads_together` sends them as one:

    SELECT (SELECT COALESCE(json_agg(r), '[]')::text
              FROM (SELECT c0, c1::text AS c1, ... FROM (<read 1>) AS q(c0, c1, ...)) AS r),
           (... <read 2> ...), ...

each read's own SQL and parameters unchanged inside, its columns renamed by position (a read
joined to other tables has several `id`s), and holds each read's rows, turned back into the
values the database driver would have given, for the first call of that read with those values
(`CompiledRead.all` takes them: HELD_ROWS). What turns rows into instances stays Django's.

Values come back through JSON text, so a column is decoded by its database type: numbers and
jsonb are sent as their text (no float on the way), timestamps and dates from their ISO text.
A read with a column of another type (an interval, bytes), or one that locks, is not combined:
it goes to the database alone when called, as does every read on another database (SQLite).

The rows are held only inside the `with` block, each is taken once (a read called again reads
the database), and a read's rows are dropped when a statement of the block writes a table the
read looks at: what is taken is what the database would answer then. The caller asks only for
reads it is about to make, under the locks it holds.
"""

import datetime
import decimal
import re
import uuid
from contextlib import contextmanager
from functools import lru_cache

import orjson
from django.db import connections

from commerce.compiled import HELD_ROWS, CompiledRead

# Database type (as Django declares the column) -> (cast in SQL, decode of the JSON value).
_AS_IS = (None, None)
_SCALARS = {
    "bigint": _AS_IS,
    "integer": _AS_IS,
    "smallint": _AS_IS,
    "boolean": _AS_IS,
    "text": _AS_IS,
    "varchar": _AS_IS,
    "char": _AS_IS,
    "numeric": ("text", decimal.Decimal),
    "double precision": (None, float),
    "real": (None, float),
    "jsonb": ("text", None),  # Django's JSONField parses the text itself
    "timestamp with time zone": (None, datetime.datetime.fromisoformat),
    "date": (None, datetime.date.fromisoformat),
    "time": (None, datetime.time.fromisoformat),
    "uuid": (None, uuid.UUID),
}
_ARRAYS_OF = {"bigint", "integer", "smallint", "boolean", "text", "varchar", "char"}


def _column(field, connection) -> tuple[str | None, object] | None:
    """(cast, decode) of a column of this output field; None when JSON can't carry it."""
    db_type = field.db_type(connection)
    if not db_type:
        return None
    base = db_type.split("(")[0].strip().lower()
    if base.endswith("[]"):
        return _AS_IS if base[:-2].split("(")[0].strip() in _ARRAYS_OF else None
    if base.startswith("character varying"):
        base = "varchar"
    return _SCALARS.get(base)


# Keyed by the compiled reads themselves (held here, so that no id of a freed one is reused).
_SHAPES: dict[tuple, tuple | None] = {}
_TEXTS: dict[tuple, str] = {}


def _shape(compiled, connection):
    """(the read's SQL wrapped to send its rows as JSON text, its decoders), or None when the
    read is not combined (it locks, or a column's type is not carried)."""
    key = (compiled, connection.alias)
    if key in _SHAPES:
        return _SHAPES[key]
    shape = None
    compiler = compiled.compiler
    if compiled.sql is not None and not compiled.for_update:
        columns = [
            _column(column[0].output_field, connection)
            for column in compiler.select[: compiler.col_count]
        ]
        if all(column is not None for column in columns):
            names = ", ".join(f"c{i}" for i in range(len(columns)))
            picked = ", ".join(
                f"c{i}::{cast} AS c{i}" if cast else f"c{i}" for i, (cast, _) in enumerate(columns)
            )
            sql = (
                f"(SELECT COALESCE(json_agg(r), '[]')::text FROM (SELECT {picked} FROM "
                f"({compiled.sql}) AS q({names})) AS r)"
            )
            decoders = [(i, decode) for i, (_, decode) in enumerate(columns) if decode]
            tables = frozenset(_READ_TABLES.findall(compiled.sql))  # subqueries' too
            shape = (sql, decoders, tables)
    _SHAPES[key] = shape
    return shape


_READ_TABLES = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
_WRITTEN_TABLES = re.compile(r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(\w+)"', re.IGNORECASE)
_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


@lru_cache(maxsize=1024)  # statement texts repeat (they are built once, and prepared)
def _written_tables(sql: str) -> frozenset[str]:
    """The tables a statement may write (none for a read)."""
    if not sql.lstrip()[:6].upper().startswith(_WRITES):
        return frozenset()
    return frozenset(_WRITTEN_TABLES.findall(sql))


def _decoded(text: str, decoders) -> list[list]:
    # orjson (the renderer's): what PostgreSQL's json_agg sends is plain JSON, numbers within 64
    # bits (numerics come as text), and it parses it ~3x faster than the standard library.
    rows = [list(row.values()) for row in orjson.loads(text)]
    for row in rows:
        for i, decode in decoders:
            if row[i] is not None:
                row[i] = decode(row[i])
    return rows


def read_ahead(calls: list[tuple[CompiledRead, dict]]) -> tuple[dict, dict, str | None]:
    """({held key: rows}, {held key: the tables its SQL reads}, the database alias) of the
    reads that can go together, in one statement; nothing when fewer than two can (one alone
    gains nothing)."""
    parts = []
    for read, values in calls:
        query = read.query(**values)
        if query is None:
            continue  # finds nothing without asking
        compiled, params, alias = query.call
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return {}, {}, None
        shape = _shape(compiled, connection)
        if shape is not None:
            parts.append((read.held_key(values), compiled, params, alias, shape))
    if len(parts) < 2 or len({alias for _, _, _, alias, _ in parts}) > 1:
        return {}, {}, None
    text_key = tuple(compiled for _, compiled, _, _, _ in parts)
    sql = _TEXTS.get(text_key)
    if sql is None:
        sql = _TEXTS[text_key] = "SELECT " + ", ".join(shape[0] for *_, shape in parts)
    with connections[parts[0][3]].cursor() as cursor:
        cursor.execute(sql, [p for _, _, params, _, _ in parts for p in params])
        texts = cursor.fetchone()
    rows = {
        key: _decoded(text, shape[1])
        for (key, _, _, _, shape), text in zip(parts, texts, strict=True)
    }
    return rows, {key: shape[2] for key, *_, shape in parts}, parts[0][3]


@contextmanager
def reads_together(*calls: tuple[CompiledRead, dict]):
    """Within the block, the rows of `calls` (read, values) are held, read in one statement
    (see above); a read held already by an enclosing block is not read again. Held rows are
    dropped as soon as a statement of the block writes a table their SQL reads (INSERT,
    UPDATE, DELETE, whatever sends it), and what the block did not take at its end."""
    held = HELD_ROWS.get()
    outer = held is not None
    if not outer:
        held = {}
    wanted = [(read, values) for read, values in calls if read.held_key(values) not in held]
    added, tables, alias = read_ahead(wanted) if wanted else ({}, {}, None)
    held.update(added)
    token = None if outer else HELD_ROWS.set(held)

    def drop_on_write(execute, sql, params, many, context):
        written = _written_tables(sql)
        if written:
            for key in [key for key in added if key in held and tables[key] & written]:
                held.pop(key)
        return execute(sql, params, many, context)

    try:
        if added:
            with connections[alias].execute_wrapper(drop_on_write):
                yield
        else:
            yield
    finally:
        for key in added:
            held.pop(key, None)
        if token is not None:
            HELD_ROWS.reset(token)
