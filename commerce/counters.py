from django.db import connection
from django.db.models import F

from commerce.models import Counter


def next_number(name: str, *, start: int = 1) -> int:
    """The next value of counter `name` (the first is `start`), in the caller's transaction: the
    row stays locked until it ends, so numbers are unique and gap-free per committed transaction.

    One upsert where the database returns what it wrote (PostgreSQL, SQLite >= 3.35); older
    SQLite takes three statements."""
    if not _one_statement():
        Counter.objects.get_or_create(name=name, defaults={"value": start - 1})
        Counter.objects.filter(name=name).update(value=F("value") + 1)
        return Counter.objects.get(name=name).value
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [name, start],
        )
        return cursor.fetchone()[0]


def _one_statement() -> bool:
    return connection.features.can_return_columns_from_insert
