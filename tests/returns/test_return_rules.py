"""The guards of aftersale.md §3: which orders take returns, where the units go back, how many
units may be returned (drafts count; cancelled and rejected returns give theirs back), how much
may be refunded, and restocking into the return's stock location. Every refusal is a 422 whose
pointer names the problem, and leaves every row as it was."""

import pytest

from inventory.models import StockItem
from orders.models import Transaction
from returns.models import InventoryReturnLocation, Return, ReturnLineItem
from tests import factories as f
from tests.conftest import rel
from tests.orders.conftest import events_since, last_event_id
from tests.returns.conftest import (
    add_line,
    create_return,
    new_return,
    paid_order,
    return_with,
    sku_line,
    snapshot,
)
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def refused(response, pointer, status=422) -> dict:
    assert response.status_code == status, response.json()
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == [pointer], errors
    return errors[0]


# --- create -------------------------------------------------------------------------------


def test_a_return_starts_draft_with_the_orders_people_and_addresses(integration, shop):
    order = paid_order(integration, shop)
    mark = last_event_id()
    ret = new_return(integration, order)
    assert ret["attributes"]["status"] == "draft"
    assert ret["attributes"]["number"] == f"{order.number}/R/001"
    assert ret["attributes"]["customer_email"] == order.customer_email
    assert ret["attributes"]["estimated_refund_amount_cents"] == 0
    stored = Return.objects.get(public_id=ret["id"])
    assert stored.origin_address_id == order.shipping_address_id
    assert stored.stock_location == shop["returns_desk"]
    assert stored.destination_address_id == shop["returns_desk"].address_id
    assert events_since(mark) == [("returns.create", ret["id"])]
    second = new_return(integration, order)
    assert second["attributes"]["number"] == f"{order.number}/R/002"
    included = ok(
        integration.get(
            f"/api/returns/{ret['id']}?include=order,stock_location,origin_address,"
            "destination_address,customer,return_line_items"
        )
    )
    assert (
        included["relationships"]["stock_location"]["data"]["id"] == shop["returns_desk"].public_id
    )
    assert included["relationships"]["origin_address"]["data"]["id"] == (
        order.shipping_address.public_id
    )


@pytest.mark.parametrize("state", ["pending", "placed", "approved_unpaid"])
def test_only_an_approved_order_whose_fulfillment_started_takes_returns(integration, shop, state):
    order = make_cart(shop)
    if state != "pending":
        ok(integration.update("orders", order.public_id, {"_place": True}))
    if state == "approved_unpaid":  # approved, not captured: its shipments wait (unfulfilled)
        ok(integration.update("orders", order.public_id, {"_approve": True}))
    before = snapshot(order)
    refused(create_return(integration, order), "/data/relationships/order")
    assert snapshot(order) == before


def test_the_stock_location_must_be_a_return_location(integration, shop, market):
    order = paid_order(integration, shop)
    other = f.StockLocationFactory()
    before = snapshot(order)
    response = create_return(
        integration, order, stock_location=rel("stock_locations", other.public_id)
    )
    refused(response, "/data/relationships/stock_location")
    assert snapshot(order) == before
    # One of them, given: taken; and it may change while draft or requested, not after.
    second = f.StockLocationFactory()
    InventoryReturnLocation.objects.create(
        inventory_model=market.inventory_model, stock_location=second, priority=2
    )
    ret = new_return(integration, order, stock_location=rel("stock_locations", second.public_id))
    assert Return.objects.get(public_id=ret["id"]).stock_location == second
    desk = rel("stock_locations", shop["returns_desk"].public_id)
    ok(integration.update("returns", ret["id"], relationships={"stock_location": desk}))
    stored = Return.objects.get(public_id=ret["id"])
    assert (stored.stock_location, stored.destination_address_id) == (
        shop["returns_desk"],
        shop["returns_desk"].address_id,
    )
    ok(add_line(integration, ret["id"], sku_line(order), 1), 201)
    ok(integration.update("returns", ret["id"], {"_request": True, "_approve": True}))
    response = integration.update(
        "returns",
        ret["id"],
        relationships={"stock_location": rel("stock_locations", second.public_id)},
    )
    refused(response, "/data/relationships/stock_location")


