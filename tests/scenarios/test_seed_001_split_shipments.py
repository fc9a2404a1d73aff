"""Seed 001 (Magento MSI) end to end over HTTP, on the demo data itself (demo.md, built by the
same code as `manage.py seed_demo`, used with its printed API clients): in `usa`
(`split_shipments` over ne_wh then brooklyn) an order of 20 x 24-WB03 + 40 x 24-WB01 ships in
two partial shipments, ne_wh 20 x 24-WB03 + 35 x 24-WB01 and brooklyn 5 x 24-WB01. Placing it
drops salable by the 60 units without touching what is on hand; cancelling another placed order
gives its units back to salable; approving takes the units off ne_wh and brooklyn."""

import pytest

from demo.data import seed_demo
from tests.conftest import JsonApiClient, obtain_token, rel
from tests.shop import ok

pytestmark = pytest.mark.django_db

SKUS = ("24-WB01", "24-WB03", "240-LV06")
# demo.md's stock on hand in usa's locations.
DEMO_ON_HAND = {
    ("ne_wh", "24-WB01"): 35,
    ("ne_wh", "24-WB03"): 100,
    ("ne_wh", "240-LV06"): 0,
    ("brooklyn", "24-WB01"): 100,
    ("brooklyn", "24-WB03"): 0,
    ("brooklyn", "240-LV06"): 100,
}


@pytest.fixture
def demo(client):
    """The demo data, a token for each printed demo client, and the SKUs' ids by code."""
    summary = seed_demo()
    apis = {}
    for printed in summary["clients"]:
        body = {"grant_type": "client_credentials", "client_id": printed["client_id"]}
        if printed.get("client_secret"):
            body["client_secret"] = printed["client_secret"]
        if printed.get("scope"):
            body["scope"] = printed["scope"]
        apis[printed["client_id"]] = JsonApiClient(client, obtain_token(client, **body))
    skus = apis["demo-integration"].get("/api/skus?page[size]=25").json()["data"]
    return {
        "storefront": apis["demo-sc-usa"],
        "back_office": apis["demo-integration"],
        "sku_ids": {s["attributes"]["code"]: s["id"] for s in skus},
    }


def _cart(demo, lines) -> str:
    """A storefront checkout up to placing: order, line items by SKU code, address, the usa
    wire-transfer payment method and its payment source."""
    api = demo["storefront"]
    order_id = ok(api.create("orders", {"customer_email": "msi@example.com"}), 201)["id"]
    for code, quantity in lines:
        ok(
            api.create(
                "line_items",
                {"sku_code": code, "quantity": quantity},
                {"order": rel("orders", order_id)},
            ),
            201,
        )
    address = ok(
        api.create(
            "addresses",
            {
                "first_name": "Veronica",
                "last_name": "Costello",
                "line_1": "6146 Honey Bluff Parkway",
                "city": "Calder",
                "zip_code": "49628",
                "state_code": "MI",
                "country_code": "US",
                "phone": "(555) 229-3326",
            },
        ),
        201,
    )
    order = ok(api.get(f"/api/orders/{order_id}?include=available_payment_methods"))
    (method,) = order["relationships"]["available_payment_methods"]["data"]
    ok(
        api.update(
            "orders",
            order_id,
            relationships={
                "billing_address": rel("addresses", address["id"]),
                "shipping_address": rel("addresses", address["id"]),
                "payment_method": rel("payment_methods", method["id"]),
            },
        )
    )
    ok(api.create("wire_transfers", relationships={"order": rel("orders", order_id)}), 201)
    return order_id


