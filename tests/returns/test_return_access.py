"""Who may do what with returns (aftersale.md §6): an integration token everything; a sales
channel nothing (401); a customer its own orders' returns: create, read, list, their line items
while draft, `_request` and `_cancel` (draft or requested only); any other trigger is a 400
PARAM_NOT_ALLOWED; another customer's return is a 404. Return locations and
`_reset_restocked_quantity` are the integration's (401 / 400)."""

import pytest

from orders.models import Customer
from returns.models import InventoryReturnLocation, Return
from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.returns.conftest import (
    add_line,
    create_return,
    new_return,
    paid_order,
    return_with,
    sku_line,
    snapshot,
)
from tests.shop import ok

pytestmark = [pytest.mark.django_db]

ADA, BOB = "ada@example.com", "bob@example.com"


@pytest.fixture
def ada(customer_token, market):
    return customer_token(market, ADA)


@pytest.fixture
def bob(customer_token, market):
    return customer_token(market, BOB)


def own_order(integration, shop, email):
    return paid_order(integration, shop, customer=Customer.objects.get(email=email))


def param_not_allowed(response, name):
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        f"/data/attributes/{name}",
    )


@pytest.mark.sqlite
def test_a_customer_creates_fills_requests_and_cancels_its_own_return(integration, ada, shop):
    order = own_order(integration, shop, ADA)
    line = sku_line(order)
    ret = new_return(ada, order)
    attributes = ret["attributes"]
    assert (attributes["status"], attributes["customer_email"]) == ("draft", ADA)
    assert attributes["number"] == f"{order.number}/R/001"
    item = ok(add_line(ada, ret["id"], line, 2, return_reason={"why": "too big"}), 201)
    ok(ada.update("return_line_items", item["id"], {"quantity": 1}))
    listed = ok(ada.get("/api/returns"))
    assert [r["id"] for r in listed] == [ret["id"]]
    assert ok(ada.get(f"/api/returns/{ret['id']}/return_line_items"))[0]["id"] == item["id"]
    assert ok(ada.get(f"/api/return_line_items/{item['id']}"))["attributes"]["quantity"] == 1
    ok(ada.update("returns", ret["id"], {"_request": True}))
    # Requested: the customer's lines are frozen (an operator's are not).
    frozen = ada.update("return_line_items", item["id"], {"quantity": 2})
    assert frozen.status_code == 422
    assert frozen.json()["errors"][0]["source"]["pointer"] == "/data/relationships/return"
    assert add_line(ada, ret["id"], line, 1).status_code == 422
    cancelled = ok(ada.update("returns", ret["id"], {"_cancel": True}))
    assert cancelled["attributes"]["status"] == "cancelled"


@pytest.mark.parametrize(
    "trigger",
    ["_approve", "_ship", "_receive", "_reject", "_refund", "_restock", "_archive", "_unarchive"],
)
def test_a_customer_may_not_send_the_operators_triggers(integration, ada, shop, trigger):
    order = own_order(integration, shop, ADA)
    ret = return_with(integration, order, [(sku_line(order), 1)], status="requested")
    before = snapshot(order)
    param_not_allowed(ada.update("returns", ret["id"], {trigger: True}), trigger)
    param_not_allowed(
        ada.update("returns", ret["id"], {"_refund_amount_cents": 100}), "_refund_amount_cents"
    )
    assert snapshot(order) == before


def test_a_customer_cancels_only_a_draft_or_requested_return(integration, ada, shop):
    order = own_order(integration, shop, ADA)
    ret = return_with(integration, order, [(sku_line(order), 1)], status="approved")
    before = snapshot(order)
    refused = ada.update("returns", ret["id"], {"_cancel": True})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
    assert snapshot(order) == before
    # An operator may.
    assert (
        ok(integration.update("returns", ret["id"], {"_cancel": True}))["attributes"]["status"]
        == "cancelled"
    )


def test_line_item_triggers_are_the_operators(integration, ada, shop):
    order = own_order(integration, shop, ADA)
    ret = return_with(integration, order, [(sku_line(order), 1)], status="received")
    item = Return.objects.get(public_id=ret["id"]).return_line_items.get()
    for trigger in ("_restock", "_reset_restocked_quantity"):
        param_not_allowed(ada.update("return_line_items", item.public_id, {trigger: True}), trigger)