def test_request_needs_line_items_and_a_stock_location(integration, shop):
    order = paid_order(integration, shop)
    ret = new_return(integration, order)
    before = snapshot(order)
    refused(
        integration.update("returns", ret["id"], {"_request": True}),
        "/data/relationships/return_line_items",
    )
    assert snapshot(order) == before
    ok(add_line(integration, ret["id"], sku_line(order), 1), 201)
    ok(integration.update("returns", ret["id"], relationships={"stock_location": {"data": None}}))
    before = snapshot(order)
    refused(
        integration.update("returns", ret["id"], {"_request": True}),
        "/data/relationships/stock_location",
    )
    assert snapshot(order) == before


def test_triggers_of_one_patch_run_in_table_order(integration, shop):
    order = paid_order(integration, shop)
    ret = return_with(integration, order, [(sku_line(order), 1)])
    # Sent backwards; run as the table lists them.
    body = {"_receive": True, "_approve": True, "_request": True}
    answer = ok(integration.update("returns", ret["id"], body))
    assert answer["attributes"]["status"] == "received"


# --- quantities ------------------------------------------------------------------------------


def test_never_more_returned_than_bought_minus_other_live_returns(integration, shop):
    order = paid_order(integration, shop, [(shop["sku"], 3)])
    line = sku_line(order)
    draft = return_with(integration, order, [(line, 2)])  # a draft counts (unconfirmed)
    other = new_return(integration, order)
    before = snapshot(order)
    error = refused(add_line(integration, other["id"], line, 2), "/data/attributes/quantity")
    assert (error["title"], error["meta"]["count"]) == ("must be less than or equal to 1", 1)
    assert snapshot(order) == before
    item = ok(add_line(integration, other["id"], line, 1), 201)
    error = refused(add_line(integration, other["id"], line, 1), "/data/attributes/quantity")
    assert error["meta"]["count"] == 0
    # Raising a line's own quantity counts the others, not itself.
    error = refused(
        integration.update("return_line_items", item["id"], {"quantity": 2}),
        "/data/attributes/quantity",
    )
    assert error["meta"]["count"] == 1
    # The draft cancelled: its units are returnable again.
    ok(integration.update("returns", draft["id"], {"_cancel": True}))
    ok(integration.update("return_line_items", item["id"], {"quantity": 3}))
    assert Return.objects.get(public_id=other["id"]).skus_count == 3


def test_a_rejected_return_gives_its_units_back(integration, shop):
    order = paid_order(integration, shop)
    line = sku_line(order)
    ret = return_with(integration, order, [(line, 2)], status="shipped")
    other = new_return(integration, order)
    refused(add_line(integration, other["id"], line, 1), "/data/attributes/quantity")
    ok(integration.update("returns", ret["id"], {"_reject": True}))
    ok(add_line(integration, other["id"], line, 2), 201)


def test_only_sku_lines_of_the_returns_order(integration, shop):
    order = paid_order(integration, shop)
    other_order = paid_order(integration, shop)
    ret = new_return(integration, order)
    shipping_line = order.line_items.get(item_type="shipments")
    for line in (shipping_line, sku_line(other_order)):
        refused(add_line(integration, ret["id"], line, 1), "/data/relationships/line_item")
    bad = add_line(integration, ret["id"], sku_line(order), 0)
    refused(bad, "/data/attributes/quantity")
    assert not ReturnLineItem.objects.exists()


# --- refunds ---------------------------------------------------------------------------------


