"""Delivery end to end: a real change commits, django-tasks-db's worker POSTs to a receiver on
loopback, signed twice; retries, the circuit, rollbacks, dead workers and SSRF at send time.

Each test runs in a transaction of its own (fast); `committed()` marks where the change
would commit, so that its on_commit enqueueing runs. The SIGKILL test commits for real, as a
worker in another process needs."""

import base64
import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from commerce.models import Event
from commerce.webhooks import services, ssrf
from commerce.webhooks.models import Delivery, EventCallback, Webhook
from commerce.webhooks.signing import standard_webhooks_secret
from inventory.services import update_stock_item
from tests import factories as f
from tests.databases import database_url
from tests.webhooks.conftest import committed, drain, run_worker

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite, pytest.mark.usefixtures("fast_webhooks")]

ROOT = Path(__file__).resolve().parents[2]


def subscribe(url, topic="stock_items.update", **fields) -> Webhook:
    return Webhook.objects.create(topic=topic, callback_url=url, **fields)


def codes(webhook) -> list:
    return list(webhook.event_callbacks.order_by("id").values_list("response_code", flat=True))


def test_the_document_is_signed_both_ways_and_carries_the_includes(receiver):
    webhook = subscribe(receiver.url, include_resources=["sku", "stock_location"])
    other_topic = subscribe(receiver.url, topic="orders.place")
    item = f.StockItemFactory(quantity=10)

    with committed():
        update_stock_item(item, {"quantity": 7})
    drain()

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers["x-commercelayer-topic"] == "stock_items.update"
    assert headers["content-type"] == "application/vnd.api+json"
    expected = hmac.new(webhook.shared_secret.encode(), body, hashlib.sha256).digest()
    assert headers["x-commercelayer-signature"] == base64.b64encode(expected).decode()
    verifier = StandardWebhook(standard_webhooks_secret(webhook.shared_secret))
    document = verifier.verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace(b'"quantity":7', b'"quantity":8'), headers)

    assert document["data"]["type"] == "stock_items"
    assert document["data"]["id"] == item.public_id
    assert document["data"]["attributes"]["quantity"] == 7
    assert document["data"]["relationships"]["sku"]["data"] == {
        "type": "skus",
        "id": item.sku.public_id,
    }
    included = {(r["type"], r["id"]) for r in document["included"]}
    assert included == {
        ("skus", item.sku.public_id),
        ("stock_locations", item.stock_location.public_id),
    }
    assert document["data"]["links"]["self"].endswith(f"/api/stock_items/{item.public_id}")

    callback = EventCallback.objects.get(webhook=webhook)
    assert (callback.response_code, callback.payload) == ("200", document)
    assert callback.callback_url == receiver.url
    assert not other_topic.event_callbacks.exists()
    assert Delivery.objects.get(webhook=webhook).status == Delivery.DELIVERED


def test_a_receiver_that_fails_then_recovers_gets_the_event_exactly_once(receiver):
    receiver.statuses = lambda n: {1: 500, 2: 503}.get(n, 200)
    webhook = subscribe(receiver.url)
    item = f.StockItemFactory()

    with committed():
        update_stock_item(item, {"quantity": 3})
    drain()

    assert len(receiver.requests) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.requests}) == 1
    assert len({body for _, body in receiver.requests}) == 1
    assert list(receiver.processed) == [receiver.requests[0][0]["webhook-id"]]
    assert codes(webhook) == ["500", "503", "200"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.DELIVERED, 3)
    webhook.refresh_from_db()
    assert (webhook.circuit_state, webhook.circuit_failure_count) == ("closed", 0)

    # Nothing left to send: neither the worker nor the sweeper sends it again.
    with committed():
        assert services.sweep() == 0
    run_worker()
    assert len(receiver.requests) == 3