def _shipments(api, order_id) -> dict:
    """{stock location code: [(sku code, quantity), ...]} from the order's shipments with
    their stock line items and stock locations, as the storefront reads them."""
    url = f"/api/orders/{order_id}/shipments?include=stock_line_items,stock_location"
    response = api.get(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    included = {(i["type"], i["id"]): i["attributes"] for i in body["included"]}
    result = {}
    for shipment in body["data"]:
        location = shipment["relationships"]["stock_location"]["data"]["id"]
        code = included[("stock_locations", location)]["code"]
        assert code not in result, "one shipment per location (one shipping category)"
        result[code] = [
            (
                included[("stock_line_items", sli["id"])]["sku_code"],
                included[("stock_line_items", sli["id"])]["quantity"],
            )
            for sli in shipment["relationships"]["stock_line_items"]["data"]
        ]
    return result


def _salable(demo) -> dict:
    """Each SKU's `inventory.quantity` in usa, as the storefront sees it."""
    return {
        code: ok(demo["storefront"].get(f"/api/skus/{demo['sku_ids'][code]}"))["attributes"][
            "inventory"
        ]["quantity"]
        for code in SKUS
    }


def _on_hand(demo) -> dict:
    url = "/api/stock_items?include=sku,stock_location&page[size]=25"
    body = demo["back_office"].get(url).json()
    included = {(i["type"], i["id"]): i["attributes"] for i in body["included"]}
    result = {}
    for item in body["data"]:
        rels = item["relationships"]
        location = included[("stock_locations", rels["stock_location"]["data"]["id"])]["code"]
        if location != "milan":
            sku = included[("skus", rels["sku"]["data"]["id"])]["code"]
            result[(location, sku)] = item["attributes"]["quantity"]
    return result


def _reservations(demo) -> dict:
    url = "/api/stock_reservations?include=stock_item.stock_location,stock_item.sku&page[size]=25"
    body = demo["back_office"].get(url).json()
    included = {(i["type"], i["id"]): i for i in body.get("included", [])}
    result = {}
    for reservation in body["data"]:
        item = included[("stock_items", reservation["relationships"]["stock_item"]["data"]["id"])]
        rels = item["relationships"]
        location = included[("stock_locations", rels["stock_location"]["data"]["id"])]
        sku = included[("skus", rels["sku"]["data"]["id"])]
        key = (location["attributes"]["code"], sku["attributes"]["code"])
        result[key] = result.get(key, 0) + reservation["attributes"]["quantity"]
    return result


def test_seed_001_two_partial_shipments_reserve_then_decrement(demo):
    storefront, back_office = demo["storefront"], demo["back_office"]
    assert _on_hand(demo) == DEMO_ON_HAND
    assert _salable(demo) == {"24-WB01": 135, "24-WB03": 100, "240-LV06": 100}

    order_id = _cart(demo, [("24-WB03", 20), ("24-WB01", 40)])
    expected_split = {
        "ne_wh": [("24-WB03", 20), ("24-WB01", 35)],
        "brooklyn": [("24-WB01", 5)],
    }
    assert _shipments(storefront, order_id) == expected_split

    placed = ok(storefront.update("orders", order_id, {"_place": True}))
    assert placed["attributes"]["status"] == "placed"
    assert placed["attributes"]["skus_count"] == 60
    assert _shipments(storefront, order_id) == expected_split  # placing keeps the split
    # Salable drops by the 60 units at once; nothing left the shelves.
    assert _salable(demo) == {"24-WB01": 95, "24-WB03": 80, "240-LV06": 100}
    assert _on_hand(demo) == DEMO_ON_HAND
    assert _reservations(demo) == {
        ("ne_wh", "24-WB03"): 20,
        ("ne_wh", "24-WB01"): 35,
        ("brooklyn", "24-WB01"): 5,
    }

    # Another shopper places 3 x 24-WB01 (ne_wh has none left to sell: brooklyn holds them),
    # then the order is cancelled: salable comes back, on hand never moved.
    other_id = _cart(demo, [("24-WB01", 3)])
    assert _shipments(storefront, other_id) == {"brooklyn": [("24-WB01", 3)]}
    ok(storefront.update("orders", other_id, {"_place": True}))
    assert _salable(demo)["24-WB01"] == 92
    cancelled = ok(back_office.update("orders", other_id, {"_cancel": True}))
    assert cancelled["attributes"]["status"] == "cancelled"
    assert _salable(demo) == {"24-WB01": 95, "24-WB03": 80, "240-LV06": 100}
    assert _on_hand(demo) == DEMO_ON_HAND

    # Approving the seed order takes its units off ne_wh and brooklyn, and only those.
    ok(back_office.update("orders", order_id, {"_approve": True}))
    assert _on_hand(demo) == {
        **DEMO_ON_HAND,
        ("ne_wh", "24-WB01"): 0,
        ("ne_wh", "24-WB03"): 80,
        ("brooklyn", "24-WB01"): 95,
    }
    assert _reservations(demo) == {}
    assert _salable(demo) == {"24-WB01": 95, "24-WB03": 80, "240-LV06": 100}


def test_cancelling_after_approval_puts_the_units_back_where_they_left(demo):
    order_id = _cart(demo, [("24-WB03", 20), ("24-WB01", 40)])
    ok(demo["storefront"].update("orders", order_id, {"_place": True}))
    ok(demo["back_office"].update("orders", order_id, {"_approve": True}))
    assert _on_hand(demo)[("ne_wh", "24-WB01")] == 0
    cancelled = ok(demo["back_office"].update("orders", order_id, {"_cancel": True}))
    assert cancelled["attributes"]["status"] == "cancelled"
    assert _on_hand(demo) == DEMO_ON_HAND
    assert _salable(demo) == {"24-WB01": 135, "24-WB03": 100, "240-LV06": 100}


@pytest.mark.parametrize(
    ("lines", "details"),
    [
        ([("24-WB01", 136), ("24-WB03", 2)], ["24-WB01: 136 requested, 135 available"]),
        (
            [("240-LV06", 1), ("24-WB03", 101), ("24-WB01", 140)],
            ["24-WB03: 101 requested, 100 available", "24-WB01: 140 requested, 135 available"],
        ),
    ],
    ids=["one_short_line", "every_short_line_at_once"],
)
def test_short_stock_is_a_422_naming_each_short_line_and_reserves_nothing(demo, lines, details):
    order_id = _cart(demo, lines)
    response = demo["storefront"].update("orders", order_id, {"_place": True})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["detail"] for e in errors] == [f"line_items - {d}" for d in details]
    assert {e["source"]["pointer"] for e in errors} == {"/data/relationships/line_items"}
    assert _reservations(demo) == {}
    order = ok(demo["back_office"].get(f"/api/orders/{order_id}"))
    assert order["attributes"]["status"] == "pending"


