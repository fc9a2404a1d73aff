"""A request waits for a lock at most the lock timeout (limits.md section 1), on both databases:
PostgreSQL's `lock_timeout` on a row, SQLite's busy timeout on the whole database (settings.py).
Then it answers 409 `CONFLICT` with nothing written, never a 500, and the same request goes
through once the lock is gone."""

import pytest

from commerce.models import Address
from tests.conftest import ADDRESS
from tests.databases import file_database_fixture, holding_lock, lock_timeout_fixture  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sqlite,
    pytest.mark.usefixtures("file_database"),
]


def test_a_patch_waiting_for_a_lock_answers_409_and_changes_nothing(integration, lock_timeout):
    address = Address.objects.create(**ADDRESS)
    lock_timeout(200)
    with holding_lock(address):
        response = integration.update("addresses", address.public_id, {"city": "Salem"})
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/vnd.api+json")
    (error,) = response.json()["errors"]
    assert (error["status"], error["code"]) == ("409", "CONFLICT")
    address.refresh_from_db()
    assert address.city == "Boston"

    response = integration.update("addresses", address.public_id, {"city": "Salem"})
    assert response.status_code == 200, response.content
    address.refresh_from_db()
    assert address.city == "Salem"
