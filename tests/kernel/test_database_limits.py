"""Statement timeouts on PostgreSQL (limits.md section 1; lock waits: test_database_locks.py).

Every request's connection carries `statement_timeout` and `lock_timeout` as connection options
(settings.py), so no request spends a statement on them. A slow statement ends as a 503
`SERVICE_UNAVAILABLE` JSON:API error and a lock wait as a 409 `CONFLICT`; the transaction is
rolled back and the same connection serves the next request. The tests shrink the timeouts by
reconnecting with smaller options, the way a deployment sets them.

The requests run outside a test transaction (transaction=True), as on a server."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.jsonapi import rows
from commerce.models import Address
from commerce.views import AddressResource
from tests.conftest import ADDRESS
from tests.databases import manage_shell

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout and lock_timeout are PostgreSQL's")


@pytest.fixture
def timeouts():
    """Reconnect with these timeouts (milliseconds) as connection options; the settings' own
    options are back after the test."""
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("options")

    def reconnect(statement_ms, lock_ms):
        options["options"] = f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}"
        connection.close()

    yield reconnect
    if saved is None:
        options.pop("options", None)
    else:
        options["options"] = saved
    connection.close()


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def slow(seconds):
    """A queryset filter that makes PostgreSQL sleep (true afterwards)."""
    return f"(SELECT true FROM pg_sleep({seconds}))"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/vnd.api+json")
    (error,) = response.json()["errors"]
    assert (error["status"], error["code"]) == (str(status), code)


def current_setting(name) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_every_connection_runs_under_the_configured_timeouts_without_a_statement(integration):
    connection.close()  # a fresh connection, as a worker opens
    assert int(current_setting("statement_timeout")) == settings.DB_STATEMENT_TIMEOUT_MS
    assert int(current_setting("lock_timeout")) == settings.DB_LOCK_TIMEOUT_MS
    assert (settings.DB_STATEMENT_TIMEOUT_MS, settings.DB_LOCK_TIMEOUT_MS) == (10_000, 5_000)
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        response = integration.get("/api/addresses")
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "timeout" in q["sql"].lower()]


def test_a_slow_query_answers_503_and_the_connection_serves_the_next_request(
    integration, timeouts, monkeypatch
):
    address = Address.objects.create(**ADDRESS)
    timeouts(statement_ms=200, lock_ms=5000)
    pid = backend_pid()
    scoped = AddressResource.scope.__func__

    def slow_scope(cls, qs, ctx):
        return scoped(cls, qs, ctx).extra(where=[slow(2)])

    monkeypatch.setattr(AddressResource, "scope", classmethod(slow_scope))
    monkeypatch.setattr(rows, "_READS", {})  # the list's SQL compiled afresh, slow scope and all
    assert_error(integration.get("/api/addresses"), 503, "SERVICE_UNAVAILABLE")
    monkeypatch.undo()

    response = integration.get(f"/api/addresses/{address.public_id}")
    assert response.status_code == 200, response.content
    assert backend_pid() == pid  # the same connection, not a new one


def test_a_write_stopped_by_the_statement_timeout_leaves_nothing_written(
    integration, timeouts, monkeypatch
):
    address = Address.objects.create(**ADDRESS)
    timeouts(statement_ms=200, lock_ms=5000)
    update = AddressResource.update_resource

    def update_then_stall(self, instance, values, ctx):
        instance = update(self, instance, values, ctx)
        Address.objects.filter(pk=instance.pk).extra(where=[slow(2)]).exists()
        return instance

    monkeypatch.setattr(AddressResource, "update_resource", update_then_stall)
    response = integration.update("addresses", address.public_id, {"city": "Salem"})
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    address.refresh_from_db()
    assert address.city == "Boston"


def test_a_slow_query_in_the_token_endpoint_answers_503_json(client, timeouts, monkeypatch):
    """/oauth/token is a plain Django view: the middleware gives it the same answer."""
    from commerce.auth import views

    timeouts(statement_ms=200, lock_ms=5000)

    def stalled(*args):
        Address.objects.extra(where=[slow(2)]).exists()

    monkeypatch.setattr(views, "authenticate_client", stalled)
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "any"},
    )
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.json()["errors"][0]["detail"].startswith("The request took too long")


def test_management_commands_run_without_the_timeouts():
    """migrate on a big table, seeding or the webhook worker must not be cut short: manage.py
    turns the timeouts off for every command but runserver."""
    show = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for name in ('statement_timeout', 'lock_timeout'):\n"
        "        c.execute('SHOW ' + name)\n"
        "        print(c.fetchone()[0])\n"
    )
    out = manage_shell(show, without=("DB_TIMEOUTS",))
    assert out.split() == ["0", "0"]


def test_a_deadlock_answers_409_to_the_request_postgresql_cancelled(integration, monkeypatch):
    """Two writes that lock two rows in opposite orders: PostgreSQL breaks the deadlock by
    cancelling one transaction. Its client gets a 409 CONFLICT (retry), not a 500, with its
    write rolled back; the other goes through."""
    import threading

    from tests.inventory.racing import at_once, patch

    first, second = (Address.objects.create(**ADDRESS) for _ in range(2))
    other = {first.pk: second.pk, second.pk: first.pk}
    both_locked = threading.Barrier(2, timeout=30)
    update = AddressResource.update_resource

    def update_then_lock_the_other(self, instance, values, ctx):
        instance = update(self, instance, values, ctx)
        both_locked.wait()  # each request holds its own row: now each waits for the other's
        list(Address.objects.select_for_update().filter(pk=other[instance.pk]))
        return instance

    monkeypatch.setattr(AddressResource, "update_resource", update_then_lock_the_other)
    token = integration.token
    results = at_once(
        {
            address.public_id: lambda a=address: patch(
                token, "addresses", a.public_id, {"city": f"Salem {a.pk}"}
            )
            for address in (first, second)
        }
    )
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409], results
    (loser,) = [key for key, (status, _) in results.items() if status == 409]
    (error,) = results[loser][1]["errors"]
    assert error["code"] == "CONFLICT"
    cities = dict(Address.objects.values_list("public_id", "city"))
    assert cities[loser] == "Boston"  # rolled back
    (winner,) = set(cities) - {loser}
    assert cities[winner].startswith("Salem")