def _figures(api, order_id) -> dict:
    attributes = ok(api.get(f"/api/orders/{order_id}"))["attributes"]
    names = ("subtotal", "shipping", "total_tax", "total")
    figures = {n: attributes[f"{n}_amount_cents"] for n in names}
    figures["total_amount_with_taxes"] = attributes["total_amount_with_taxes_cents"]
    return figures


def test_choosing_a_shipping_method_for_one_shipment_recomputes_the_order(demo):
    """usa: Standard $7.00 is free over $100.00, Express $20.00 never is; 8.25 % tax, freight
    taxable. $2,000.00 of bags ship free in two Standard shipments; Express for brooklyn's
    adds $20.00 and its $1.65 of tax (2000 x 0.0825 = 165)."""
    api = demo["storefront"]
    order_id = _cart(demo, [("24-WB03", 20), ("24-WB01", 40)])
    free = {
        "subtotal": 200000,
        "shipping": 0,
        "total_tax": 16500,  # 72000 x 0.0825 = 5940, 128000 x 0.0825 = 10560
        "total": 200000,
        "total_amount_with_taxes": 216500,
    }
    assert _figures(api, order_id) == free
    shipments = api.get(
        f"/api/orders/{order_id}/shipments?include=stock_location,available_shipping_methods"
    ).json()
    included = {(i["type"], i["id"]): i["attributes"] for i in shipments["included"]}
    brooklyn = next(
        s
        for s in shipments["data"]
        if included[("stock_locations", s["relationships"]["stock_location"]["data"]["id"])]["code"]
        == "brooklyn"
    )
    methods = {
        included[("shipping_methods", m["id"])]["name"]: m["id"]
        for m in brooklyn["relationships"]["available_shipping_methods"]["data"]
    }
    assert sorted(methods) == ["Express", "Standard"]

    def choose(name):
        relationships = {"shipping_method": rel("shipping_methods", methods[name])}
        ok(api.update("shipments", brooklyn["id"], relationships=relationships))

    choose("Express")
    assert _figures(api, order_id) == {
        "subtotal": 200000,
        "shipping": 2000,
        "total_tax": 16665,
        "total": 202000,
        "total_amount_with_taxes": 218665,
    }
    choose("Standard")
    assert _figures(api, order_id) == free
