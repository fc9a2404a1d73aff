"""Events for every create, update and destroy (bulk.md "Events"): catalog resources, the
derived writes of a cart change, no-op PATCHes, destroy payloads, the `events` resource and its
`_trigger`, webhook topics, and a subscribed `skus.update` webhook firing on a SKU PATCH."""

import json

import pytest

from commerce.models import Event
from commerce.webhooks.models import Delivery, Webhook
from orders.models import LineItem, Shipment, StockLineItem
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, ok
from tests.webhooks.conftest import committed, drain

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def mark() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def since(last: int) -> list[tuple[str, str]]:
    return list(Event.objects.filter(id__gt=last).values_list("topic", "resource_id"))


@pytest.fixture
def shop(market):
    return build_shop(market, "EVT")


def test_a_sku_records_its_create_update_and_destroy(integration):
    category = f.ShippingCategoryFactory()
    last = mark()
    sku = ok(
        integration.create(
            "skus",
            {"code": "EVT-NEW", "name": "Mug"},
            {"shipping_category": rel("shipping_categories", category.public_id)},
        ),
        201,
    )
    assert since(last) == [("skus.create", sku["id"])]

    last = mark()
    ok(integration.update("skus", sku["id"], {"name": "Big mug"}))
    assert since(last) == [("skus.update", sku["id"])]
    assert Event.objects.get(id__gt=last).payload == {"changed": ["name"]}

    last = mark()
    ok(integration.update("skus", sku["id"], {"name": "Big mug"}))  # the same name: no change
    assert since(last) == []

    last = mark()
    assert integration.delete(f"/api/skus/{sku['id']}").status_code == 204
    assert since(last) == [("skus.destroy", sku["id"])]
    assert Event.objects.get(id__gt=last).payload == {"id": sku["id"]}


def test_deleting_a_sku_records_the_destroy_of_the_prices_it_takes_with_it(integration):
    sku = f.SkuFactory()
    prices = [f.PriceFactory(sku=sku), f.PriceFactory(sku=sku)]
    last = mark()
    assert integration.delete(f"/api/skus/{sku.public_id}").status_code == 204
    assert sorted(since(last)) == sorted(
        [("skus.destroy", sku.public_id)] + [("prices.destroy", p.public_id) for p in prices]
    )


def test_a_price_and_a_stock_item_record_theirs(integration):
    sku = f.SkuFactory()
    price_list = f.PriceListFactory(currency_code="USD")
    location = f.StockLocationFactory()

    last = mark()
    price = ok(
        integration.create(
            "prices",
            {"sku_code": sku.code, "amount_cents": 1500},
            {"price_list": rel("price_lists", price_list.public_id)},
        ),
        201,
    )
    item = ok(
        integration.create(
            "stock_items",
            {"sku_code": sku.code, "quantity": 3},
            {"stock_location": rel("stock_locations", location.public_id)},
        ),
        201,
    )
    assert since(last) == [("prices.create", price["id"]), ("stock_items.create", item["id"])]

    last = mark()
    ok(integration.update("prices", price["id"], {"amount_cents": 1700}))
    assert integration.delete(f"/api/stock_items/{item['id']}").status_code == 204
    assert since(last) == [("prices.update", price["id"]), ("stock_items.destroy", item["id"])]


def test_adding_a_line_records_the_shipment_and_stock_line_items_it_builds(sales_channel, shop):
    order = ok(sales_channel.create("orders", {}), 201)
    last = mark()
    line = ok(
        sales_channel.create(
            "line_items",
            {"sku_code": "EVT-1", "quantity": 2},
            {"order": rel("orders", order["id"])},
        ),
        201,
    )
    events = since(last)
    shipment = Shipment.objects.get(order__public_id=order["id"])
    stock_line = StockLineItem.objects.get(shipment=shipment)
    # The shipping line is a system line item the cart's refresh writes.
    shipping_line = LineItem.objects.get(order__public_id=order["id"], item_type="shipments")
    expected = {
        ("line_items.create", line["id"]),
        ("shipments.create", shipment.public_id),
        ("stock_line_items.create", stock_line.public_id),
        ("orders.update", order["id"]),  # its figures, refreshed
        ("line_items.create", shipping_line.public_id),
    }
    assert set(events) == expected
    assert len(events) == len(expected)  # each record once, its create not followed by an update

    # Removing the line removes the shipment built for it: each records its destroy. (The
    # rows the database deletes with them, stock and shipping lines, record none: a gap.)
    last = mark()
    assert sales_channel.delete(f"/api/line_items/{line['id']}").status_code == 204
    gone = {e for e in since(last) if e[0].endswith(".destroy")}
    assert {
        ("line_items.destroy", line["id"]),
        ("shipments.destroy", shipment.public_id),
    } <= gone


