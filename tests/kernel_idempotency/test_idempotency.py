"""Idempotency-Key on POST and PATCH (orders.md, api.md section 10; commerce/idempotency.py)."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.exceptions import Conflict
from commerce.models import IdempotencyKey
from inventory.models import ShippingCategory
from inventory.views import ShippingCategoryResource
from tests import factories as f
from tests.conftest import JsonApiClient, obtain_token

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

URL = "/api/shipping_categories"


def category_body(name="Merchandise", **attributes):
    return {"data": {"type": "shipping_categories", "attributes": {"name": name, **attributes}}}


def sku_body(sku, **attributes):
    return {"data": {"type": "skus", "id": sku.public_id, "attributes": attributes}}


def post(api, key="k1", body=None, url=URL):
    return api.post(url, body or category_body(), HTTP_IDEMPOTENCY_KEY=key)


def assert_same(first, second):
    assert second.status_code == first.status_code
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"


def error(response) -> dict:
    (item,) = response.json()["errors"]
    return item


@pytest.fixture
def other_integration(make_api_client):
    """A second integration API client (its own application)."""
    from commerce.auth.services import create_api_client

    create_api_client(
        kind="integration",
        name="other",
        client_id="test-other-integration",
        client_secret="other-secret",
    )
    token = obtain_token(
        Client(),
        grant_type="client_credentials",
        client_id="test-other-integration",
        client_secret="other-secret",
    )
    return JsonApiClient(Client(), token)


# --- replay ---------------------------------------------------------------------------------


def test_post_replays_the_first_response_without_executing_again(integration):
    first = post(integration)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first

    second = post(integration)
    assert_same(first, second)
    assert ShippingCategory.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.state, row.status_code, row.method, row.path) == ("done", 201, "POST", URL)


def test_replay_compares_a_canonical_body(integration):
    first = post(integration, body=category_body(code="merch"))
    # Same JSON, other key order and whitespace: the same request.
    raw = '{ "data": {"attributes": {"code": "merch", "name": "Merchandise"},\n'
    raw += '"type": "shipping_categories"} }'
    second = integration.post(URL, raw, HTTP_IDEMPOTENCY_KEY="k1")
    assert_same(first, second)
    assert ShippingCategory.objects.count() == 1


def test_patch_replays_and_does_not_apply_twice(integration):
    sku = f.SkuFactory(name="Original")
    url = f"/api/skus/{sku.public_id}"
    first = integration.patch(url, sku_body(sku, name="Renamed"), HTTP_IDEMPOTENCY_KEY="p1")
    assert first.status_code == 200
    assert first.json()["data"]["attributes"]["name"] == "Renamed"
    # Someone else changes it meanwhile; the retried PATCH must not overwrite that.
    assert integration.patch(url, sku_body(sku, name="Changed later")).status_code == 200

    second = integration.patch(url, sku_body(sku, name="Renamed"), HTTP_IDEMPOTENCY_KEY="p1")
    assert_same(first, second)
    sku.refresh_from_db()
    assert sku.name == "Changed later"


def test_another_token_of_the_same_client_replays(integration, client):
    first = post(integration)
    token = obtain_token(
        client,
        grant_type="client_credentials",
        client_id="test-integration-all",
        client_secret="test-secret",
    )
    assert token != integration.token
    assert_same(first, post(JsonApiClient(Client(), token)))
    assert ShippingCategory.objects.count() == 1


def test_the_same_key_of_another_client_is_another_key(integration, other_integration):
    first = post(integration)
    other = post(other_integration)
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert other.json()["data"]["id"] != first.json()["data"]["id"]
    assert ShippingCategory.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="k1").count() == 2


def test_requests_without_the_header_are_unaffected(integration):
    body = category_body()
    assert integration.post(URL, body).status_code == 201
    assert integration.post(URL, body).status_code == 201
    assert ShippingCategory.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_header_costs_no_query_without_it_and_two_with_it(
    integration, django_assert_num_queries
):
    integration.post(URL, category_body("Warm-up"))  # first-request caches out of the way
    with CaptureQueriesContext(connection) as plain:
        assert integration.post(URL, category_body("Plain")).status_code == 201
    assert not [q for q in plain.captured_queries if "idempotency" in q["sql"].lower()]

    # + INSERT (in its own atomic block: a SAVEPOINT and its RELEASE inside the test's
    # transaction, a BEGIN/COMMIT in production) + the UPDATE storing the answer.
    with django_assert_num_queries(len(plain) + 4) as keyed:
        assert post(integration, "q1", category_body("Keyed")).status_code == 201
    extra = [q["sql"] for q in keyed.captured_queries if "idempotency" in q["sql"].lower()]
    assert [sql.split()[0] for sql in extra] == ["INSERT", "UPDATE"]

    # A replay does none of the work again: the failed INSERT of the key (in its savepoint) and
    # one SELECT of the stored answer, plus the token lookup.
    with CaptureQueriesContext(connection) as replayed:
        assert post(integration, "q1", category_body("Keyed")).status_code == 201
    statements = [q["sql"] for q in replayed.captured_queries]
    assert not [sql for sql in statements if "shippingcategory" in sql.lower()], statements
    work = [
        sql
        for sql in statements
        if not any(part in sql.lower() for part in ("idempotency", "accesstoken", "savepoint"))
    ]
    assert work == [], statements


# --- a different request with the same key ---------------------------------------------------


def test_the_same_key_with_another_body_is_a_422(integration):
    assert post(integration).status_code == 201
    response = post(integration, body=category_body("Something else"))
    assert response.status_code == 422
    assert error(response) == {
        "title": "has already been used for a different request",
        "detail": "Idempotency-Key has already been used for a different request.",
        "code": "VALIDATION_ERROR",
        "status": "422",
        "source": {"parameter": "Idempotency-Key"},
        "meta": {"error": "taken"},
    }
    assert ShippingCategory.objects.count() == 1


def test_the_same_key_on_another_path_or_method_is_a_422(integration):
    sku = f.SkuFactory()
    assert post(integration).status_code == 201
    assert post(integration, url=URL + "?include=").status_code == 422
    patch = integration.patch(
        f"/api/skus/{sku.public_id}", category_body(), HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert patch.status_code == 422
    assert error(patch)["source"] == {"parameter": "Idempotency-Key"}
    assert ShippingCategory.objects.count() == 2  # the sku's and the first POST's


# --- in flight, abandoned, expired -----------------------------------------------------------


def test_a_request_while_the_first_is_running_is_a_409(integration):
    assert post(integration).status_code == 201
    # Put the key back in flight (same fingerprint), as while the first request ran.
    IdempotencyKey.objects.update(
        state=IdempotencyKey.RUNNING, status_code=None, body=None, created_at=timezone.now()
    )
    response = post(integration)
    assert response.status_code == 409
    assert error(response)["code"] == "CONFLICT"
    assert error(response)["status"] == "409"
    assert error(response)["source"] == {"parameter": "Idempotency-Key"}
    assert ShippingCategory.objects.count() == 1
    # A different request with that key is still a 422.
    assert post(integration, body=category_body("Other")).status_code == 422


def test_an_abandoned_running_key_is_taken_over(integration):
    assert post(integration).status_code == 201
    IdempotencyKey.objects.update(
        state=IdempotencyKey.RUNNING,
        status_code=None,
        body=None,
        created_at=timezone.now() - timedelta(seconds=61),
    )
    retried = post(integration)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert ShippingCategory.objects.count() == 2  # the crashed worker's run is not known
    row = IdempotencyKey.objects.get()
    assert row.state == IdempotencyKey.DONE
    assert_same(retried, post(integration))


def test_keys_expire_after_24_hours(integration):
    first = post(integration)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    again = post(integration, body=category_body("Another day"))  # no 422 either
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert again.content != first.content
    assert ShippingCategory.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1
    assert_same(again, post(integration, body=category_body("Another day")))


def test_purge_command_deletes_expired_keys(integration, capsys):
    assert post(integration, "old").status_code == 201
    assert post(integration, "new", category_body("New")).status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_idempotency_keys")
    assert "Deleted 1 expired" in capsys.readouterr().out
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


# --- failures --------------------------------------------------------------------------------


def test_a_4xx_is_stored_and_replayed(integration):
    first = post(integration, body=category_body(name=None))
    assert first.status_code == 422
    assert_same(first, post(integration, body=category_body(name=None)))

    missing = integration.patch(
        "/api/skus/nope", {"data": {"type": "skus", "id": "nope"}}, HTTP_IDEMPOTENCY_KEY="k404"
    )
    assert missing.status_code == 404
    f.SkuFactory()
    assert_same(
        missing,
        integration.patch(
            "/api/skus/nope", {"data": {"type": "skus", "id": "nope"}}, HTTP_IDEMPOTENCY_KEY="k404"
        ),
    )
    assert ShippingCategory.objects.count() == 1  # the sku factory's


def test_a_409_is_not_stored(integration, monkeypatch):
    def conflict(self, values, ctx):
        raise Conflict("Busy.")

    monkeypatch.setattr(ShippingCategoryResource, "create_resource", conflict)
    assert post(integration).status_code == 409
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert post(integration).status_code == 201


def test_an_unexpected_exception_releases_the_key(integration, monkeypatch):
    def boom(self, values, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(ShippingCategoryResource, "create_resource", boom)
    integration.client.raise_request_exception = False
    assert post(integration).status_code == 500
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    retried = post(integration)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert ShippingCategory.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there", "new\nline"])
def test_an_invalid_key_is_a_400(integration, key):
    response = post(integration, key)
    assert response.status_code == 400
    item = error(response)
    assert item["source"] == {"parameter": "Idempotency-Key"}
    assert item["code"] == "BAD_REQUEST"
    assert not ShippingCategory.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_255_character_key_is_valid(integration):
    key = "~" * 200 + " x-y_Z.0" * 6 + "!" * 7
    assert len(key) == 255
    first = post(integration, key)
    assert first.status_code == 201
    assert_same(first, post(integration, key))


# --- two requests at once (PostgreSQL: SQLite's in-memory test database is one connection) ---


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections to a shared database (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_execute_once(integration, monkeypatch):
    entered = threading.Event()
    release = threading.Event()
    original = ShippingCategoryResource.create_resource

    def slow_create(self, values, ctx):
        entered.set()
        assert release.wait(20)
        return original(self, values, ctx)

    monkeypatch.setattr(ShippingCategoryResource, "create_resource", slow_create)
    start = threading.Barrier(2)
    responses = []

    def send():
        try:
            api = JsonApiClient(Client(), integration.token)
            start.wait(10)
            responses.append(post(api))
            if responses[-1].status_code == 409:
                release.set()  # the loser answered: let the winner finish
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    release.set()
    assert entered.is_set()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409], [r.content for r in responses]
    assert ShippingCategory.objects.count() == 1
    (winner,) = [r for r in responses if r.status_code == 201]
    assert_same(winner, post(integration))
    assert json.loads(winner.content)["data"]["attributes"]["name"] == "Merchandise"
