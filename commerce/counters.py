from django.db import connection

from commerce.models import Counter


def next_number(name: str, *, start: int = 1) -> int:
    """The next value of counter `name` (the first is `start`): one upsert that takes the row
    lock until the caller's transaction ends, so numbers are unique and gap-free per committed
    transaction (PostgreSQL and SQLite >= 3.35 both speak ON CONFLICT ... RETURNING)."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [name, start],
        )
        return cursor.fetchone()[0]
