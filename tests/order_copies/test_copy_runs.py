"""A copy's life (aftersale.md §4): the POST answers `pending` and copies nothing; the task
worker runs it once, in one transaction, `pending` -> `in_progress` -> `completed` (or
`failed`, or `aborted` when its source order is gone); a task run again does nothing. The
status table is pure (orders.copies) and `make run`'s worker runs the copies' queue."""

from pathlib import Path

import pytest
from django.db import connection

from commerce.exceptions import InvalidTransition
from commerce.models import Event
from orders.copies import COPY_OPTIONS, COPY_TRANSITIONS, next_copy_status, runnable
from orders.models import Order, OrderCopy
from orders.services import copies
from tests.conftest import rel
from tests.order_copies.conftest import copy_now, placed_order, request_copy, run_worker
from tests.orders.conftest import events_since, last_event_id
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("status", "trigger", "expected"),
    [
        ("pending", "start", "in_progress"),
        ("pending", "abort", "aborted"),
        ("in_progress", "complete", "completed"),
        ("in_progress", "fail", "failed"),
        ("pending", "complete", None),
        ("in_progress", "start", None),
        ("completed", "start", None),
        ("failed", "start", None),
        ("aborted", "start", None),
        ("completed", "fail", None),
    ],
)
def test_the_status_table(status, trigger, expected):
    if expected is None:
        with pytest.raises(InvalidTransition):
            next_copy_status(status, trigger)
    else:
        assert next_copy_status(status, trigger) == expected
    # Only a copy nobody ran yet is run; every status is reachable from `pending`.
    assert runnable(status) is (status == "pending")
    assert {to for to in COPY_TRANSITIONS.values()} | {"pending"} == {
        s for s, _ in OrderCopy._meta.get_field("status").choices
    }


def test_the_request_copies_nothing_the_worker_does(integration, shop):
    source = placed_order(integration, shop)
    orders = Order.objects.count()
    made = request_copy(integration, source)
    attributes = made["attributes"]
    assert attributes["status"] == "pending"
    assert {k: attributes[k] for k in COPY_OPTIONS} == {
        "place_target_order": False,
        "reuse_wallet": True,
        "cancel_source_order": False,
        "apply_promotions": False,
        "skip_errors": False,
        "ignore_invalid_coupon": False,
    }
    assert attributes["started_at"] is None and attributes["errors_log"] is None
    assert made["relationships"]["target_order"]["links"]
    assert Order.objects.count() == orders  # nothing copied inside the request

    assert run_worker() == 1
    assert Order.objects.count() == orders + 1
    copy = OrderCopy.objects.get(public_id=made["id"])
    assert copy.status == "completed"
    assert copy.started_at is not None and copy.completed_at >= copy.started_at
    assert (copy.errors_log, copy.errors_count, copy.failed_at) == ({}, 0, None)
    assert copy.source_order == source and copy.target_order.status == "pending"

    # The client polls the copy: the target order is linked (and can be included).
    polled = integration.get(f"/api/order_copies/{made['id']}?include=target_order").json()
    assert polled["data"]["attributes"]["status"] == "completed"
    assert polled["data"]["relationships"]["target_order"]["data"] == {
        "type": "orders",
        "id": copy.target_order.public_id,
    }
    assert polled["included"][0]["attributes"]["number"] == copy.target_order.number


def test_a_task_run_twice_copies_once(integration, shop):
    source = placed_order(integration, shop)
    copy = copy_now(integration, source)
    orders, events = Order.objects.count(), Event.objects.count()
    # The same task delivered again (a worker that died before recording it ran it) ...
    assert copies.run_copy(copy.pk) == "skipped"
    copies.copy_order.enqueue(copy.pk)
    assert run_worker() == 1
    # ... finds the copy done and does nothing.
    assert (Order.objects.count(), Event.objects.count()) == (orders, events)
    assert OrderCopy.objects.get(pk=copy.pk).status == "completed"
    assert copies.run_copy(10**9) == "skipped"  # a copy deleted meanwhile


def test_a_copy_whose_source_is_gone_is_aborted(integration, shop):
    source = make_cart(shop)  # a cart may be deleted
    made = request_copy(integration, source)
    assert integration.delete(f"/api/orders/{source.public_id}").status_code == 204
    orders = Order.objects.count()
    assert run_worker() == 1
    copy = OrderCopy.objects.get(public_id=made["id"])
    assert (copy.status, copy.target_order, copy.source_order) == ("aborted", None, None)
    assert Order.objects.count() == orders


