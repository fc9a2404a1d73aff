"""A cart's shipments and stock line items follow its line items over HTTP (build_shipments):
adding, resizing and removing line items re-plans them by the market's strategy, one shipment
per (stock location, shipping category); a shipment still needed keeps its id and the shipping
method the shopper chose; shipment numbers stay `<order>/S/001...` in location order."""

import pytest

from tests import factories as f
from tests.conftest import rel
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def split(shop, market):
    """split_shipments over `first` (INV-1: 35, INV-2: 10) and `second` (INV-1: 100); INV-3 is
    in another shipping category (cold), at `first` only."""
    model = market.inventory_model
    model.strategy = "split_shipments"
    model.save()
    shop["location"].code = "first"
    shop["location"].save()
    shop["stock_item"].quantity = 35
    shop["stock_item"].save()
    second = f.StockLocationFactory(code="second")
    f.InventoryStockLocationFactory(inventory_model=model, stock_location=second, priority=2)
    f.StockItemFactory(stock_location=second, sku=shop["sku"], quantity=100)
    same_category = f.SkuFactory(code="INV-2", shipping_category=shop["sku"].shipping_category)
    cold = f.SkuFactory(code="INV-3", shipping_category=f.ShippingCategoryFactory(name="Cold"))
    for sku in (same_category, cold):
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=500)
        f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=10)
    return shop


def _order(api) -> str:
    return ok(api.create("orders", {}), 201)["id"]


def _add(api, order_id, code, quantity) -> str:
    created = api.create(
        "line_items", {"sku_code": code, "quantity": quantity}, {"order": rel("orders", order_id)}
    )
    return ok(created, 201)["id"]


def _shipments(api, order_id) -> list[tuple]:
    """[(number, location code, shipping method name, [(sku code, quantity)])], by number."""
    url = (
        f"/api/orders/{order_id}/shipments"
        "?include=stock_line_items,stock_location,shipping_method&sort=number"
    )
    body = api.get(url).json()
    included = {(i["type"], i["id"]): i["attributes"] for i in body.get("included", [])}
    result = []
    for shipment in body["data"]:
        rels = shipment["relationships"]
        method = rels["shipping_method"]["data"]
        result.append(
            (
                shipment["attributes"]["number"],
                shipment["id"],
                included[("stock_locations", rels["stock_location"]["data"]["id"])]["code"],
                included[("shipping_methods", method["id"])]["name"] if method else None,
                [
                    (
                        included[("stock_line_items", x["id"])]["sku_code"],
                        included[("stock_line_items", x["id"])]["quantity"],
                    )
                    for x in rels["stock_line_items"]["data"]
                ],
            )
        )
    return result


def _plan(api, order_id):
    """The shipments without their ids: (number suffix, location, method, stock line items)."""
    return [
        (n.split("/", 1)[1], loc, m, lines) for n, _, loc, m, lines in _shipments(api, order_id)
    ]


def _ids(api, order_id) -> dict:
    return {loc: sid for _, sid, loc, _, _ in _shipments(api, order_id)}


def test_shipments_follow_the_line_items(sales_channel, integration, split):
    api = sales_channel
    order_id = _order(api)
    assert _plan(api, order_id) == []

    line = _add(api, order_id, "INV-1", 20)
    assert _plan(api, order_id) == [("S/001", "first", "Standard", [("INV-1", 20)])]
    first_id = _ids(api, order_id)["first"]

    # More than the first location has: the rest comes from the second.
    ok(api.update("line_items", line, {"quantity": 40}))
    assert _plan(api, order_id) == [
        ("S/001", "first", "Standard", [("INV-1", 35)]),
        ("S/002", "second", "Standard", [("INV-1", 5)]),
    ]
    assert _ids(api, order_id)["first"] == first_id

    # The shopper picks Express for the first shipment; it survives the changes that keep it.
    ok(
        api.update(
            "shipments",
            first_id,
            relationships={"shipping_method": rel("shipping_methods", split["express"].public_id)},
        )
    )
    other = _add(api, order_id, "INV-2", 3)
    assert _plan(api, order_id) == [
        ("S/001", "first", "Express", [("INV-1", 35), ("INV-2", 3)]),
        ("S/002", "second", "Standard", [("INV-1", 5)]),
    ]

    # Another shipping category ships apart, from the same location.
    cold = _add(api, order_id, "INV-3", 2)
    plan = _plan(api, order_id)
    assert sorted(plan) == sorted(
        [
            ("S/001", "first", "Express", [("INV-1", 35), ("INV-2", 3)]),
            ("S/002", "first", "Standard", [("INV-3", 2)]),
            ("S/003", "second", "Standard", [("INV-1", 5)]),
        ]
    )

    # Smaller again: the second location's shipment goes, the first keeps its id and method.
    ok(api.update("line_items", line, {"quantity": 10}))
    assert sorted(_plan(api, order_id)) == [
        ("S/001", "first", "Express", [("INV-1", 10), ("INV-2", 3)]),
        ("S/002", "first", "Standard", [("INV-3", 2)]),
    ]
    assert first_id in {sid for _, sid, *_ in _shipments(api, order_id)}

    # (Removing line items is the integration's here: NO_LIST keeps delete to it.)
    for removed in (line, cold):
        assert integration.delete(f"/api/line_items/{removed}").status_code == 204
    assert _plan(api, order_id) == [("S/001", "first", "Express", [("INV-2", 3)])]
    assert integration.delete(f"/api/line_items/{other}").status_code == 204
    assert _plan(api, order_id) == []
