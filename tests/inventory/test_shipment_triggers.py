"""Shipment triggers over HTTP (inventory.md "Shipments"): every trigger from every state.

The allowed moves work and emit their event; every other one is a 422 pointing at `status` that
changes nothing (the shipment row, the order, stock and the event outbox are compared before and
after). Nothing ships before its order is approved and paid or free; the order's
`fulfillment_status` follows its shipments; the triggers are the integration's alone.
"""

import pytest

from commerce.models import Event
from inventory.models import StockItem, StockReservation
from orders.models import Customer, Order, Shipment
from tests import factories as f
from tests.conftest import rel
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TRIGGERS = ["upcoming", "on_hold", "picking", "packing", "ready_to_ship", "ship", "deliver"]
TRIGGERS += ["cancel"]


def _shipment(order) -> Shipment:
    return Shipment.objects.get(order=order)


def _move(api, shipment, trigger):
    return api.update("shipments", shipment.public_id, {f"_{trigger}": True})


# How to bring a shipment to each state over HTTP, and whether its order is then "ready"
# (approved and paid). `on_hold_ready` is a shipment held after picking started.
def _to_state(api, shop, state, *, customer=None) -> Shipment:
    order = make_cart(shop, customer=customer)
    if state == "draft":
        return _shipment(order)
    ok(api.update("orders", order.public_id, {"_place": True}))
    if state == "cancelled":
        ok(api.update("orders", order.public_id, {"_cancel": True}))
        return _shipment(order)
    if state == "upcoming":
        return _shipment(order)
    if state == "on_hold":
        ok(_move(api, _shipment(order), "on_hold"))
        return _shipment(order)
    if state == "approved_unpaid":
        ok(api.update("orders", order.public_id, {"_approve": True}))
        return _shipment(order)
    ok(api.update("orders", order.public_id, {"_approve_and_capture": True}))
    path = {
        "picking": [],
        "on_hold_ready": ["on_hold"],
        "packing": ["packing"],
        "ready_to_ship": ["packing", "ready_to_ship"],
        "shipped": ["packing", "ready_to_ship", "ship"],
        "delivered": ["packing", "ready_to_ship", "ship", "deliver"],
    }[state]
    for trigger in path:
        ok(_move(api, _shipment(order), trigger))
    return _shipment(order)


