"""Stock in the admin: stock items per location with on hand, reserved and salable, their
quantity edited right in the list through the inventory service (as a PATCH over the API
does it); stock transfer triggers as actions and buttons doing what the API's triggers do."""

import pytest

from commerce.models import Event
from inventory.admin import STOCK_TRANSFER_ACTIONS, StockTransferAdmin
from inventory.models import StockItem, StockTransfer
from tests import factories as f
from tests.admin.conftest import (
    admin_url,
    messages_of,
    stock_change,
    stock_snapshot,
    undone,
    what_the_api_does,
)
from tests.admin.test_order_actions import order_in
from tests.admin.test_order_pages import text_of
from tests.conftest import rel
from tests.shop import ok

pytestmark = pytest.mark.django_db


def stock_rows(client, item) -> list[tuple]:
    """(sku, location, on hand, reserved, salable) per row of the stock items list."""
    page = client.get(admin_url(item, "changelist"))
    assert page.status_code == 200
    return [
        (row.sku.code, row.stock_location.code, row.quantity, row.reserved, row.salable)
        for row in page.context["cl"].result_list
    ]


def list_edit(client, item, quantity):
    """Submit the stock items list with `quantity` typed into `item`'s row."""
    page = client.get(admin_url(item, "changelist"))
    formset = page.context["cl"].formset
    data = {
        formset.management_form.add_prefix(name): formset.management_form[name].value()
        for name in formset.management_form.fields
    }
    for form in formset.forms:
        data[form.add_prefix("id")] = form.instance.pk
        value = quantity if form.instance.pk == item.pk else form.instance.quantity
        data[form.add_prefix("quantity")] = value
    data["_save"] = "Save"
    return client.post(admin_url(item, "changelist"), data, follow=True)


def test_stock_items_show_on_hand_reserved_and_salable_per_location(
    integration, staff_client, shop
):
    other_place = f.StockLocationFactory(code="zz-backroom")
    f.StockItemFactory(stock_location=other_place, sku=shop["sku"], quantity=7)
    order_in(integration, shop, "placed")  # reserves 2
    item = shop["stock_item"]
    location = shop["location"].code
    assert stock_rows(staff_client, item) == [
        ("ADM-1", location, 50, 2, 48),
        ("ADM-1", "zz-backroom", 7, 0, 7),
    ]
    filtered = staff_client.get(
        admin_url(item, "changelist"), {"stock_location__id__exact": other_place.pk}
    )
    assert [row.quantity for row in filtered.context["cl"].result_list] == [7]
    page = text_of(staff_client.get(admin_url(item, "changelist")))
    assert "Quantity Reserved Salable" in page


def test_editing_a_quantity_in_the_list_does_what_the_api_does(integration, staff_client, shop):
    order_in(integration, shop, "placed")  # 2 reserved
    item = shop["stock_item"]

    def item_and_events():
        row = StockItem.objects.get(pk=item.pk)
        topics = list(Event.objects.filter(resource_id=item.public_id).values_list("topic"))
        return row.quantity, topics

    status, errors, api_result, _ = what_the_api_does(
        integration, item, {"quantity": 30}, item_and_events
    )
    assert status == 200, errors
    page = list_edit(staff_client, item, 30)
    assert page.status_code == 200
    assert messages_of(page) == ["1 stock item was changed successfully."]
    assert item_and_events() == api_result == (30, [("stock_items.update",)])
    assert stock_rows(staff_client, item) == [("ADM-1", shop["location"].code, 30, 2, 28)]


def test_a_negative_quantity_is_refused_and_changes_nothing(staff_client, shop):
    item = shop["stock_item"]
    page = list_edit(staff_client, item, -1)
    assert "Ensure this value is greater than or equal to 0" in text_of(page)
    item.refresh_from_db()
    assert item.quantity == 50
    assert not Event.objects.filter(resource_id=item.public_id).exists()


def test_staff_who_may_only_view_stock_cannot_edit_it(viewer_client, shop):
    item = shop["stock_item"]
    page = viewer_client.get(admin_url(item, "changelist"))
    assert page.status_code == 403  # view_order/view_shipment only
    item.refresh_from_db()
    assert item.quantity == 50


# --- stock transfers -----------------------------------------------------------------------

PATHS = {
    "draft": [],
    "upcoming": ["upcoming"],
    "on_hold": ["upcoming", "on_hold"],
    "picking": ["upcoming", "picking"],
    "in_transit": ["upcoming", "picking", "in_transit"],
    "completed": ["upcoming", "picking", "in_transit", "complete"],
    "cancelled": ["upcoming", "picking", "in_transit", "cancel"],
}


