"""Seed 001 (Magento MSI): one order shipped in two partial shipments from two sources, with
the demo's stock figures. Placing reserves (salable drops, on hand stays), approving takes the
units off each source, cancelling another placed order gives its reservations back."""

import pytest

from inventory.models import StockItem
from tests import factories as f
from tests.conftest import rel

pytestmark = pytest.mark.django_db


@pytest.fixture
def usa(market):
    """demo.md's `usa`: split_shipments over ne_wh (1) and brooklyn (2), cutoff 2."""
    model = market.inventory_model
    model.strategy = "split_shipments"
    model.stock_locations_cutoff = 2
    model.save()
    model.inventory_stock_locations.all().delete()
    ne_wh = f.StockLocationFactory(code="ne_wh", name="New England warehouse")
    brooklyn = f.StockLocationFactory(code="brooklyn", name="Brooklyn store")
    f.InventoryStockLocationFactory(inventory_model=model, stock_location=ne_wh, priority=1)
    f.InventoryStockLocationFactory(inventory_model=model, stock_location=brooklyn, priority=2)
    merch = f.ShippingCategoryFactory(name="Merchandise")
    skus = {}
    for code, cents, stock in (("24-WB01", 3200, (35, 100)), ("24-WB03", 3600, (100, 0))):
        sku = f.SkuFactory(code=code, shipping_category=merch)
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=cents)
        f.StockItemFactory(stock_location=ne_wh, sku=sku, quantity=stock[0])
        f.StockItemFactory(stock_location=brooklyn, sku=sku, quantity=stock[1])
        skus[code] = sku
    f.ShippingMethodFactory(
        market=market, name="Standard", price_amount_cents=700, free_over_amount_cents=10000
    )
    f.PaymentMethodFactory(market=market)
    return {"market": market, "skus": skus, "ne_wh": ne_wh, "brooklyn": brooklyn}


def _cart(api, usa, lines):
    order_id = api.create("orders", {"customer_email": "msi@example.com"}).json()["data"]["id"]
    for code, quantity in lines:
        response = api.create(
            "line_items",
            {"sku_code": code, "quantity": quantity},
            {"order": rel("orders", order_id)},
        )
        assert response.status_code == 201, response.json()
    address = api.create(
        "addresses", {"line_1": "1 Main St", "city": "Boston", "country_code": "US", "phone": "555"}
    )
    address_id = address.json()["data"]["id"]
    method = usa["market"].payment_methods.get()
    api.update(
        "orders",
        order_id,
        relationships={
            "billing_address": rel("addresses", address_id),
            "shipping_address": rel("addresses", address_id),
            "payment_method": rel("payment_methods", method.public_id),
        },
    )
    api.create("wire_transfers", relationships={"order": rel("orders", order_id)})
    return order_id


def _shipments(api, order_id):
    response = api.get(f"/api/orders/{order_id}/shipments?include=stock_line_items,stock_location")
    assert response.status_code == 200, response.json()
    body = response.json()
    included = {(i["type"], i["id"]): i for i in body["included"]}
    result = {}
    for shipment in body["data"]:
        location = shipment["relationships"]["stock_location"]["data"]["id"]
        code = included[("stock_locations", location)]["attributes"]["code"]
        result[code] = sorted(
            (
                included[("stock_line_items", sli["id"])]["attributes"]["sku_code"],
                included[("stock_line_items", sli["id"])]["attributes"]["quantity"],
            )
            for sli in shipment["relationships"]["stock_line_items"]["data"]
        )
    return result


def _inventory(api, sku):
    response = api.get(f"/api/skus/{sku.public_id}?fields[skus]=code,inventory")
    return response.json()["data"]["attributes"]["inventory"]


def _on_hand(location, sku):
    return StockItem.objects.get(stock_location=location, sku=sku).quantity


def test_seed_001_two_partial_shipments_reserve_then_decrement(usa, sales_channel, integration):
    wb01, wb03 = usa["skus"]["24-WB01"], usa["skus"]["24-WB03"]
    order_id = _cart(sales_channel, usa, [("24-WB03", 20), ("24-WB01", 40)])

    assert _shipments(sales_channel, order_id) == {
        "ne_wh": [("24-WB01", 35), ("24-WB03", 20)],
        "brooklyn": [("24-WB01", 5)],
    }
    assert _inventory(sales_channel, wb01)["quantity"] == 135
    assert _inventory(sales_channel, wb03)["quantity"] == 100

    placed = sales_channel.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    assert placed.json()["data"]["attributes"]["total_amount_with_taxes_cents"] == 200000

    # Salable drops by the 60 units ordered; nothing left the shelves yet.
    assert _inventory(sales_channel, wb01)["quantity"] == 95
    assert _inventory(sales_channel, wb03)["quantity"] == 80
    assert _on_hand(usa["ne_wh"], wb01) == 35
    assert _on_hand(usa["brooklyn"], wb01) == 100
    reservations = integration.get("/api/stock_reservations?page[size]=25").json()
    assert sorted(r["attributes"]["quantity"] for r in reservations["data"]) == [5, 20, 35]

    approved = integration.update("orders", order_id, {"_approve": True})
    assert approved.status_code == 200, approved.json()
    assert _on_hand(usa["ne_wh"], wb01) == 0
    assert _on_hand(usa["ne_wh"], wb03) == 80
    assert _on_hand(usa["brooklyn"], wb01) == 95
    assert integration.get("/api/stock_reservations").json()["meta"]["record_count"] == 0
    assert _inventory(sales_channel, wb01)["quantity"] == 95


def test_cancelling_a_placed_order_restores_salable(usa, sales_channel, integration):
    wb01 = usa["skus"]["24-WB01"]
    order_id = _cart(sales_channel, usa, [("24-WB01", 40)])
    assert sales_channel.update("orders", order_id, {"_place": True}).status_code == 200
    assert _inventory(sales_channel, wb01)["quantity"] == 95

    cancelled = integration.update("orders", order_id, {"_cancel": True})
    assert cancelled.status_code == 200, cancelled.json()
    attributes = cancelled.json()["data"]["attributes"]
    assert (attributes["status"], attributes["payment_status"]) == ("cancelled", "voided")
    assert _inventory(sales_channel, wb01)["quantity"] == 135
    assert _on_hand(usa["ne_wh"], wb01) == 35


def test_cancelling_after_approval_puts_units_back(usa, sales_channel, integration):
    wb01 = usa["skus"]["24-WB01"]
    order_id = _cart(sales_channel, usa, [("24-WB01", 40)])
    sales_channel.update("orders", order_id, {"_place": True})
    integration.update("orders", order_id, {"_approve": True})
    assert _on_hand(usa["ne_wh"], wb01) == 0
    cancelled = integration.update("orders", order_id, {"_cancel": True})
    assert cancelled.json()["data"]["attributes"]["status"] == "cancelled"
    assert _on_hand(usa["ne_wh"], wb01) == 35
    assert _on_hand(usa["brooklyn"], wb01) == 100


def test_short_stock_is_a_422_naming_the_line_and_reserves_nothing(usa, sales_channel, integration):
    order_id = _cart(sales_channel, usa, [("24-WB01", 136), ("24-WB03", 2)])
    response = sales_channel.update("orders", order_id, {"_place": True})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["detail"] for e in errors] == ["line_items - 24-WB01: 136 requested, 135 available"]
    assert errors[0]["source"]["pointer"] == "/data/relationships/line_items"
    assert integration.get("/api/stock_reservations").json()["meta"]["record_count"] == 0
    order = integration.get(f"/api/orders/{order_id}").json()["data"]["attributes"]
    assert order["status"] == "pending"