STATES = [
    "draft",
    "upcoming",
    "approved_unpaid",
    "on_hold",
    "on_hold_ready",
    "picking",
    "packing",
    "ready_to_ship",
    "shipped",
    "delivered",
    "cancelled",
]
# (state, trigger) -> the status it leads to; everything else is refused.
ALLOWED = {
    ("upcoming", "on_hold"): "on_hold",
    ("approved_unpaid", "on_hold"): "on_hold",
    ("on_hold", "upcoming"): "upcoming",
    ("on_hold_ready", "picking"): "picking",
    ("picking", "on_hold"): "on_hold",
    ("picking", "packing"): "packing",
    ("packing", "on_hold"): "on_hold",
    ("packing", "ready_to_ship"): "ready_to_ship",
    ("ready_to_ship", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
}
# What each state really is in the database.
STATUS_OF = {"approved_unpaid": "upcoming", "on_hold_ready": "on_hold"}


def _snapshot(shipment):
    order = Order.objects.get(pk=shipment.order_id)
    row = Shipment.objects.filter(pk=shipment.pk).values().get()
    return {
        "shipment": row,
        "order": (order.status, order.payment_status, order.fulfillment_status, order.updated_at),
        "stock": list(StockItem.objects.order_by("pk").values_list("pk", "quantity")),
        "reservations": list(StockReservation.objects.order_by("pk").values_list("pk", "quantity")),
        "events": Event.objects.count(),
    }


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("state", STATES)
def test_every_shipment_trigger_from_every_state(integration, shop, state, trigger):
    shipment = _to_state(integration, shop, state)
    assert shipment.status == STATUS_OF.get(state, state)
    before = _snapshot(shipment)
    response = _move(integration, shipment, trigger)
    target = ALLOWED.get((state, trigger))
    if target is None:
        assert response.status_code == 422, response.json()
        error = response.json()["errors"][0]
        assert error["source"]["pointer"] == "/data/attributes/status"
        assert _snapshot(shipment) == before
        return
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["attributes"]["status"] == target
    shipment.refresh_from_db()
    assert shipment.status == target
    stamp = f"{target}_at"
    if hasattr(shipment, stamp):
        assert getattr(shipment, stamp) is not None
    event = Event.objects.order_by("-id").filter(topic__startswith="shipments.").first()
    assert (event.topic, event.resource_id) == (f"shipments.{trigger}", shipment.public_id)
    assert event.payload["status"] == target
    # Operator moves never touch stock: it left at approval (inventory.md "Lifecycle").
    assert _snapshot(shipment)["stock"] == before["stock"]


@pytest.mark.parametrize("who", ["sales_channel", "customer"])
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_shipment_triggers_are_for_integrations_only(
    sales_channel, customer_token, integration, shop, trigger, who
):
    # Each storefront moves a shipment of an order it reaches: a guest's, or its own.
    if who == "customer":
        api = customer_token(shop["market"], "ada@example.com")
        customer = Customer.objects.get(email="ada@example.com")
    else:
        api, customer = sales_channel, None
    shipment = _to_state(integration, shop, "picking", customer=customer)
    assert api.get(f"/api/shipments/{shipment.public_id}").status_code == 200
    before = _snapshot(shipment)
    response = _move(api, shipment, trigger)
    assert response.status_code == 400, response.json()
    error = response.json()["errors"][0]
    assert error["code"] == "PARAM_NOT_ALLOWED"
    assert error["source"]["pointer"] == f"/data/attributes/_{trigger}"
    assert _snapshot(shipment) == before


def test_nothing_ships_before_the_order_is_paid(integration, shop):
    order = make_cart(shop)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = _shipment(order)
    assert _move(integration, shipment, "picking").status_code == 422
    ok(integration.update("orders", order.public_id, {"_approve": True}))
    assert _shipment(order).status == "upcoming"
    assert Order.objects.get(pk=order.pk).fulfillment_status == "unfulfilled"
    for trigger in ("picking", "packing", "ready_to_ship", "ship", "deliver"):
        assert _move(integration, shipment, trigger).status_code == 422, trigger
    assert _shipment(order).status == "upcoming"
    # Capturing the payment of the approved order starts the picking.
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    assert _shipment(order).status == "picking"
    assert Order.objects.get(pk=order.pk).fulfillment_status == "in_progress"
    topics = list(
        Event.objects.filter(resource_id=shipment.public_id).values_list("topic", flat=True)
    )
    # Its create and the cart's updates of it (bulk.md "Events"), then its moves.
    assert topics[0] == "shipments.create"
    moves = [t for t in topics if t not in ("shipments.create", "shipments.update")]
    assert moves == ["shipments.upcoming", "shipments.picking"]


def test_a_free_order_ships_once_approved(integration, shop, market):
    free = f.SkuFactory(code="FREE-1")
    f.PriceFactory(price_list=market.price_list, sku=free, amount_cents=0)
    f.StockItemFactory(stock_location=shop["location"], sku=free, quantity=5)
    shop["standard"].price_amount_cents = 0
    shop["standard"].save()
    order = make_cart(shop, [(free, 1)])
    order.line_items.update(unit_amount_cents=0)
    ok(integration.update("orders", order.public_id, {"_refresh": True}))
    placed = ok(integration.update("orders", order.public_id, {"_place": True}))
    assert placed["attributes"]["payment_status"] == "free"
    ok(integration.update("orders", order.public_id, {"_approve": True}))
    assert _shipment(order).status == "picking"


def _fulfillment(order):
    return Order.objects.get(pk=order.pk).fulfillment_status


def test_fulfillment_status_follows_the_shipments(integration, shop, market):
    other_location = f.StockLocationFactory()
    model = market.inventory_model
    model.strategy = "split_shipments"
    model.save()
    f.InventoryStockLocationFactory(
        inventory_model=model, stock_location=other_location, priority=2
    )
    f.StockItemFactory(stock_location=other_location, sku=shop["sku"], quantity=50)
    order = make_cart(shop, [(shop["sku"], 60)])  # 50 here, 10 from the second location
    first, second = Shipment.objects.filter(order=order).order_by("number")
    assert _fulfillment(order) == "unfulfilled"
    ok(integration.update("orders", order.public_id, {"_place": True}))
    assert _fulfillment(order) == "unfulfilled"
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    assert _fulfillment(order) == "in_progress"
    for trigger in ("packing", "ready_to_ship", "ship"):
        ok(_move(integration, first, trigger))
    assert _fulfillment(order) == "in_progress"  # the second one is still picking
    for trigger in ("packing", "ready_to_ship", "ship"):
        ok(_move(integration, second, trigger))
    assert _fulfillment(order) == "fulfilled"
    ok(_move(integration, second, "deliver"))
    assert _fulfillment(order) == "fulfilled"


def test_fulfillment_is_unfulfilled_again_when_the_order_is_cancelled(integration, shop):
    order = make_cart(shop)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    assert _fulfillment(order) == "in_progress"
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert _shipment(order).status == "cancelled"
    assert _fulfillment(order) == "unfulfilled"
    assert Event.objects.filter(topic="shipments.cancel", resource_id=_shipment(order).public_id)


def test_an_order_with_nothing_to_ship_needs_no_fulfillment(integration, shop, market):
    gift = f.SkuFactory(code="E-GIFT", do_not_ship=True)
    f.PriceFactory(price_list=market.price_list, sku=gift, amount_cents=1000)
    order = make_cart(shop, [(gift, 1)])
    assert not Shipment.objects.filter(order=order).exists()
    ok(integration.update("orders", order.public_id, {"_place": True}))
    assert _fulfillment(order) == "not_required"


def _totals(order):
    return Order.objects.filter(pk=order.pk).values_list(
        "shipping_amount_cents", "total_amount_with_taxes_cents"
    )[0]


def test_changing_the_shipping_method_recomputes_the_order(sales_channel, shop):
    order = make_cart(shop)
    shipment = _shipment(order)
    assert shipment.shipping_method == shop["standard"]
    assert _totals(order) == (500, 2500)
    response = sales_channel.update(
        "shipments",
        shipment.public_id,
        relationships={"shipping_method": rel("shipping_methods", shop["express"].public_id)},
    )
    assert response.status_code == 200, response.json()
    assert _totals(order) == (1500, 3500)
    order_doc = ok(sales_channel.get(f"/api/orders/{order.public_id}"))
    assert order_doc["attributes"]["shipping_amount_cents"] == 1500
    assert order_doc["attributes"]["total_amount_with_taxes_cents"] == 3500


def test_a_placed_order_shipping_method_is_frozen(integration, shop):
    order = make_cart(shop)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = _shipment(order)
    response = integration.update(
        "shipments",
        shipment.public_id,
        relationships={"shipping_method": rel("shipping_methods", shop["express"].public_id)},
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == (
        "/data/relationships/shipping_method"
    )
    assert _shipment(order).shipping_method == shop["standard"]
    assert _totals(order) == (500, 2500)