def transfer_in(api, shop, state, quantity=20) -> StockTransfer:
    destination = f.StockLocationFactory()
    created = ok(
        api.create(
            "stock_transfers",
            {"quantity": quantity},
            {
                "sku": rel("skus", shop["sku"].public_id),
                "origin_stock_location": rel("stock_locations", shop["location"].public_id),
                "destination_stock_location": rel("stock_locations", destination.public_id),
            },
        ),
        201,
    )
    for trigger in PATHS[state]:
        ok(api.update("stock_transfers", created["id"], {f"_{trigger}": True}))
    return StockTransfer.objects.get(public_id=created["id"])


def transfer_snapshot(transfer):
    row = StockTransfer.objects.get(pk=transfer.pk)
    events = Event.objects.filter(resource_id=row.public_id).values_list("topic", flat=True)
    return {"status": row.status, "reserved": row.stock_reservation_id is not None} | {
        "events": sorted(events)
    }


@pytest.mark.parametrize("state", list(PATHS))
def test_every_stock_transfer_button_does_what_the_api_does(integration, staff_client, shop, state):
    transfer = transfer_in(integration, shop, state)
    start = transfer_snapshot(transfer)
    moved = []
    for trigger, label in STOCK_TRANSFER_ACTIONS.items():
        status, errors, api_result, api_stock = what_the_api_does(
            integration, transfer, f"_{trigger}", lambda: transfer_snapshot(transfer)
        )
        with undone():
            stock = stock_snapshot()
            page = staff_client.post(admin_url(transfer, "trigger", trigger), follow=True)
            assert page.redirect_chain == [(admin_url(transfer), 302)], trigger
            if status == 200:
                moved.append(trigger)
                assert messages_of(page) == [f"{label}: 1 done."]
                assert transfer_snapshot(transfer) == api_result, trigger
                assert stock_change(stock, stock_snapshot()) == api_stock, trigger
            else:
                assert status == 422, errors
                reason = "; ".join(errors)
                assert messages_of(page) == [f"{transfer}: {label} refused — {reason}"]
                assert transfer_snapshot(transfer) == start, trigger
                assert stock_snapshot() == stock, trigger
    assert moved == {
        "draft": ["upcoming", "cancel"],
        "upcoming": ["on_hold", "picking", "cancel"],
        "on_hold": ["picking", "cancel"],
        "picking": ["on_hold", "in_transit", "cancel"],
        "in_transit": ["complete", "cancel"],
    }.get(state, [])


def test_a_short_origin_refuses_upcoming_with_the_api_reason(integration, staff_client, shop):
    transfer = transfer_in(integration, shop, "draft", quantity=60)
    page = staff_client.post(
        admin_url(transfer, "changelist"),
        {"action": "stock_transfer_upcoming", "_selected_action": [transfer.pk]},
        follow=True,
    )
    assert messages_of(page) == [
        f"{transfer}: Upcoming (reserve at origin) refused — quantity - 60 requested, 50 available"
    ]
    assert transfer_snapshot(transfer)["status"] == "draft"


def test_a_transfer_under_way_is_read_only(integration, staff_client, shop):
    transfer = transfer_in(integration, shop, "picking")
    page = staff_client.get(admin_url(transfer))
    form = page.context["adminform"].form
    assert not {"sku", "quantity", "origin_stock_location"} & set(form.fields)
    assert not page.context["has_delete_permission"]
    listing = staff_client.get(admin_url(transfer, "changelist"))
    actions = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "stock_transfer_in_transit" in actions
    draft = transfer_in(integration, shop, "draft")
    assert "quantity" in staff_client.get(admin_url(draft)).context["adminform"].form.fields


def test_a_delete_refused_under_the_lock_is_a_message_not_a_500(
    integration, staff_client, shop, monkeypatch
):
    """The page allowed the delete, then the transfer left draft before the POST: the service's
    guard, under the transfer's lock, refuses; the operator reads why on the transfer's page."""
    transfer = transfer_in(integration, shop, "picking")
    monkeypatch.setattr(StockTransferAdmin, "has_delete_permission", lambda *args: True)
    response = staff_client.post(admin_url(transfer, "delete"), {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(admin_url(transfer), 302)]
    assert messages_of(response) == [
        "A stock transfer under way can't be deleted: cancel it first."
    ]
    assert transfer_snapshot(transfer)["status"] == "picking"
