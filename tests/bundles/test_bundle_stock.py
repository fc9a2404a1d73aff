"""A bundle line's stock is its components' (inventory.md, catalog.md "Bundles"): one stock line
item per component (bundles x item quantity), planned with the other lines, reserved at
`_place`, taken at `_approve`, given back on a cancel, re-planned when an edit closes, put back
by a return; a shortage names the bundle and how many bundles fit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import ShippingCategory, StockReservation
from orders.models import LineItem, StockLineItem
from orders.services.totals import refresh_order
from returns.models import InventoryReturnLocation
from tests import factories as f
from tests.bundles.conftest import (
    bundle_cart,
    bundle_line,
    make_bundle,
    set_stock,
    stock,
    units_by_sku,
)
from tests.returns.conftest import add_line, new_return
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _stock_lines(order) -> dict:
    rows = StockLineItem.objects.filter(shipment__order=order)
    return units_by_sku(rows.values_list("sku__code", "quantity"))


def _reserved(order) -> dict:
    rows = StockReservation.objects.filter(stock_line_item__shipment__order=order)
    return units_by_sku(rows.values_list("stock_item__sku__code", "quantity"))


def _place(api, order):
    return api.update("orders", order.public_id, {"_place": True})


def _shortage(response):
    assert response.status_code == 422, response.json()
    errors = [e for e in response.json()["errors"] if e["code"] != "INVALID_TRANSITION"]
    return [(e["source"]["pointer"], e["detail"]) for e in errors]


def test_one_stock_line_item_per_component(integration, shop):
    order = bundle_cart(shop, 3, lines=[(shop["b"], 1)])
    line = bundle_line(order)
    a, b = shop["a"].code, shop["b"].code
    components = StockLineItem.objects.filter(line_item=line)
    assert sorted(components.values_list("sku__code", "sku_code", "quantity")) == [
        (a, a, 3),
        (b, b, 6),
    ]
    assert _stock_lines(order) == {a: 3, b: 7}  # B: 1 on the sku line, 6 in the bundles
    # the line's quantity moves its components
    ok(integration.update("line_items", line.public_id, {"quantity": 2}))
    assert sorted(
        StockLineItem.objects.filter(line_item=line).values_list("sku__code", "quantity")
    ) == [(a, 2), (b, 4)]


def test_place_reserves_approve_takes_cancel_gives_back(integration, shop):
    a, b = shop["a"], shop["b"]
    order = bundle_cart(shop, 2)
    ok(_place(integration, order))
    assert _reserved(order) == {a.code: 2, b.code: 4}
    assert (stock(a), stock(b)) == (10, 10)
    ok(integration.update("orders", order.public_id, {"_approve": True}))
    assert (stock(a), stock(b)) == (8, 6)
    assert _reserved(order) == {}
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert (stock(a), stock(b)) == (10, 10)  # nothing shipped: put back

    before_approval = bundle_cart(shop, 1)
    ok(_place(integration, before_approval))
    assert _reserved(before_approval) == {a.code: 1, b.code: 2}
    ok(integration.update("orders", before_approval.public_id, {"_cancel": True}))
    assert _reserved(before_approval) == {}
    assert (stock(a), stock(b)) == (10, 10)


def test_a_short_bundle_names_itself_and_how_many_fit(integration, shop):
    set_stock(shop["b"], 7)
    order = bundle_cart(shop, 4)
    assert _shortage(_place(integration, order)) == [
        ("/data/relationships/line_items", "line_items - KIT: 4 requested, 3 available")
    ]
    assert StockReservation.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "pending"


def test_lines_needing_the_same_skus_compete(integration, shop):
    """B: 7 on hand, 3 on a sku line before the bundles: 4 left, 2 bundles' worth."""
    set_stock(shop["b"], 7)
    order = bundle_cart(shop, 3, lines=[(shop["b"], 3)])
    assert _shortage(_place(integration, order)) == [
        ("/data/relationships/line_items", "line_items - KIT: 3 requested, 2 available")
    ]
    # several short components: the least of what each allows
    set_stock(shop["a"], 1)
    set_stock(shop["b"], 5)
    assert _shortage(_place(integration, bundle_cart(shop, 3))) == [
        ("/data/relationships/line_items", "line_items - KIT: 3 requested, 1 available")
    ]
    set_stock(shop["a"], 0)
    assert _shortage(_place(integration, bundle_cart(shop, 1))) == [
        ("/data/relationships/line_items", "line_items - KIT: 1 requested, 0 available")
    ]