def test_backoff_doubles_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 60
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_a_receiver_that_never_recovers_opens_the_circuit_until_reset(receiver, integration):
    receiver.statuses = lambda n: 500
    webhook = subscribe(receiver.url)
    item = f.StockItemFactory()

    with committed():
        update_stock_item(item, {"quantity": 3})
    drain()

    webhook.refresh_from_db()
    assert (webhook.circuit_state, webhook.circuit_failure_count) == ("open", 3)
    assert len(receiver.requests) == 3
    # Open: nothing is sent, new events wait with the failed one, none is lost.
    with committed():
        update_stock_item(item, {"quantity": 4})
    drain()
    with committed():
        services.sweep()
    run_worker()
    assert len(receiver.requests) == 3
    assert Delivery.objects.filter(status=Delivery.PENDING).count() == 2

    receiver.statuses = lambda n: 200
    with committed():
        response = integration.update("webhooks", webhook.public_id, {"_reset_circuit": True})
    assert response.json()["data"]["attributes"]["circuit_state"] == "closed"
    drain()
    assert Delivery.objects.filter(status=Delivery.DELIVERED).count() == 2
    quantities = sorted(d["data"]["attributes"]["quantity"] for d in receiver.processed.values())
    assert quantities == [3, 4]


def test_a_rolled_back_change_sends_nothing(receiver):
    subscribe(receiver.url)
    item = f.StockItemFactory(quantity=10)

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        update_stock_item(item, {"quantity": 1})
        raise RuntimeError("the rest of the change failed")
    drain()
    with committed():
        services.sweep()
    run_worker()
    assert receiver.requests == []
    assert not Event.objects.exists() and not Delivery.objects.exists()

    with committed():  # the same change committed is sent
        update_stock_item(item, {"quantity": 2})
    drain()
    assert len(receiver.processed) == 1


def test_a_worker_dying_mid_delivery_leaves_the_event_to_the_next_worker(receiver, settings):
    settings.WEBHOOK_LEASE_SECONDS = 60
    subscribe(receiver.url)
    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})
    delivery = Delivery.objects.get()

    dead_workers_claim = services.claim(delivery.pk)  # ... and the process dies here
    assert dead_workers_claim is not None
    run_worker()  # the enqueued task finds the delivery leased: not its to send
    assert services.sweep() == 0  # nor the sweeper's while the lease holds
    assert receiver.requests == []

    # A minute later (the lease's end, brought forward rather than waited for):
    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with committed():
        assert services.sweep() == 1
    run_worker()
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.DELIVERED, 1)

    # The dead worker's late outcome (were it to come back) no longer counts.
    services.record(dead_workers_claim, services.Outcome(receiver.url, 500, "late", 1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.DELIVERED, 1)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_mid_post_is_replaced_after_the_lease(receiver):
    """A real `db_worker` process, killed while the receiver holds its POST: the receiver got
    the event, the worker never recorded it. After the lease, the next worker sends it again
    with the same webhook-id, and the receiver processes it once."""
    receiver.hold = threading.Event()
    subscribe(receiver.url)
    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "WEBHOOK_ALLOW_PRIVATE_URLS": "1",
        "WEBHOOK_LEASE_SECONDS": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert receiver.arrived.wait(30), "the worker never posted"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    receiver.hold.set()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.PENDING and delivery.lease_token is not None

    deadline = time.monotonic() + 5
    while services.sweep() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    run_worker()

    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]
    assert len(receiver.processed) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DELIVERED


def test_private_targets_are_refused_at_delivery_time(receiver, settings):
    webhook = subscribe(receiver.url)  # saved while private URLs were allowed
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})
    run_worker()

    assert receiver.requests == []
    callback = webhook.event_callbacks.order_by("id").first()  # (a retry may have run too)
    assert callback.response_code is None
    assert callback.response_message.startswith("refused: callback_url must point to a public host")


