"""Bundle lines (catalog.md "Bundles"): made by `bundle_code` or `item`, priced at the bundle's
price, each 422's pointer; their quantity changes whole; they take no options; a cart moving
market takes the bundle of the same code there."""

import pytest

from markets.models import Bundle, SkuOption
from orders.models import LineItem
from tests import factories as f
from tests.bundles.conftest import bundle_cart, bundle_line, make_bundle
from tests.conftest import rel
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _cart(api, market=None):
    relationships = {"market": rel("markets", market.public_id)} if market else {}
    return ok(api.create("orders", {}, relationships), 201)["id"]


def _add(api, order_id, attributes, relationships=None):
    return api.create(
        "line_items",
        attributes,
        {"order": rel("orders", order_id), **(relationships or {})},
    )


def _error(response):
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    return error["source"]["pointer"], error["detail"]


def test_a_line_by_bundle_code(sales_channel, shop):
    order_id = _cart(sales_channel)
    line = ok(_add(sales_channel, order_id, {"bundle_code": "KIT", "quantity": 2}), 201)
    attributes = line["attributes"]
    assert attributes["item_type"] == "bundles"
    assert (attributes["bundle_code"], attributes["sku_code"]) == ("KIT", None)
    assert attributes["name"] == "Bundle KIT"  # the bundle's, by default
    assert (attributes["unit_amount_cents"], attributes["total_amount_cents"]) == (2500, 5000)
    assert attributes["formatted_total_amount"] == "$50.00"
    linked = sales_channel.get(f"/api/line_items/{line['id']}?include=bundle,item").json()
    bundle_id = shop["bundle"].public_id
    assert linked["data"]["relationships"]["bundle"]["data"] == {"type": "bundles", "id": bundle_id}
    assert linked["data"]["relationships"]["item"]["data"] == {"type": "bundles", "id": bundle_id}
    order = ok(sales_channel.get(f"/api/orders/{order_id}"))["attributes"]
    assert (order["subtotal_amount_cents"], order["skus_count"]) == (5000, 2)


def test_a_line_by_item(sales_channel, shop):
    order_id = _cart(sales_channel)
    item = {"item": rel("bundles", shop["bundle"].public_id)}
    line = ok(_add(sales_channel, order_id, {"quantity": 1, "name": "My kit"}, item), 201)
    assert line["attributes"]["item_type"] == "bundles"
    assert line["attributes"]["bundle_code"] == "KIT"
    assert line["attributes"]["name"] == "My kit"
    assert line["attributes"]["total_amount_cents"] == 2500


def test_what_a_bundle_code_finds(integration, shop, other_market):
    """The order market's bundle, else a market-less one in the order's currency."""
    kit = shop["bundle"].sku_list
    make_bundle(kit, market=None, code="KIT", currency_code="USD", price=9999)
    make_bundle(kit, market=None, code="LOOSE", currency_code="USD", price=1999)
    make_bundle(kit, market=None, code="EURO", currency_code="EUR", price=1000)
    make_bundle(kit, market=other_market, code="EU-KIT", price=1000)
    order_id = _cart(integration, shop["market"])
    line = ok(_add(integration, order_id, {"bundle_code": "KIT", "quantity": 1}), 201)
    assert line["attributes"]["unit_amount_cents"] == 2500  # the market's, not the loose one
    loose = ok(_add(integration, order_id, {"bundle_code": "LOOSE", "quantity": 1}), 201)
    assert loose["attributes"]["unit_amount_cents"] == 1999
    for code in ("EURO", "EU-KIT", "NOPE"):
        pointer, detail = _error(_add(integration, order_id, {"bundle_code": code, "quantity": 1}))
        assert (pointer, detail) == ("/data/attributes/bundle_code", "bundle_code - not found")


