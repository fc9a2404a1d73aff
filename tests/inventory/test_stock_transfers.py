"""Stock transfer triggers over HTTP (inventory.md "Stock transfers"): every trigger from every
state. Allowed moves work, move stock where the spec says (reserved at the origin from
`upcoming`, off the origin at `_in_transit`, onto the destination at `_complete`, back on the
origin at `_cancel`) and emit their event; every other move is a 422 on `status` that changes
nothing."""

import pytest
from django.db.models import Sum

from commerce.models import Event
from inventory.models import StockItem, StockReservation, StockTransfer
from tests import factories as f
from tests.conftest import rel
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ON_HAND = 50
MOVED = 20
TRIGGERS = ["upcoming", "on_hold", "picking", "in_transit", "complete", "cancel"]
STATES = ["draft", "upcoming", "on_hold", "picking", "in_transit", "completed", "cancelled"]
PATHS = {
    "draft": [],
    "upcoming": ["upcoming"],
    "on_hold": ["upcoming", "on_hold"],
    "picking": ["upcoming", "picking"],
    "in_transit": ["upcoming", "picking", "in_transit"],
    "completed": ["upcoming", "picking", "in_transit", "complete"],
    "cancelled": ["upcoming", "picking", "in_transit", "cancel"],
}
ALLOWED = {
    ("draft", "upcoming"): "upcoming",
    ("draft", "cancel"): "cancelled",
    ("upcoming", "on_hold"): "on_hold",
    ("upcoming", "picking"): "picking",
    ("upcoming", "cancel"): "cancelled",
    ("on_hold", "picking"): "picking",
    ("on_hold", "cancel"): "cancelled",
    ("picking", "on_hold"): "on_hold",
    ("picking", "in_transit"): "in_transit",
    ("picking", "cancel"): "cancelled",
    ("in_transit", "complete"): "completed",
    ("in_transit", "cancel"): "cancelled",
}
# (origin on hand, origin reserved, destination on hand) in each status.
STOCK = {
    "draft": (ON_HAND, 0, 0),
    "upcoming": (ON_HAND, MOVED, 0),
    "on_hold": (ON_HAND, MOVED, 0),
    "picking": (ON_HAND, MOVED, 0),
    "in_transit": (ON_HAND - MOVED, 0, 0),
    "completed": (ON_HAND - MOVED, 0, MOVED),
    "cancelled": (ON_HAND, 0, 0),
}


@pytest.fixture
def places(shop):
    return {"origin": shop["location"], "destination": f.StockLocationFactory(code="dest")}


def _create(api, shop, places, quantity=MOVED, **attributes):
    return api.create(
        "stock_transfers",
        {"quantity": quantity, **attributes},
        {
            "sku": rel("skus", shop["sku"].public_id),
            "origin_stock_location": rel("stock_locations", places["origin"].public_id),
            "destination_stock_location": rel("stock_locations", places["destination"].public_id),
        },
    )


def _move(api, transfer_id, trigger):
    return api.update("stock_transfers", transfer_id, {f"_{trigger}": True})


def _on_hand(location, sku):
    item = StockItem.objects.filter(stock_location=location, sku=sku).first()
    return item.quantity if item else 0