def test_each_move_is_an_event(integration, shop):
    source = placed_order(integration, shop)
    mark = last_event_id()
    made = request_copy(integration, source)
    assert events_since(mark) == [("order_copies.create", made["id"])]
    mark = last_event_id()
    run_worker()
    copy = OrderCopy.objects.get(public_id=made["id"])
    events = events_since(mark)
    topics = [topic for topic, resource_id in events if resource_id == copy.public_id]
    assert topics == ["order_copies.start", "order_copies.complete"]
    assert ("orders.create", copy.target_order.public_id) in events

    # A failed copy: started, then failed; nothing the target did is left.
    source.line_items.filter(item_type="skus").update(quantity=99)
    mark = last_event_id()
    made = request_copy(integration, source)
    run_worker()
    assert [topic for topic, _ in events_since(mark)] == [
        "order_copies.create",
        "order_copies.start",
        "order_copies.fail",
    ]


def test_a_bug_fails_the_copy_instead_of_leaving_it_pending(integration, shop, monkeypatch):
    source = placed_order(integration, shop)
    orders = Order.objects.count()

    def broken(*args, **kwargs):
        Order.objects.filter(pk=source.pk).update(language_code="xx")  # undone with the copy
        raise RuntimeError("a bug")

    monkeypatch.setattr(copies, "_build_target", broken)
    copy = copy_now(integration, source)
    assert copy.status == "failed" and copy.errors_count == 1
    assert copy.errors_log == {"base": ["the order could not be copied (an unexpected error)"]}
    assert Order.objects.count() == orders
    assert Order.objects.get(pk=source.pk).language_code != "xx"


def test_an_orders_copies_are_listed_by_filter(integration, shop):
    """An order's copies, by `filter[q][source_order_id_eq]` (the order resource has no
    `order_copies` relationship: with `returns` it would take the order's includes past the
    limit of 20 that test_query_budget_orders.py asks all at once)."""
    source, other = placed_order(integration, shop), placed_order(integration, shop)
    copy = copy_now(integration, source)
    copy_now(integration, other)
    url = f"/api/order_copies?filter[q][source_order_id_eq]={source.public_id}"
    assert [c["id"] for c in ok(integration.get(url))] == [copy.public_id]


def test_make_run_starts_a_worker_that_runs_the_copies_queue():
    # scripts/run.sh starts scripts/worker.sh, whose db_worker runs the default queue (no
    # --queue-name), the one the copy task is enqueued on.
    assert "scripts/worker.sh &" in (ROOT / "scripts/run.sh").read_text()
    worker = (ROOT / "scripts/worker.sh").read_text()
    assert "manage.py db_worker" in worker and "--queue-name" not in worker
    assert copies.copy_order.queue_name == "default"
    assert copies.copy_order.backend == "default"


@pytest.mark.postgres_only
def test_the_worker_takes_the_source_order_row_first(integration, shop):
    """The global lock order (orders/locks.py) starts at the order row: the copy locks its
    source before its own row, so a deletion of the source (which locks the order, then
    nulls the copy's reference) queues instead of deadlocking."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    source = placed_order(integration, shop)
    made = request_copy(integration, source)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run_worker()
    tables = [
        sql.split(" FROM ", 1)[1].split(" ", 1)[0]
        for sql in (q["sql"] for q in queries.captured_queries)
        if "FOR UPDATE" in sql and '"orders_' in sql.split(" FROM ", 1)[1].split(" ", 1)[0]
    ]
    assert tables[:2] == ['"orders_order"', '"orders_ordercopy"'], tables
    assert OrderCopy.objects.get(public_id=made["id"]).status == "completed"


def test_a_copy_names_an_order(integration, shop):
    missing = integration.create("order_copies", {}, {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["source"]["pointer"] == "/data/relationships/source_order"
    unknown = integration.create("order_copies", {}, {"source_order": rel("orders", "nope123")})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/relationships/source_order"
    bad = integration.create("order_copies", {"skip_errors": "yes"}, {})
    assert bad.status_code == 422, bad.json()
    assert OrderCopy.objects.count() == 0