def test_another_customers_return_is_not_found(integration, ada, bob, shop):
    order = own_order(integration, shop, ADA)
    line = sku_line(order)
    ret = return_with(integration, order, [(line, 1)])
    item = Return.objects.get(public_id=ret["id"]).return_line_items.get()
    before = snapshot(order)
    assert_not_found(bob.get(f"/api/returns/{ret['id']}"))
    assert_not_found(bob.update("returns", ret["id"], {"_cancel": True}))
    assert_not_found(bob.get(f"/api/return_line_items/{item.public_id}"))
    assert_not_found(bob.update("return_line_items", item.public_id, {"quantity": 1}))
    assert bob.delete(f"/api/return_line_items/{item.public_id}").status_code == 404
    assert ok(bob.get("/api/returns")) == []
    assert ok(bob.get("/api/return_line_items")) == []
    # Nor can Bob return Ada's order, or put lines in her return.
    refused = create_return(bob, order)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/relationships/order"
    refused = add_line(bob, ret["id"], line, 1)
    assert refused.status_code == 422
    pointers = {e["source"]["pointer"] for e in refused.json()["errors"]}
    assert pointers == {"/data/relationships/return", "/data/relationships/line_item"}
    assert snapshot(order) == before


def test_a_sales_channel_is_refused_everything(integration, sales_channel, shop):
    order = paid_order(integration, shop)
    ret = return_with(integration, order, [(sku_line(order), 1)])
    item = Return.objects.get(public_id=ret["id"]).return_line_items.get()
    before = snapshot(order)
    assert_unauthorized(sales_channel.get("/api/returns"))
    assert_unauthorized(sales_channel.get(f"/api/returns/{ret['id']}"))
    assert_unauthorized(create_return(sales_channel, order))
    assert_unauthorized(sales_channel.update("returns", ret["id"], {"_request": True}))
    assert_unauthorized(sales_channel.get("/api/return_line_items"))
    assert_unauthorized(sales_channel.get(f"/api/return_line_items/{item.public_id}"))
    assert_unauthorized(sales_channel.delete(f"/api/returns/{ret['id']}"))
    assert_unauthorized(sales_channel.get("/api/inventory_return_locations"))
    assert snapshot(order) == before


def test_return_locations_are_the_integrations(integration, sales_channel, ada, shop, market):
    location = InventoryReturnLocation.objects.get()
    for api in (sales_channel, ada):
        assert_unauthorized(api.get("/api/inventory_return_locations"))
        assert_unauthorized(api.get(f"/api/inventory_return_locations/{location.public_id}"))
        assert_unauthorized(
            api.create(
                "inventory_return_locations",
                {"priority": 2},
                {
                    "stock_location": rel("stock_locations", shop["location"].public_id),
                    "inventory_model": rel("inventory_models", market.inventory_model.public_id),
                },
            )
        )
    assert [r["id"] for r in ok(integration.get("/api/inventory_return_locations"))] == [
        location.public_id
    ]


def test_a_customer_may_not_delete_a_return_nor_name_its_capture(integration, ada, shop):
    order = own_order(integration, shop, ADA)
    ret = return_with(integration, order, [(sku_line(order), 1)])
    assert_unauthorized(ada.delete(f"/api/returns/{ret['id']}"))
    capture = order.transactions.get(kind="captures")
    refused = ada.update(
        "returns",
        ret["id"],
        relationships={"reference_capture": rel("captures", capture.public_id)},
    )
    assert refused.status_code == 400
    assert (
        refused.json()["errors"][0]["source"]["pointer"] == "/data/relationships/reference_capture"
    )
    # An operator deletes a draft (not once requested).
    ok(integration.update("returns", ret["id"], {"_request": True}))
    refused = integration.delete(f"/api/returns/{ret['id']}")
    assert refused.status_code == 422
    ok(integration.update("returns", ret["id"], {"_cancel": True}))
    draft = return_with(integration, order, [(sku_line(order), 2)])
    assert integration.delete(f"/api/returns/{draft['id']}").status_code == 204
    assert not Return.objects.filter(public_id=draft["id"]).exists()
