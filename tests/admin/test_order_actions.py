"""Order actions and detail-page buttons do exactly what the API's triggers do.

Every action from every state, on an order built over HTTP: the API's trigger (integration
token) is sent first in a savepoint that is then rolled back, then the admin's button moves the
very same order. Where the API answered 200, the admin's order ends the same (statuses,
transactions, shipments, events) and moves the same stock; where the API refused, the admin shows
the API's reason as an error message and changes nothing at all.
"""

import pytest

from orders.admin import ORDER_ACTIONS
from orders.models import Order, Shipment
from tests.admin.conftest import (
    admin_url,
    full_snapshot,
    messages_of,
    order_snapshot,
    rows_of,
    stock_change,
    stock_snapshot,
    undone,
    what_the_api_does,
)
from tests.shop import make_cart, ok

pytestmark = pytest.mark.django_db

# How each starting state is reached over HTTP: order triggers, then shipment triggers.
STATES = {
    "pending": ([], []),
    "placed": (["_place"], []),
    "placed_paid": (["_place", "_capture"], []),
    "editing": (["_place", "_start_editing"], []),
    "approved": (["_place", "_approve"], []),
    "paid": (["_place", "_approve_and_capture"], []),
    "shipped": (["_place", "_approve_and_capture"], ["_packing", "_ready_to_ship", "_ship"]),
    "cancelled": (["_place", "_cancel"], []),
    "refunded": (["_place", "_approve_and_capture", "_refund"], []),
}


def order_in(api, shop, state) -> Order:
    order_triggers, shipment_triggers = STATES[state]
    order = make_cart(shop)
    for trigger in order_triggers:
        ok(api.update("orders", order.public_id, {trigger: True}))
    for trigger in shipment_triggers:
        for shipment in Shipment.objects.filter(order=order):
            ok(api.update("shipments", shipment.public_id, {trigger: True}))
    return Order.objects.get(pk=order.pk)


@pytest.mark.parametrize("state", list(STATES))
def test_every_order_button_does_what_the_api_does(integration, staff_client, shop, state):
    order = order_in(integration, shop, state)
    start, before = order_snapshot(order), full_snapshot(order)
    for action, label in ORDER_ACTIONS.items():
        status, errors, api_order, api_stock = what_the_api_does(
            integration, order, f"_{action}", lambda: order_snapshot(order)
        )
        assert full_snapshot(order) == before, action
        with undone():
            stock = stock_snapshot()
            page = staff_client.post(admin_url(order, "trigger", action), follow=True)
            assert page.redirect_chain == [(admin_url(order), 302)], action
            if status == 200:
                assert messages_of(page) == [f"{label}: 1 done."]
                assert order_snapshot(order) == api_order, action
                assert order_snapshot(order) != start, action
                assert stock_change(stock, stock_snapshot()) == api_stock, action
            else:
                assert status == 422, errors
                reason = "; ".join(errors)
                assert messages_of(page) == [f"#{order.number}: {label} refused — {reason}"]
                assert full_snapshot(order) == before, action


def test_the_happy_path_moves_money_stock_and_shipments(integration, staff_client, shop):
    """Placed -> approved and captured from the detail page: paid, stock taken, picking."""
    order = order_in(integration, shop, "placed")
    item = shop["stock_item"]
    staff_client.post(admin_url(order, "trigger", "approve_and_capture"))
    snapshot = order_snapshot(order)
    assert (snapshot["status"], snapshot["payment_status"]) == ("approved", "paid")
    assert snapshot["fulfillment_status"] == "in_progress"
    assert snapshot["shipments"] == ["picking"]
    assert [kind for kind, _, _ in snapshot["transactions"]] == ["authorizations", "captures"]
    item.refresh_from_db()
    assert item.quantity == 48
    assert "orders.approve" in snapshot["events"] and "orders.capture" in snapshot["events"]


def refused(status, to):
    return f"status - cannot transition from {status} to {to}"


def _run_action(client, action, orders):
    return client.post(
        admin_url(orders[0], "changelist"),
        {"action": f"order_{action}", "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def test_a_list_action_moves_the_orders_it_may_and_reports_the_others(
    integration, staff_client, shop
):
    placed = order_in(integration, shop, "placed")
    pending = order_in(integration, shop, "pending")
    approved = order_in(integration, shop, "approved")
    refused_before = [rows_of(pending), rows_of(approved)]

    page = _run_action(staff_client, "approve", [placed, pending, approved])

    assert page.status_code == 200
    assert messages_of(page) == [
        f"#{pending.number}: Approve refused — {refused('pending', 'approved')}",
        f"#{approved.number}: Approve refused — {refused('approved', 'approved')}",
        "Approve: 1 done.",
    ]
    assert order_snapshot(placed)["status"] == "approved"
    assert [rows_of(pending), rows_of(approved)] == refused_before


@pytest.mark.parametrize("action", list(ORDER_ACTIONS))
def test_every_list_action_calls_its_service(integration, staff_client, shop, action):
    """Each list action does what the button does (and the API) on an order it may move."""
    state = {"capture": "approved", "refund": "paid", "stop_editing": "editing"}.get(
        action, "placed"
    )
    order = order_in(integration, shop, state)
    status, errors, api_order, api_stock = what_the_api_does(
        integration, order, f"_{action}", lambda: order_snapshot(order)
    )
    assert status == 200, errors
    stock = stock_snapshot()
    page = _run_action(staff_client, action, [order])
    assert messages_of(page) == [f"{ORDER_ACTIONS[action]}: 1 done."]
    assert order_snapshot(order) == api_order
    assert stock_change(stock, stock_snapshot()) == api_stock


def test_users_who_are_not_staff_are_refused(integration, shopper_client, shop):
    order = order_in(integration, shop, "placed")
    before = full_snapshot(order)
    for response in (
        shopper_client.post(admin_url(order, "trigger", "approve")),
        shopper_client.post(
            admin_url(order, "changelist"),
            {"action": "order_approve", "_selected_action": [order.pk]},
        ),
        shopper_client.get(admin_url(order)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert full_snapshot(order) == before


def test_staff_who_may_only_view_orders_cannot_move_them(integration, viewer_client, shop):
    order = order_in(integration, shop, "placed")
    before = full_snapshot(order)
    assert viewer_client.post(admin_url(order, "trigger", "approve")).status_code == 403
    page = viewer_client.get(admin_url(order, "changelist"))
    assert page.status_code == 200
    assert "order_approve" not in page.content.decode()
    viewer_client.post(
        admin_url(order, "changelist"), {"action": "order_approve", "_selected_action": [order.pk]}
    )
    assert full_snapshot(order) == before


def test_a_trigger_is_a_post(integration, staff_client, shop):
    order = order_in(integration, shop, "placed")
    assert staff_client.get(admin_url(order, "trigger", "approve")).status_code == 405
    assert staff_client.post(admin_url(order, "trigger", "place")).status_code == 403
    assert order_snapshot(order)["status"] == "placed"
