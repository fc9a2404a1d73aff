"""Helpers for the PostgreSQL race tests: requests fired from their own threads (each with its own
database connection, as Django gives one per thread) at one barrier, and the checks every race
makes on what the clients saw."""

import json
import threading
from functools import partial

from django.db import connection
from django.test import Client

# A request whose thread has not answered by then is a failure (a lock never released).
JOIN_TIMEOUT = 120


def patch(token, type_name, public_id, attributes, relationships=None):
    data = {"type": type_name, "id": public_id, "attributes": attributes}
    if relationships:
        data["relationships"] = relationships
    body = json.dumps({"data": data})
    response = Client().patch(
        f"/api/{type_name}/{public_id}",
        data=body,
        content_type="application/vnd.api+json",
        HTTP_ACCEPT="application/vnd.api+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def all_at_once(requests) -> dict:
    """Run every (key, token, type, id, attributes) PATCH from its own thread, released together
    at one barrier: {key: (status, body)} (see `at_once`)."""
    return at_once({key: partial(patch, *args) for key, *args in requests})


def at_once(calls) -> dict:
    """Run every {key: call} from its own thread (each with its own database connection),
    released together at one barrier: {key: what it returned}. An exception inside a thread (the
    test client raises what the view raised: a deadlock, a 500) is kept as (None, repr) for
    `assert_clean`."""
    results = {}
    barrier = threading.Barrier(len(calls))

    def run(key, call):
        try:
            barrier.wait()
            results[key] = call()
        except Exception as error:  # noqa: BLE001 (reported by assert_clean)
            results[key] = (None, repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request never answered"
    assert len(results) == len(calls), "a thread did not report"
    return results


def assert_clean(results) -> None:
    """Every client got a 200 or a 422 JSON:API answer: no 500, no exception, no deadlock."""
    for key, (status, body) in results.items():
        assert status in (200, 422), (key, status, body)
        assert "deadlock" not in json.dumps(body).lower(), (key, body)
        if status == 422:
            assert body["errors"][0]["status"] == "422", body


def deadlocks_detected() -> int:
    """PostgreSQL's own count of deadlocks it broke in this database (pg_stat_database). Each
    request's connection is closed when it ends, which flushes its statistics."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]
