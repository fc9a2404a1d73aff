"""Every stock change emits its event through commerce.events.emit_event, in the transaction
that makes it (orders.md): reservations made at `_place` and by stock transfers, released at
`_cancel`, consumed at `_approve` (the stock item's quantity moves with its own event), units put
back, operators' quantity edits and a shipment's shipping method change. Shipment moves have
theirs checked trigger by trigger in test_shipment_triggers.py."""

import pytest

from commerce.models import Event
from inventory.models import StockReservation
from orders.models import Shipment, StockLineItem
from tests import factories as f
from tests.conftest import rel
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _mark() -> int:
    last = Event.objects.order_by("-id").first()
    return last.id if last else 0


def _since(mark, *prefixes) -> list[tuple]:
    """(topic, resource id, payload) of the events after `mark`, in order, of these types."""
    return [
        (e.topic, e.resource_id, e.payload)
        for e in Event.objects.filter(id__gt=mark).order_by("id")
        if e.topic.split(".")[0] in prefixes
    ]


STOCK = ("stock_items", "stock_reservations")


@pytest.fixture
def two_locations(shop, market):
    """The shop's SKU split over two locations: 20 x INV-1 ships 15 from the first and 5 from
    the second, so every stock step touches two stock items and two reservations."""
    model = market.inventory_model
    model.strategy = "split_shipments"
    model.save()
    shop["stock_item"].quantity = 15
    shop["stock_item"].save()
    second = f.StockLocationFactory(code="second")
    f.InventoryStockLocationFactory(inventory_model=model, stock_location=second, priority=2)
    shop["second_item"] = f.StockItemFactory(stock_location=second, sku=shop["sku"], quantity=30)
    return shop


def _reservations(order) -> dict:
    return {
        r.public_id: (r.stock_item.public_id, r.quantity)
        for r in StockReservation.objects.filter(
            stock_line_item__shipment__order=order
        ).select_related("stock_item")
    }


def test_placing_emits_one_reservation_event_per_reservation(integration, two_locations):
    shop = two_locations
    order = make_cart(shop, [(shop["sku"], 20)])
    mark = _mark()
    ok(integration.update("orders", order.public_id, {"_place": True}))
    reservations = _reservations(order)
    first, second = shop["stock_item"].public_id, shop["second_item"].public_id
    assert sorted(reservations.values()) == sorted([(first, 15), (second, 5)])
    assert sorted(_since(mark, *STOCK)) == sorted(
        ("stock_reservations.create", rid, {"quantity": qty, "stock_item": item})
        for rid, (item, qty) in reservations.items()
    )


def test_approving_emits_the_stock_item_decrements_and_the_consumed_reservations(
    integration, two_locations
):
    shop = two_locations
    order = make_cart(shop, [(shop["sku"], 20)])
    ok(integration.update("orders", order.public_id, {"_place": True}))
    reservations = _reservations(order)
    mark = _mark()
    ok(integration.update("orders", order.public_id, {"_approve": True}))
    first, second = shop["stock_item"].public_id, shop["second_item"].public_id
    events = _since(mark, *STOCK)
    assert sorted(e for e in events if e[0] == "stock_items.update") == sorted(
        [
            ("stock_items.update", first, {"quantity": 0, "change": -15}),
            ("stock_items.update", second, {"quantity": 25, "change": -5}),
        ]
    )
    assert sorted(e for e in events if e[0] == "stock_reservations.destroy") == sorted(
        ("stock_reservations.destroy", rid, {"quantity": qty, "id": rid})
        for rid, (_, qty) in reservations.items()
    )
    assert len(events) == 4


def test_cancelling_before_approval_emits_the_released_reservations(integration, shop):
    order = make_cart(shop, [(shop["sku"], 3)])
    ok(integration.update("orders", order.public_id, {"_place": True}))
    ((rid, (_, qty)),) = _reservations(order).items()
    mark = _mark()
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert _since(mark, *STOCK) == [("stock_reservations.destroy", rid, {"quantity": 3, "id": rid})]
    assert qty == 3


def test_cancelling_after_approval_emits_the_units_put_back(integration, two_locations):
    shop = two_locations
    order = make_cart(shop, [(shop["sku"], 20)])
    ok(integration.update("orders", order.public_id, {"_place": True}))
    ok(integration.update("orders", order.public_id, {"_approve": True}))
    mark = _mark()
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    first, second = shop["stock_item"].public_id, shop["second_item"].public_id
    assert sorted(_since(mark, *STOCK)) == sorted(
        [
            ("stock_items.update", first, {"quantity": 15, "change": 15}),
            ("stock_items.update", second, {"quantity": 30, "change": 5}),
        ]
    )