def test_a_trigger_only_patch_records_only_its_trigger(integration):
    webhook = Webhook.objects.create(topic="skus.update", callback_url="https://example.com/h")
    last = mark()
    ok(integration.update("webhooks", webhook.public_id, {"_disable": True}))
    assert since(last) == []


def test_events_are_listed_read_and_filtered_by_name(integration):
    sku = f.SkuFactory()
    last = mark()
    ok(integration.update("skus", sku.public_id, {"name": "Renamed"}))
    event = Event.objects.get(id__gt=last)

    one = ok(integration.get(f"/api/events/{event.public_id}"))
    assert one["type"] == "events"
    assert one["attributes"]["name"] == "skus.update"

    listed = ok(integration.get("/api/events?filter[q][name_eq]=skus.update"))
    assert [e["id"] for e in listed] == [event.public_id]

    refused = integration.create("events", {"name": "skus.update"})
    assert refused.status_code == 405
    assert integration.delete(f"/api/events/{event.public_id}").status_code == 405


def test_a_sales_channel_cannot_read_events(sales_channel, integration):
    sku = f.SkuFactory()
    ok(integration.update("skus", sku.public_id, {"name": "Renamed"}))
    response = sales_channel.get("/api/events")
    assert response.status_code in (401, 403) or response.json()["data"] == []


def test_a_webhook_topic_must_be_one_recorded(integration):
    def create(topic):
        return integration.create(
            "webhooks", {"topic": topic, "callback_url": "https://example.com/hooks"}
        )

    for topic in ("skus.update", "prices.create", "stock_items.destroy", "orders.place"):
        assert create(topic).status_code == 201, topic
    for topic in ("skus.explode", "nothings.create", "orders"):
        response = create(topic)
        assert response.status_code == 422, topic
        error = response.json()["errors"][0]
        assert error["source"]["pointer"] == "/data/attributes/topic"
        assert error["code"] == "VALIDATION_ERROR"
        assert error["meta"]["error"] == "invalid"


@pytest.mark.usefixtures("fast_webhooks")
def test_a_skus_update_webhook_fires_on_a_sku_patch_and_trigger_sends_it_again(
    integration, receiver
):
    webhook = Webhook.objects.create(topic="skus.update", callback_url=receiver.url)
    sku = f.SkuFactory(name="Mug")
    with committed():
        ok(integration.update("skus", sku.public_id, {"name": "Big mug"}))
    drain()

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers["x-commercelayer-topic"] == "skus.update"
    document = json.loads(body)
    assert document["data"]["id"] == sku.public_id
    assert document["data"]["attributes"]["name"] == "Big mug"

    # `_trigger`: the same body again, under a new webhook-id, to every webhook of the topic.
    later = Webhook.objects.create(topic="skus.update", callback_url=receiver.url)
    event = Event.objects.get(topic="skus.update", resource_id=sku.public_id)
    sku.name = "Changed since"
    sku.save()
    with committed():
        answer = ok(integration.update("events", event.public_id, {"_trigger": True}))
    assert answer["id"] == event.public_id
    drain()

    assert len(receiver.requests) == 3
    resent = receiver.requests[1:]
    assert {h["webhook-id"] for h, _ in resent}.isdisjoint({headers["webhook-id"]})
    assert len({h["webhook-id"] for h, _ in resent}) == 2
    assert all(b == body for _, b in resent)  # the last body sent, not the SKU as it is now
    assert Delivery.objects.filter(event=event, webhook__in=[webhook, later]).count() == 2


def test_a_record_lists_its_own_events_newest_first(integration, sales_channel):
    sku = ok(
        integration.create(
            "skus",
            {"code": "EVT-LIST", "name": "Mug"},
            {
                "shipping_category": rel(
                    "shipping_categories", f.ShippingCategoryFactory().public_id
                )
            },
        ),
        201,
    )
    ok(integration.update("skus", sku["id"], {"name": "Big mug"}))
    other = f.SkuFactory()
    ok(integration.update("skus", other.public_id, {"name": "Not this one"}))

    listed = integration.get(f"/api/skus/{sku['id']}/events")
    assert listed.status_code == 200
    names = [e["attributes"]["name"] for e in listed.json()["data"]]
    assert names == ["skus.update", "skus.create"]
    assert listed.json()["meta"]["record_count"] == 2
    oldest_first = integration.get(f"/api/skus/{sku['id']}/events?sort=created_at")
    assert [e["attributes"]["name"] for e in oldest_first.json()["data"]] == names[::-1]
    # Events are the integration's to read, through a record as in their own list.
    assert sales_channel.get(f"/api/skus/{sku['id']}/events").status_code == 401