def test_refund_bounds_are_the_captures_balance(integration, shop):
    order = paid_order(integration, shop)  # 2 x 1500 + 500 shipping = 3500 captured
    capture = Transaction.objects.get(order=order, kind="captures")
    ret = return_with(integration, order, [(sku_line(order), 1)], status="received")
    for amount in (0, 3501):
        before = snapshot(order)
        error = refused(
            integration.update(
                "returns", ret["id"], {"_refund": True, "_refund_amount_cents": amount}
            ),
            "/data/attributes/_refund_amount_cents",
        )
        assert (error["title"], error["meta"]["count"]) == ("must be between 1 and 3500", 3500)
        assert snapshot(order) == before
    # Shipping added by the operator: more than the estimate, within the balance.
    answer = ok(
        integration.update("returns", ret["id"], {"_refund": True, "_refund_amount_cents": 2000})
    )
    assert answer["attributes"]["status"] == "refunded"
    refund = Transaction.objects.get(order=order, kind="refunds")
    assert (refund.amount_cents, refund.reference_capture_id) == (2000, capture.pk)
    stored = Return.objects.get(public_id=ret["id"])
    assert stored.reference_refund_id == refund.pk
    linked = ok(integration.get(f"/api/returns/{ret['id']}?include=reference_refund"))
    assert linked["relationships"]["reference_refund"]["data"]["id"] == refund.public_id
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("approved", "partially_refunded")

    # The next return may take only what is left (1500), and refunding it all leaves the
    # order `refunded` but never cancelled.
    second = return_with(integration, order, [(sku_line(order), 1)], status="received")
    error = refused(
        integration.update(
            "returns", second["id"], {"_refund": True, "_refund_amount_cents": 1501}
        ),
        "/data/attributes/_refund_amount_cents",
    )
    assert error["meta"]["count"] == 1500
    ok(integration.update("returns", second["id"], {"_refund": True}))  # the estimate: 1500
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("approved", "refunded")

    # Nothing left on any capture: 422 on reference_capture.
    third_order = paid_order(integration, shop)
    third = return_with(integration, third_order, [(sku_line(third_order), 1)], status="received")
    ok(integration.update("orders", third_order.public_id, {"_refund": True}))  # the order's own
    refused(
        integration.update("returns", third["id"], {"_refund": True}),
        "/data/relationships/reference_capture",
    )


def test_the_reference_capture_must_be_the_orders(integration, shop):
    order = paid_order(integration, shop)
    other = paid_order(integration, shop)
    foreign = Transaction.objects.get(order=other, kind="captures")
    ret = return_with(integration, order, [(sku_line(order), 1)])
    response = integration.update(
        "returns",
        ret["id"],
        relationships={"reference_capture": rel("captures", foreign.public_id)},
    )
    refused(response, "/data/relationships/reference_capture")
    own = Transaction.objects.get(order=order, kind="captures")
    ok(
        integration.update(
            "returns",
            ret["id"],
            relationships={"reference_capture": rel("captures", own.public_id)},
        )
    )
    assert Return.objects.get(public_id=ret["id"]).reference_capture == own


# --- restock ---------------------------------------------------------------------------------


def test_restock_puts_the_units_back_at_the_return_location(integration, shop):
    order = paid_order(integration, shop, [(shop["sku"], 2)])
    shipped_from = StockItem.objects.get(pk=shop["stock_item"].pk)
    assert shipped_from.quantity == 48
    ret = return_with(integration, order, [(sku_line(order), 2)], status="received")
    assert not StockItem.objects.filter(stock_location=shop["returns_desk"]).exists()
    mark = last_event_id()
    ok(integration.update("returns", ret["id"], {"_restock": True}))
    desk = StockItem.objects.get(stock_location=shop["returns_desk"], sku=shop["sku"])
    assert desk.quantity == 2  # created at 0, then + 2
    shipped_from.refresh_from_db()
    assert shipped_from.quantity == 48  # the shipping location is untouched
    item = ReturnLineItem.objects.get(return_record__public_id=ret["id"])
    assert (item.restocked_quantity, item.restocked_at is not None) == (2, True)
    assert ("returns.restock", ret["id"]) in events_since(mark)
    assert ("stock_items.update", desk.public_id) in events_since(mark)
    # Nothing left to restock: 422 on _restock, nothing moves.
    before = snapshot(order)
    refused(
        integration.update("returns", ret["id"], {"_restock": True}), "/data/attributes/_restock"
    )
    refused(
        integration.update("return_line_items", item.public_id, {"_restock": True}),
        "/data/attributes/_restock",
    )
    assert snapshot(order) == before
    # After a mistaken restock the operator resets the count, and may restock it again.
    ok(integration.update("return_line_items", item.public_id, {"_reset_restocked_quantity": True}))
    item.refresh_from_db()
    assert (item.restocked_quantity, item.restocked_at) == (0, None)
    ok(integration.update("return_line_items", item.public_id, {"_restock": True}))
    desk.refresh_from_db()
    assert desk.quantity == 4