def test_refusals_and_their_pointers(integration, shop, other_market):
    order_id = _cart(integration, shop["market"])
    shop["bundle"].price_amount_cents = None
    shop["bundle"].save()
    pointer, detail = _error(_add(integration, order_id, {"bundle_code": "KIT", "quantity": 1}))
    assert (pointer, detail) == ("/data/attributes/bundle_code", "bundle_code - KIT has no price")
    unpriced = {"item": rel("bundles", shop["bundle"].public_id)}
    assert _error(_add(integration, order_id, {"quantity": 1}, unpriced))[0] == (
        "/data/attributes/bundle_code"
    )
    foreign = make_bundle(shop["bundle"].sku_list, market=other_market, code="EU")
    elsewhere = {"item": rel("bundles", foreign.public_id)}
    assert _error(_add(integration, order_id, {"quantity": 1}, elsewhere))[0] == (
        "/data/relationships/item"
    )
    both = _add(
        integration, order_id, {"bundle_code": "EU", "sku_code": shop["a"].code, "quantity": 1}
    )
    assert _error(both)[0] == "/data/attributes/sku_code"
    typed = _add(integration, order_id, {"item_type": "bundles", "quantity": 1})
    assert _error(typed)[0] == "/data/attributes/bundle_code"
    sku_typed = _add(
        integration,
        order_id,
        {"item_type": "skus", "sku_code": shop["a"].code, "bundle_code": "EU", "quantity": 1},
    )
    assert _error(sku_typed)[0] == "/data/attributes/bundle_code"
    assert not LineItem.objects.filter(order__public_id=order_id).exists()


def test_update_quantity_merges_lines_of_one_bundle(sales_channel, shop):
    order_id = _cart(sales_channel)
    first = ok(_add(sales_channel, order_id, {"bundle_code": "KIT", "quantity": 1}), 201)
    again = ok(
        _add(
            sales_channel, order_id, {"bundle_code": "KIT", "quantity": 2, "_update_quantity": True}
        ),
        201,
    )
    assert again["id"] == first["id"]
    assert (again["attributes"]["quantity"], again["attributes"]["total_amount_cents"]) == (3, 7500)
    apart = ok(_add(sales_channel, order_id, {"bundle_code": "KIT", "quantity": 1}), 201)
    assert apart["id"] != first["id"]


def test_a_bundle_line_changes_whole(sales_channel, shop):
    order_id = _cart(sales_channel)
    line = ok(_add(sales_channel, order_id, {"bundle_code": "KIT", "quantity": 1}), 201)
    more = ok(sales_channel.update("line_items", line["id"], {"quantity": 4}))
    assert (more["attributes"]["quantity"], more["attributes"]["total_amount_cents"]) == (4, 10000)
    refused = sales_channel.update("line_items", line["id"], {"sku_code": shop["a"].code})
    assert _error(refused)[0] == "/data/attributes/sku_code"
    other = sales_channel.update("line_items", line["id"], {"bundle_code": "OTHER"})
    assert other.status_code == 400  # chosen when the line is made
    # no options on a bundle line
    option = SkuOption.objects.create(name="Gift wrap", price_amount_cents=300)
    wrapped = sales_channel.create(
        "line_item_options",
        {"quantity": 1, "options": {"paper": "red"}},
        {
            "line_item": rel("line_items", line["id"]),
            "sku_option": rel("sku_options", option.public_id),
        },
    )
    assert _error(wrapped)[0] == "/data/relationships/line_item"
    assert sales_channel.delete(f"/api/line_items/{line['id']}").status_code == 204
    order = ok(sales_channel.get(f"/api/orders/{order_id}"))["attributes"]
    assert (order["subtotal_amount_cents"], order["status"]) == (0, "draft")


def test_a_cart_with_only_bundles_becomes_pending(sales_channel, shop):
    order_id = ok(sales_channel.create("orders", {"customer_email": "kit@example.com"}), 201)["id"]
    ok(_add(sales_channel, order_id, {"bundle_code": "KIT", "quantity": 1}), 201)
    assert ok(sales_channel.get(f"/api/orders/{order_id}"))["attributes"]["status"] == "pending"


def test_moving_market_takes_the_bundle_of_the_same_code_there(integration, shop, other_market):
    order = bundle_cart(shop)
    f.InventoryStockLocationFactory(inventory_model=other_market.inventory_model, priority=1)
    refused = integration.update(
        "orders", order.public_id, {}, {"market": rel("markets", other_market.public_id)}
    )
    pointer, detail = _error(refused)
    assert pointer == "/data/relationships/market"
    assert "KIT" in detail
    euro = make_bundle(shop["bundle"].sku_list, market=other_market, code="KIT", price=2200)
    moved = integration.update(
        "orders", order.public_id, {}, {"market": rel("markets", other_market.public_id)}
    )
    ok(moved)
    line = bundle_line(order)
    assert (line.bundle, line.unit_amount_cents, line.total_amount_cents) == (euro, 2200, 2200)
    assert Bundle.objects.count() == 2