def test_an_operator_quantity_edit_emits_its_event(integration, shop):
    item = shop["stock_item"]
    mark = _mark()
    ok(integration.update("stock_items", item.public_id, {"quantity": 42}))
    assert _since(mark, *STOCK) == [
        (
            "stock_items.update",
            item.public_id,
            # the write's own record of what changed, merged with the service's figures
            {"changed": ["quantity"], "quantity": 42, "change": -8},
        )
    ]


def test_a_shipping_method_change_emits_a_shipment_update(sales_channel, shop):
    order = make_cart(shop)
    shipment = Shipment.objects.get(order=order)
    mark = _mark()
    ok(
        sales_channel.update(
            "shipments",
            shipment.public_id,
            relationships={"shipping_method": rel("shipping_methods", shop["express"].public_id)},
        )
    )
    assert _since(mark, "shipments") == [
        (
            "shipments.update",
            shipment.public_id,
            {
                # the method, that a client chose it, and the shipment's cost it sets
                "changed": ["cost_amount_cents", "shipping_method", "shipping_method_chosen"],
                "shipping_method": shop["express"].public_id,
            },
        )
    ]


def test_a_refused_shipping_method_change_emits_nothing(integration, shop):
    order = make_cart(shop)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = Shipment.objects.get(order=order)
    mark = _mark()
    response = integration.update(
        "shipments",
        shipment.public_id,
        relationships={"shipping_method": rel("shipping_methods", shop["express"].public_id)},
    )
    assert response.status_code == 422, response.json()
    assert _since(mark, "shipments", *STOCK) == []


def test_stock_transfer_moves_emit_their_stock_events(integration, shop):
    destination = f.StockLocationFactory(code="dest")
    origin_item = shop["stock_item"]
    created = integration.create(
        "stock_transfers",
        {"sku_code": shop["sku"].code, "quantity": 4},
        {
            "origin_stock_location": rel("stock_locations", shop["location"].public_id),
            "destination_stock_location": rel("stock_locations", destination.public_id),
        },
    )
    transfer_id = ok(created, 201)["id"]

    mark = _mark()
    ok(integration.update("stock_transfers", transfer_id, {"_upcoming": True}))
    (reservation,) = StockReservation.objects.filter(stock_transfer__public_id=transfer_id)
    assert _since(mark, *STOCK) == [
        (
            "stock_reservations.create",
            reservation.public_id,
            {"quantity": 4, "stock_item": origin_item.public_id},
        )
    ]
    ok(integration.update("stock_transfers", transfer_id, {"_picking": True}))

    mark = _mark()
    ok(integration.update("stock_transfers", transfer_id, {"_in_transit": True}))
    assert _since(mark, *STOCK) == [
        ("stock_items.update", origin_item.public_id, {"quantity": 46, "change": -4}),
        (
            "stock_reservations.destroy",
            reservation.public_id,
            {"quantity": 4, "id": reservation.public_id},
        ),
    ]

    mark = _mark()
    ok(integration.update("stock_transfers", transfer_id, {"_complete": True}))
    arrived = destination.stock_items.get(sku=shop["sku"])
    # The destination had no stock item: the transfer creates it (its create is the one event
    # of that record in this write, bulk.md "Events").
    assert _since(mark, *STOCK) == [("stock_items.create", arrived.public_id, {})]
    assert not StockLineItem.objects.exists()


@pytest.mark.parametrize("from_state", ["upcoming", "in_transit"])
def test_cancelling_a_transfer_emits_what_it_gives_back(integration, shop, from_state):
    destination = f.StockLocationFactory(code="dest")
    created = integration.create(
        "stock_transfers",
        {"sku_code": shop["sku"].code, "quantity": 4, "_upcoming": True},
        {
            "origin_stock_location": rel("stock_locations", shop["location"].public_id),
            "destination_stock_location": rel("stock_locations", destination.public_id),
        },
    )
    transfer_id = ok(created, 201)["id"]
    (reservation,) = StockReservation.objects.filter(stock_transfer__public_id=transfer_id)
    if from_state == "in_transit":
        for trigger in ("_picking", "_in_transit"):
            ok(integration.update("stock_transfers", transfer_id, {trigger: True}))
    mark = _mark()
    ok(integration.update("stock_transfers", transfer_id, {"_cancel": True}))
    origin = shop["stock_item"].public_id
    assert (
        _since(mark, *STOCK)
        == {
            # Held units are released; units already on the road come back on the shelf.
            "upcoming": [
                (
                    "stock_reservations.destroy",
                    reservation.public_id,
                    {"quantity": 4, "id": reservation.public_id},
                )
            ],
            "in_transit": [("stock_items.update", origin, {"quantity": 50, "change": 4})],
        }[from_state]
    )
