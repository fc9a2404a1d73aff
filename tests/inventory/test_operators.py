"""Operators edit stock item quantities with integration tokens (PATCH stock_items `quantity`):
reservations already made stand, salable follows the new quantity at once, and new placements
see it (inventory.md "Never oversell": lowered below what is reserved, salable is <= 0)."""

import pytest

from inventory.models import StockItem, StockReservation
from tests import factories as f
from tests.conftest import rel
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _salable(api, sku):
    inventory = ok(api.get(f"/api/skus/{sku.public_id}"))["attributes"]["inventory"]
    return inventory["available"], inventory["quantity"]


def _set_quantity(api, item, quantity):
    return api.update("stock_items", item.public_id, {"quantity": quantity})


def _reserved() -> list[int]:
    return sorted(StockReservation.objects.values_list("quantity", flat=True))


def _place(api, order):
    return api.update("orders", order.public_id, {"_place": True})


def test_raising_quantity_makes_room_for_an_order_that_was_short(integration, sales_channel, shop):
    sku, item = shop["sku"], shop["stock_item"]
    ok(_place(sales_channel, make_cart(shop, [(sku, 40)])))
    assert _salable(sales_channel, sku) == (True, 10)
    late = make_cart(shop, [(sku, 15)])
    refused = _place(sales_channel, late)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["detail"] == "line_items - INV-1: 15 requested, 10 available"

    updated = ok(_set_quantity(integration, item, 65))
    assert updated["attributes"]["quantity"] == 65
    assert _salable(sales_channel, sku) == (True, 25)
    ok(_place(sales_channel, late))
    assert _salable(sales_channel, sku) == (True, 10)
    assert _reserved() == [15, 40]
    assert StockItem.objects.get(pk=item.pk).quantity == 65  # placing never touches on hand


def test_lowering_quantity_below_what_is_reserved_keeps_the_reservations(
    integration, sales_channel, shop
):
    sku, item = shop["sku"], shop["stock_item"]
    first = make_cart(shop, [(sku, 20)])
    ok(_place(sales_channel, first))
    assert _salable(sales_channel, sku) == (True, 30)

    ok(_set_quantity(integration, item, 10))
    assert _reserved() == [20]  # the placed order keeps its units
    reservation = ok(integration.get("/api/stock_reservations"))[0]
    assert reservation["attributes"]["quantity"] == 20
    assert _salable(sales_channel, sku) == (False, 0)
    refused = _place(sales_channel, make_cart(shop, [(sku, 1)]))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["detail"] == "line_items - INV-1: 1 requested, 0 available"
    assert _reserved() == [20]

    # Approving takes what is there, never below 0; the shelf is then restocked.
    ok(integration.update("orders", first.public_id, {"_approve": True}))
    assert StockItem.objects.get(pk=item.pk).quantity == 0
    assert _reserved() == []
    ok(_set_quantity(integration, item, 100))
    assert _salable(sales_channel, sku) == (True, 100)


@pytest.mark.parametrize("bad", [-1, "12", 1.5, None])
def test_a_bad_quantity_is_a_422_and_changes_nothing(integration, shop, bad):
    response = _set_quantity(integration, shop["stock_item"], bad)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/quantity"
    assert StockItem.objects.get(pk=shop["stock_item"].pk).quantity == 50


def test_storefronts_may_not_edit_quantities(sales_channel, customer_token, shop):
    customer = customer_token(shop["market"], "ada@example.com")
    for api in (sales_channel, customer):
        response = _set_quantity(api, shop["stock_item"], 1000)
        assert response.status_code == 401, response.json()
        assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert StockItem.objects.get(pk=shop["stock_item"].pk).quantity == 50


@pytest.mark.parametrize("moved", ["sku", "stock_location"])
def test_a_stock_item_holding_reservations_keeps_its_sku_and_location(
    integration, sales_channel, shop, moved
):
    item = shop["stock_item"]
    target = {
        "sku": ("skus", f.SkuFactory(code="OTHER")),
        "stock_location": ("stock_locations", f.StockLocationFactory(code="elsewhere")),
    }[moved]
    order = make_cart(shop, [(shop["sku"], 5)])
    ok(_place(sales_channel, order))
    relationships = {moved: rel(target[0], target[1].public_id)}
    refused = integration.update("stock_items", item.public_id, relationships=relationships)
    assert refused.status_code == 422, refused.json()
    assert refused.json()["errors"][0]["source"]["pointer"] == f"/data/relationships/{moved}"
    unchanged = StockItem.objects.get(pk=item.pk)
    assert (unchanged.sku_id, unchanged.stock_location_id) == (item.sku_id, item.stock_location_id)
    # Once the order is cancelled nothing is held there: the operator may move the row.
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    ok(integration.update("stock_items", item.public_id, relationships=relationships))
    assert getattr(StockItem.objects.get(pk=item.pk), f"{moved}_id") == target[1].pk