def _reserved(location, sku):
    return (
        StockReservation.objects.filter(
            stock_item__stock_location=location, stock_item__sku=sku
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )


def _stock(shop, places):
    sku = shop["sku"]
    return (
        _on_hand(places["origin"], sku),
        _reserved(places["origin"], sku),
        _on_hand(places["destination"], sku),
    )


def _snapshot(transfer_id):
    return {
        "transfer": StockTransfer.objects.filter(public_id=transfer_id).values().get(),
        "stock": list(StockItem.objects.order_by("pk").values_list("pk", "quantity")),
        "reservations": list(StockReservation.objects.order_by("pk").values_list("pk", "quantity")),
        "events": Event.objects.count(),
    }


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("state", STATES)
def test_every_stock_transfer_trigger_from_every_state(integration, shop, places, state, trigger):
    transfer_id = ok(_create(integration, shop, places), 201)["id"]
    for step in PATHS[state]:
        ok(_move(integration, transfer_id, step))
    assert StockTransfer.objects.get(public_id=transfer_id).status == state
    assert _stock(shop, places) == STOCK[state]
    before = _snapshot(transfer_id)
    response = _move(integration, transfer_id, trigger)
    target = ALLOWED.get((state, trigger))
    if target is None:
        assert response.status_code == 422, response.json()
        assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
        assert _snapshot(transfer_id) == before
        return
    assert response.status_code == 200, response.json()
    attributes = response.json()["data"]["attributes"]
    assert attributes["status"] == target
    if f"{target}_at" in attributes:
        assert attributes[f"{target}_at"] is not None
    assert _stock(shop, places) == STOCK[target]
    event = Event.objects.order_by("-id").first()
    assert (event.topic, event.resource_id) == (f"stock_transfers.{trigger}", transfer_id)
    assert event.payload["status"] == target


def test_a_transfer_is_created_upcoming_in_one_request(integration, shop, places):
    created = ok(_create(integration, shop, places, _upcoming=True), 201)
    assert created["attributes"]["status"] == "upcoming"
    assert _stock(shop, places) == (ON_HAND, MOVED, 0)


def _salable(api, sku):
    return ok(api.get(f"/api/skus/{sku.public_id}"))["attributes"]["inventory"]["quantity"]


def test_upcoming_reserves_the_origin_salable_against_orders(
    integration, sales_channel, shop, places
):
    assert _salable(sales_channel, shop["sku"]) == ON_HAND
    transfer_id = ok(_create(integration, shop, places, quantity=45), 201)["id"]
    assert _salable(sales_channel, shop["sku"]) == ON_HAND  # a draft holds nothing
    ok(_move(integration, transfer_id, "upcoming"))
    assert _salable(sales_channel, shop["sku"]) == 5
    # An order wanting more than what the transfer left is refused, and reserves nothing.
    order = make_cart(shop, [(shop["sku"], 6)])
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["detail"].endswith("6 requested, 5 available")
    assert _stock(shop, places) == (ON_HAND, 45, 0)
    # Cancelling the transfer gives the units back to the orders.
    ok(_move(integration, transfer_id, "cancel"))
    assert _salable(sales_channel, shop["sku"]) == ON_HAND
    ok(sales_channel.update("orders", order.public_id, {"_place": True}))


def test_upcoming_needs_enough_salable_at_the_origin(integration, sales_channel, shop, places):
    order = make_cart(shop, [(shop["sku"], 40)])
    ok(sales_channel.update("orders", order.public_id, {"_place": True}))
    transfer_id = ok(_create(integration, shop, places, quantity=11), 201)["id"]
    before = _snapshot(transfer_id)
    response = _move(integration, transfer_id, "upcoming")
    assert response.status_code == 422, response.json()
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/quantity"
    assert error["detail"].endswith("11 requested, 10 available")
    assert _snapshot(transfer_id) == before
    ok(_move(integration, transfer_id, "cancel"))
    # Exactly what is left may go.
    transfer_id = ok(_create(integration, shop, places, quantity=10), 201)["id"]
    ok(_move(integration, transfer_id, "upcoming"))
    assert _salable(sales_channel, shop["sku"]) == 0


def test_upcoming_from_a_location_without_the_sku_is_a_422(integration, shop, places):
    places = {"origin": places["destination"], "destination": places["origin"]}
    transfer_id = ok(_create(integration, shop, places, quantity=1), 201)["id"]
    response = _move(integration, transfer_id, "upcoming")
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/quantity"
    assert StockTransfer.objects.get(public_id=transfer_id).status == "draft"


def test_a_transfer_under_way_is_frozen(integration, shop, places):
    transfer_id = ok(_create(integration, shop, places, _upcoming=True), 201)["id"]
    response = integration.update("stock_transfers", transfer_id, {"quantity": 1})
    assert response.status_code == 422, response.json()
    assert StockTransfer.objects.get(public_id=transfer_id).quantity == MOVED
    assert _stock(shop, places) == (ON_HAND, MOVED, 0)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_stock_transfers_are_for_integrations_only(
    sales_channel, integration, shop, places, trigger
):
    transfer_id = ok(_create(integration, shop, places), 201)["id"]
    response = _move(sales_channel, transfer_id, trigger)
    assert response.status_code == 401, response.json()
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert StockTransfer.objects.get(public_id=transfer_id).status == "draft"
