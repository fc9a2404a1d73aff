"""PostgreSQL timestamps are read by `datetime.fromisoformat` (commerce/pgtimestamps.py) into
what Django's own loader gives: the same instants, in `datetime.timezone.utc`; what it does not
parse goes to Django's loader, errors included."""

import datetime

import pytest
from django.db import DataError, connection, transaction
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.postgres import types
from psycopg.pq import Format

from commerce.models import Address
from tests.conftest import ADDRESS

TIMESTAMPTZ_OID = types["timestamptz"].oid
pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

VALUES = [
    "2026-12-07 21:30:35.434147+00",
    "2026-12-07 21:30:35.4+00",
    "2026-12-07 21:30:35+00",
    "2026-03-29 01:30:00+02",  # another zone's instant, sent in the session's UTC
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the loader is PostgreSQL's")


def read(sql, *, django_loader=False):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if django_loader:  # Django's own, on this cursor only
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(sql)
        return cursor.fetchone()


def test_timestamps_read_as_django_reads_them():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader.__name__ == "UtcTimestamptzLoader"  # not Django's: these reads compare two
    sql = "SELECT " + ", ".join(f"'{v}'::timestamptz" for v in VALUES)
    ours, djangos = read(sql), read(sql, django_loader=True)
    assert ours == djangos
    assert all(value.tzinfo is datetime.UTC for value in ours)
    assert [value.tzinfo for value in djangos] == [value.tzinfo for value in ours]
    assert ours[3] == datetime.datetime(2026, 3, 28, 23, 30, tzinfo=datetime.UTC)


def test_a_record_reads_back_the_instant_it_stored():
    address = Address.objects.create(**ADDRESS)
    again = Address.objects.get(pk=address.pk)
    assert again.created_at == address.created_at
    assert again.created_at.tzinfo is datetime.UTC


def test_what_python_does_not_parse_is_read_as_before():
    bc = read("SELECT '0044-03-15 12:00:00+00 BC'::timestamptz::text")[0]
    assert bc.endswith("BC")
    for value in ("infinity", "-infinity", "0044-03-15 12:00:00+00 BC"):
        for django_loader in (False, True):
            with transaction.atomic(), pytest.raises(DataError):
                read(f"SELECT '{value}'::timestamptz", django_loader=django_loader)
