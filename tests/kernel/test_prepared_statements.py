"""Prepared statements on PostgreSQL (settings.py): a statement a connection repeats is parsed
and planned once, then only executed; DB_PREPARED_STATEMENTS=off (a transaction-pooling
PgBouncer) prepares nothing and binds parameters on the client, as Django does by default."""

import pytest
from django.conf import settings
from django.db import connection

from commerce.models import Address
from tests.conftest import ADDRESS
from tests.databases import manage_shell

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_repeated_read_is_prepared_and_answers_the_same():
    address = Address.objects.create(**ADDRESS)
    threshold = settings.DB_PREPARE_THRESHOLD
    answers = [
        Address.objects.filter(public_id=address.public_id).values_list("city", flat=True).get()
        for _ in range(threshold + 2)
    ]
    assert answers == [ADDRESS["city"]] * (threshold + 2)
    statements = [s for s in prepared() if '"commerce_address"' in s and "public_id" in s]
    assert statements, prepared()
    assert "$1" in statements[0]  # bound on the server


def settings_of_a_process(**env) -> str:
    show = (
        "from django.conf import settings\n"
        "o = settings.DATABASES['default']['OPTIONS']\n"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))\n"
    )
    return manage_shell(show, **env).strip()


def test_a_pooler_turns_them_off():
    assert settings_of_a_process(DB_PREPARED_STATEMENTS="off") == "None None"
    assert settings_of_a_process(DB_PREPARED_STATEMENTS="on", DB_PREPARE_THRESHOLD="5") == "True 5"