def test_do_not_track_and_do_not_ship_components(integration, shop):
    card = f.SkuFactory(code="CARD", do_not_track=True)  # ships, never counted
    download = f.SkuFactory(code="DOWNLOAD", do_not_ship=True)  # nothing to ship
    bundle = make_bundle(
        [(shop["a"], 1), (card, 1), (download, 1)], market=shop["market"], code="MIX"
    )
    set_stock(shop["a"], 2)
    order = bundle_cart(shop, 2, bundle=bundle)
    assert _stock_lines(order) == {"KIT-1": 2, "CARD": 2}
    ok(_place(integration, order))
    assert _reserved(order) == {"KIT-1": 2}
    short = bundle_cart(shop, 1, bundle=bundle)
    assert _shortage(_place(integration, short)) == [
        ("/data/relationships/line_items", "line_items - MIX: 1 requested, 0 available")
    ]


def test_split_by_line_items_ships_a_bundle_together(shop):
    model = shop["market"].inventory_model
    model.strategy = "split_by_line_items"
    model.save()
    category = ShippingCategory.objects.create(name="Boxes", code="boxes")
    for sku in (shop["a"], shop["b"]):
        sku.shipping_category = category
        sku.save()
    order = bundle_cart(shop, 1, lines=[(shop["a"], 1)])
    shipments = [
        sorted(s.stock_line_items.values_list("sku__code", "line_item__item_type", "quantity"))
        for s in order.shipments.order_by("pk")
    ]
    assert shipments == [
        [("KIT-1", "skus", 1)],
        [("KIT-1", "bundles", 1), ("KIT-2", "bundles", 2)],
    ]


def test_editing_a_bundle_line_re_plans_its_components(integration, shop):
    a, b = shop["a"].code, shop["b"].code
    order = bundle_cart(shop, 3)
    ok(_place(integration, order))
    ok(integration.update("orders", order.public_id, {"_start_editing": True}))
    line = bundle_line(order)
    ok(integration.update("line_items", line.public_id, {"quantity": 2}))
    ok(integration.update("orders", order.public_id, {"_stop_editing": True}))
    order.refresh_from_db()
    assert (order.status, order.subtotal_amount_cents) == ("placed", 5000)
    assert _reserved(order) == {a: 2, b: 4}
    assert StockReservation.objects.count() == 2  # the old ones went


def test_a_returned_bundle_restocks_its_components(integration, shop):
    desk = f.StockLocationFactory(name="Returns desk")
    InventoryReturnLocation.objects.create(
        inventory_model=shop["market"].inventory_model, stock_location=desk, priority=1
    )
    order = bundle_cart(shop, 2)
    ok(_place(integration, order))
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    ret = new_return(integration, order)
    refused = add_line(integration, ret["id"], bundle_line(order), 3)
    assert refused.status_code == 422  # 2 bundles were bought
    ok(add_line(integration, ret["id"], bundle_line(order), 1), 201)
    for trigger in ("_request", "_approve", "_receive", "_restock"):
        ok(integration.update("returns", ret["id"], {trigger: True}))
    at_desk = units_by_sku(desk.stock_items.values_list("sku__code", "quantity"))
    assert at_desk == {shop["a"].code: 1, shop["b"].code: 2}  # one bundle's worth


def _place_statements(integration, order) -> int:
    with CaptureQueriesContext(connection) as queries:
        ok(_place(integration, order))
    return len(queries)


def test_components_are_read_once_whatever_the_bundle_lines(integration, shop):
    """One read of the components for every bundle line of an order, not one per line."""
    other = make_bundle(shop["bundle"].sku_list, market=shop["market"], code="KIT-2X", price=4000)
    one = bundle_cart(shop, 1)
    two = bundle_cart(shop, 1)
    LineItem.objects.create(
        order=two,
        item_type="bundles",
        bundle=other,
        bundle_code=other.code,
        quantity=1,
        unit_amount_cents=4000,
    )
    refresh_order(two)
    assert _place_statements(integration, one) == _place_statements(integration, two)


def test_the_order_lists_a_bundle_s_stock_lines(sales_channel, shop):
    order = bundle_cart(shop, 1)
    listed = ok(sales_channel.get(f"/api/orders/{order.public_id}/stock_line_items"))
    rows = sorted(
        (s["attributes"]["sku_code"], s["attributes"]["bundle_code"], s["attributes"]["quantity"])
        for s in listed
    )
    assert rows == [(shop["a"].code, "KIT", 1), (shop["b"].code, "KIT", 2)]
    # Each row is named as the component it ships, not as the kit.
    names = sorted(s["attributes"]["name"] for s in listed)
    assert names == sorted([shop["a"].name, shop["b"].name])
    assert shop["a"].name != bundle_line(order).name
    line = bundle_line(order)
    via_line = ok(sales_channel.get(f"/api/line_items/{line.public_id}/stock_line_items"))
    assert len(via_line) == 2