def test_a_host_whose_dns_turns_private_is_refused_at_delivery_time(
    receiver, settings, monkeypatch
):
    """DNS rebinding: public when saved, loopback (our receiver) when called."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5  # one refused attempt before the switch below
    answers = {"hooks.example.com": "93.184.216.34"}

    def resolve(host, port):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    port = receiver.url.split(":")[2].split("/")[0]
    webhook = subscribe(f"http://hooks.example.com:{port}/hooks")
    answers["hooks.example.com"] = "127.0.0.1"

    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})
    run_worker()

    assert receiver.requests == []
    refused = webhook.event_callbacks.values_list("response_message", flat=True)
    assert refused and all(message.startswith("refused") for message in refused)
    # Allowed (local development), the same name reaches the loopback receiver.
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    drain()
    assert len(receiver.requests) == 1


def test_a_timeout_is_a_failure_retried(receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5  # the retry comes after the receiver is freed
    receiver.hold = threading.Event()
    webhook = subscribe(receiver.url)

    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})
    run_worker()
    receiver.hold.set()
    drain()

    callbacks = list(webhook.event_callbacks.order_by("id"))
    assert (callbacks[0].response_code, callbacks[0].response_message) == (None, "timeout")
    assert callbacks[-1].response_code == "200"
    assert Delivery.objects.get().status == Delivery.DELIVERED


def test_a_record_deleted_before_delivery_is_sent_as_its_identifier(receiver):
    from commerce.events import emit_event

    subscribe(receiver.url, topic="stock_items.destroy")
    item = f.StockItemFactory()
    with committed():
        emit_event("stock_items.destroy", item)
        public_id = item.public_id
        item.delete()
    drain()
    document = next(iter(receiver.processed.values()))
    assert document["data"]["id"] == public_id
    assert document["data"]["type"] == "stock_items"


def test_a_document_that_cannot_be_rendered_is_a_failed_attempt_retried(receiver, monkeypatch):
    webhook = subscribe(receiver.url)

    def broken(event, include_resources):
        raise RuntimeError("a serializer bug")

    monkeypatch.setattr(services, "render_document", broken)
    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 3})
    run_worker()
    monkeypatch.undo()
    drain()

    assert codes(webhook)[0] is None
    assert webhook.event_callbacks.order_by("id")[0].response_message == (
        "payload could not be rendered"
    )
    assert len(receiver.processed) == 1
    assert Delivery.objects.get().status == Delivery.DELIVERED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(receiver):
    """Many workers handed the same delivery (duplicate tasks, a sweep racing the queue): the
    lease lets exactly one of them POST."""
    webhook = subscribe(receiver.url)
    update_stock_item(f.StockItemFactory(), {"quantity": 3})
    delivery = Delivery.objects.get()
    barrier = threading.Barrier(6)
    outcomes = []

    def worker():
        try:
            barrier.wait(5)
            outcomes.append(services.deliver(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(receiver.requests) == 1
    assert sorted(outcomes).count("skipped") == 5
    assert codes(webhook) == ["200"]


def test_a_disabled_webhook_gets_nothing_until_enabled(receiver):
    webhook = subscribe(receiver.url)
    services.disable(webhook)
    item = f.StockItemFactory()
    with committed():
        update_stock_item(item, {"quantity": 3})
    drain()
    assert receiver.requests == [] and not Delivery.objects.exists()

    with committed():
        services.enable(webhook)
        update_stock_item(item, {"quantity": 4})
    drain()
    assert [d["data"]["attributes"]["quantity"] for d in receiver.processed.values()] == [4]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://10.0.0.8/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/hooks",
        "http://localhost:9/hooks",
        "https://internal.example.com/hooks",
    ],
)
def test_every_private_target_is_refused_before_connecting(settings, dns, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    dns["internal.example.com"] = "10.1.2.3"
    dns["localhost"] = "127.0.0.1"
    outcome = services.post(url, b"{}", {})
    assert outcome.response_code is None
    assert outcome.response_message.startswith("refused: callback_url must point to a public")


def test_the_sweeper_prunes_finished_task_rows_but_keeps_the_delivery_record(receiver):
    from django_tasks_db.models import DBTaskResult

    webhook = subscribe(receiver.url)
    with committed():
        update_stock_item(f.StockItemFactory(quantity=3), {"quantity": 2})
    drain()
    assert Delivery.objects.get().status == Delivery.DELIVERED
    assert DBTaskResult.objects.finished().count() == 1
    with committed():
        update_stock_item(f.StockItemFactory(quantity=3), {"quantity": 1})  # enqueued, not run
    waiting = DBTaskResult.objects.exclude(pk__in=DBTaskResult.objects.finished()).get()

    assert services.prune_task_results() == 0  # finished a moment ago: kept for a day
    assert DBTaskResult.objects.count() == 2

    DBTaskResult.objects.finished().update(finished_at=timezone.now() - timedelta(days=2))
    assert services.prune_task_results() == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert codes(webhook) == ["200"]  # what was sent stays on record
