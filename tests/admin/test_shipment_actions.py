"""Shipment actions and detail-page buttons do exactly what the API's shipment triggers do.

Every trigger from every state (inventory.md "Shipments"), on a shipment whose order was built
and moved over HTTP: the API's `_<trigger>` is sent in a savepoint rolled back afterwards, then
the admin's button moves the same shipment. Allowed moves end the same (shipment, order, events,
stock); refused ones show the API's reason and change nothing.
"""

import pytest

from orders.admin import SHIPMENT_ACTIONS
from orders.models import Shipment
from tests.admin.conftest import (
    admin_url,
    full_snapshot,
    messages_of,
    order_snapshot,
    stock_change,
    stock_snapshot,
    undone,
    what_the_api_does,
)
from tests.admin.test_order_actions import order_in
from tests.shop import ok

pytestmark = pytest.mark.django_db

# state -> (the order's state, shipment triggers sent over HTTP after it)
STATES = {
    "draft": ("pending", []),
    "upcoming": ("placed", []),
    "on_hold": ("placed", ["_on_hold"]),
    "upcoming_approved_unpaid": ("approved", []),
    "on_hold_ready": ("paid", ["_on_hold"]),
    "picking": ("paid", []),
    "packing": ("paid", ["_packing"]),
    "ready_to_ship": ("paid", ["_packing", "_ready_to_ship"]),
    "shipped": ("paid", ["_packing", "_ready_to_ship", "_ship"]),
    "delivered": ("paid", ["_packing", "_ready_to_ship", "_ship", "_deliver"]),
    "cancelled": ("cancelled", []),
}


def shipment_in(api, shop, state) -> Shipment:
    order_state, triggers = STATES[state]
    order = order_in(api, shop, order_state)
    shipment = Shipment.objects.get(order=order)
    for trigger in triggers:
        ok(api.update("shipments", shipment.public_id, {trigger: True}))
    return Shipment.objects.get(pk=shipment.pk)


def shipment_snapshot(shipment):
    shipment = Shipment.objects.get(pk=shipment.pk)
    times = {name: getattr(shipment, f"{name}_at") is not None for name in ("on_hold", "shipped")}
    return {"status": shipment.status, **times, "order": order_snapshot(shipment.order)}


@pytest.mark.parametrize("state", list(STATES))
def test_every_shipment_button_does_what_the_api_does(integration, staff_client, shop, state):
    shipment = shipment_in(integration, shop, state)
    start, before = shipment_snapshot(shipment), full_snapshot(shipment.order)
    moved = []
    for trigger, label in SHIPMENT_ACTIONS.items():
        status, errors, api_result, api_stock = what_the_api_does(
            integration, shipment, f"_{trigger}", lambda: shipment_snapshot(shipment)
        )
        assert full_snapshot(shipment.order) == before, trigger
        with undone():
            stock = stock_snapshot()
            page = staff_client.post(admin_url(shipment, "trigger", trigger), follow=True)
            assert page.redirect_chain == [(admin_url(shipment), 302)], trigger
            if status == 200:
                moved.append(trigger)
                assert messages_of(page) == [f"{label}: 1 done."]
                assert shipment_snapshot(shipment) == api_result, trigger
                assert shipment_snapshot(shipment) != start, trigger
                assert stock_change(stock, stock_snapshot()) == api_stock, trigger
            else:
                assert status == 422, errors
                reason = "; ".join(errors)
                assert messages_of(page) == [f"{shipment.number}: {label} refused — {reason}"]
                assert full_snapshot(shipment.order) == before, trigger
    # The moves inventory.md allows from here (the API's own tests pin the same table).
    assert moved == {
        "upcoming": ["on_hold"],
        "on_hold": ["upcoming"],
        "upcoming_approved_unpaid": ["on_hold"],
        "on_hold_ready": ["picking"],
        "picking": ["on_hold", "packing"],
        "packing": ["on_hold", "ready_to_ship"],
        "ready_to_ship": ["ship"],
        "shipped": ["deliver"],
    }.get(state, [])


def test_a_list_action_ships_what_is_ready_and_reports_the_rest(integration, staff_client, shop):
    ready = shipment_in(integration, shop, "ready_to_ship")
    picking = shipment_in(integration, shop, "picking")
    page = staff_client.post(
        admin_url(ready, "changelist"),
        {"action": "shipment_ship", "_selected_action": [ready.pk, picking.pk]},
        follow=True,
    )
    assert messages_of(page) == [
        f"{picking.number}: Ship refused — status - cannot transition from picking to shipped",
        "Ship: 1 done.",
    ]
    assert shipment_snapshot(ready)["status"] == "shipped"
    assert shipment_snapshot(ready)["order"]["fulfillment_status"] == "fulfilled"
    assert shipment_snapshot(picking)["status"] == "picking"


def test_users_who_are_not_staff_cannot_move_shipments(integration, shopper_client, shop):
    shipment = shipment_in(integration, shop, "ready_to_ship")
    response = shopper_client.post(admin_url(shipment, "trigger", "ship"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert shipment_snapshot(shipment)["status"] == "ready_to_ship"
