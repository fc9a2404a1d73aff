"""Domain events of carts (orders.md): every state change of an order or a line item records
its event through `commerce.events.emit_event`, in the same transaction, so a refused request
records none. (Every order and transaction trigger's events are checked with the trigger
tables in test_order_triggers.py and test_transaction_triggers.py.)"""

import pytest

from commerce.models import Event
from orders.models import LineItem, Order
from tests.conftest import rel
from tests.orders.conftest import events_since, last_event_id
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_a_cart_records_each_change_as_it_happens(sales_channel, shop):
    mark = last_event_id()
    order = ok(sales_channel.create("orders", {}), 201)
    assert events_since(mark) == [("orders.create", order["id"])]

    mark = last_event_id()
    line = ok(
        sales_channel.create(
            "line_items",
            {"sku_code": "ORD-1", "quantity": 1},
            {"order": rel("orders", order["id"])},
        ),
        201,
    )
    # The line, and what the cart's refresh builds for it records its own events too (bulk.md
    # "Events"): the shipment and its stock line item, the shipping line, the order's figures.
    order_row = Order.objects.get(public_id=order["id"])
    shipment = order_row.shipments.get()
    stock_line = shipment.stock_line_items.get()
    shipping_line = LineItem.objects.get(order=order_row, item_type="shipments")
    assert events_since(mark) == [
        ("line_items.create", line["id"]),
        ("shipments.create", shipment.public_id),
        ("stock_line_items.create", stock_line.public_id),
        ("line_items.create", shipping_line.public_id),
        ("orders.update", order["id"]),
    ]

    # An email on a cart with a line makes it pending: that move is an event of its own.
    mark = last_event_id()
    ok(sales_channel.update("orders", order["id"], {"customer_email": "ada@example.com"}))
    topics = [topic for topic, _ in events_since(mark)]
    assert "orders.pending" in topics and "orders.update" in topics
    assert Order.objects.get(public_id=order["id"]).status == "pending"

    mark = last_event_id()
    ok(sales_channel.update("line_items", line["id"], {"quantity": 4}))
    assert events_since(mark) == [
        ("line_items.update", line["id"]),
        ("stock_line_items.update", stock_line.public_id),  # four units to ship now
        ("orders.update", order["id"]),  # its figures
    ]

    mark = last_event_id()
    deleted = sales_channel.delete(f"/api/line_items/{line['id']}")
    assert deleted.status_code == 204
    events = events_since(mark)
    assert events[0] == ("line_items.destroy", line["id"])
    # The shipment goes with its last line (the rows the database deletes with them, its stock
    # line item and the shipping line, record none: a known gap), and the order's figures.
    assert set(events[1:]) == {
        ("shipments.destroy", shipment.public_id),
        ("orders.update", order["id"]),
    }


def test_refused_changes_record_no_event(sales_channel, integration, shop):
    order = make_cart(shop)
    line = LineItem.objects.get(order=order, item_type="skus")
    ok(integration.update("orders", order.public_id, {"_place": True}))
    count = Event.objects.count()
    refused = [
        sales_channel.create(
            "line_items",
            {"sku_code": "ORD-1", "quantity": 1},
            {"order": rel("orders", order.public_id)},
        ),
        sales_channel.update("line_items", line.public_id, {"quantity": 5}),
        sales_channel.delete(f"/api/line_items/{line.public_id}"),
        sales_channel.update("orders", order.public_id, {"_place": True}),
        sales_channel.update("orders", order.public_id, {"_cancel": True}),
        sales_channel.update("orders", order.public_id, {"customer_email": "x@example.com"}),
        integration.update("orders", order.public_id, {"_refund": True}),
    ]
    assert [r.status_code for r in refused] == [422] * len(refused), [r.json() for r in refused]
    assert Event.objects.count() == count


def test_an_event_is_rolled_back_with_its_change(integration, shop):
    """A PATCH whose trigger fails after an ordinary attribute was applied records nothing."""
    order = make_cart(shop, ready=False)
    count = Event.objects.count()
    response = integration.update(
        "orders", order.public_id, {"language_code": "it", "_place": True}
    )
    assert response.status_code == 422, response.json()
    assert Event.objects.count() == count
    assert Order.objects.get(pk=order.pk).language_code != "it"


@pytest.mark.postgres_only  # statements as PostgreSQL runs them (commerce.events.carrying)
def test_a_request_writes_its_events_with_its_records_and_each_gets_its_deliveries(
    integration, shop
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commerce.webhooks.models import Delivery, Webhook

    order = make_cart(shop)
    for topic in ("orders.place", "shipments.upcoming", "stock_reservations.create"):
        Webhook.objects.create(topic=topic, callback_url=f"https://hooks.example.com/{topic}")
    mark = last_event_id()
    with CaptureQueriesContext(connection) as ctx:
        ok(integration.update("orders", order.public_id, {"_place": True}))

    topics = [topic for topic, _ in events_since(mark)]
    # In the order they happened: stock held, shipment released, payment authorized, placed.
    assert topics == [
        "stock_reservations.create",
        "shipments.upcoming",
        "authorizations.create",
        "orders.place",
    ]
    # The records' own writes carried the events emitted up to them (commerce.events.carrying):
    # the reservations' INSERT wrote the first; the events emitted after the last write, and
    # what the reservation service added to the first one's payload, were written by one
    # statement of their own at the end.
    writing = [q["sql"] for q in ctx.captured_queries if '"commerce_event"' in q["sql"]]
    *carrying, last = writing
    assert carrying and all(
        sql.startswith('WITH ev AS (INSERT INTO "commerce_event"') for sql in carrying
    )
    assert 'INSERT INTO "inventory_stockreservation"' in carrying[0]
    assert not last.startswith("WITH ev AS") and 'INSERT INTO "commerce_event"' in last
    reserved = Event.objects.get(id__gt=mark, topic="stock_reservations.create")
    assert reserved.payload["quantity"] == 2  # make_cart's 2 of the shop's SKU
    deliveries = Delivery.objects.select_related("event", "webhook").order_by("id")
    assert [(d.webhook.topic, d.event.topic) for d in deliveries] == [
        ("stock_reservations.create", "stock_reservations.create"),
        ("shipments.upcoming", "shipments.upcoming"),
        ("orders.place", "orders.place"),
    ]