def test_restock_of_a_do_not_track_sku_only_stamps_it(integration, shop):
    untracked = f.SkuFactory(code="RET-NT", do_not_track=True)
    f.PriceFactory(price_list=shop["market"].price_list, sku=untracked, amount_cents=1000)
    f.StockItemFactory(stock_location=shop["location"], sku=untracked, quantity=5)
    order = paid_order(integration, shop, [(shop["sku"], 1), (untracked, 1)])
    ret = return_with(
        integration,
        order,
        [(sku_line(order, shop["sku"]), 1), (sku_line(order, untracked), 1)],
        status="received",
    )
    stock = dict(StockItem.objects.values_list("pk", "quantity"))
    ok(integration.update("returns", ret["id"], {"_restock": True}))
    items = {
        i.sku_code: i for i in ReturnLineItem.objects.filter(return_record__public_id=ret["id"])
    }
    assert items["RET-NT"].restocked_at is not None
    assert items["RET-NT"].restocked_quantity == 0
    assert items["RET-1"].restocked_quantity == 1
    assert not StockItem.objects.filter(stock_location=shop["returns_desk"], sku=untracked).exists()
    after = dict(StockItem.objects.values_list("pk", "quantity"))
    desk = StockItem.objects.get(stock_location=shop["returns_desk"], sku=shop["sku"])
    assert {pk: q for pk, q in after.items() if pk != desk.pk} == stock


def test_a_line_items_own_restock(integration, shop):
    second = f.SkuFactory(code="RET-2")
    f.PriceFactory(price_list=shop["market"].price_list, sku=second, amount_cents=1000)
    f.StockItemFactory(stock_location=shop["location"], sku=second, quantity=5)
    f.StockItemFactory(stock_location=shop["returns_desk"], sku=second, quantity=7)
    order = paid_order(integration, shop, [(shop["sku"], 1), (second, 1)])
    ret = return_with(
        integration,
        order,
        [(sku_line(order, shop["sku"]), 1), (sku_line(order, second), 1)],
    )
    item = ReturnLineItem.objects.get(return_record__public_id=ret["id"], sku_code="RET-2")
    # Not before the return is received.
    refused(
        integration.update("return_line_items", item.public_id, {"_restock": True}),
        "/data/attributes/status",
    )
    for trigger in ("_request", "_receive"):
        ok(integration.update("returns", ret["id"], {trigger: True}))
    ok(integration.update("return_line_items", item.public_id, {"_restock": True}))
    assert StockItem.objects.get(stock_location=shop["returns_desk"], sku=second).quantity == 8
    assert not StockItem.objects.filter(
        stock_location=shop["returns_desk"], sku=shop["sku"]
    ).exists()
    # The return's _restock then does the rest.
    ok(integration.update("returns", ret["id"], {"_restock": True}))
    assert StockItem.objects.get(stock_location=shop["returns_desk"], sku=shop["sku"]).quantity == 1
    assert StockItem.objects.get(stock_location=shop["returns_desk"], sku=second).quantity == 8


def test_a_return_location_is_one_per_pair(integration, shop, market):
    body = {
        "stock_location": rel("stock_locations", shop["returns_desk"].public_id),
        "inventory_model": rel("inventory_models", market.inventory_model.public_id),
    }
    response = integration.create("inventory_return_locations", {"priority": 3}, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["meta"]["error"] == "taken"
