"""Related endpoints the official SDK calls (issue 7): an order's stock line items, stock
reservations and stock transfers, a shipment's line items, delivery lead time and stock
transfers, a stock transfer's shipment and line item. Each answers like the other relationships:
its records, scoped by the caller's reach (another market's storefront gets a 404, reservations
and transfers stay the integration's), includable, at a fixed number of queries.

Stock transfers are made by hand here (inventory.md), so no order, shipment or line item has any
and no transfer belongs to a shipment: those relationships are always empty, not a 404."""

import pytest

from inventory.models import StockReservation, StockTransfer
from orders.models import LineItem, Shipment, StockLineItem
from tests import factories as f
from tests.conftest import assert_not_found, assert_unauthorized
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def shop(market):
    """The shape tests/inventory's shops take, without their express method."""
    return build_shop(market, "INV")


def _sku(shop, code: str):
    sku = f.SkuFactory(code=code, shipping_category=shop["sku"].shipping_category)
    f.PriceFactory(price_list=shop["market"].price_list, sku=sku, amount_cents=700)
    f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=50)
    return sku


def _place(integration, shop, lines=None):
    order = make_cart(shop, lines)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = Shipment.objects.get(order=order)
    stock_lines = list(StockLineItem.objects.filter(shipment=shipment).order_by("created_at", "id"))
    return {
        "order": order,
        "shipment": shipment,
        "stock_line_items": [s.public_id for s in stock_lines],
        "reservations": [s.stock_reservation.public_id for s in stock_lines],
        "line_items": [s.line_item.public_id for s in stock_lines],
    }


@pytest.fixture
def placed(integration, shop, other_market):
    """Placed guest orders: one of two SKUs and one of one in usa, one in eu; lead times of the
    usa shipment's method from its location (the one that counts), of that method from another
    location, and of another method from that location."""
    usa = _place(integration, shop, [(shop["sku"], 2), (_sku(shop, "REL-2"), 1)])
    second = _place(integration, shop)
    method = usa["shipment"].shipping_method
    lead_time = f.DeliveryLeadTimeFactory(
        stock_location=shop["location"], shipping_method=method, min_hours=48, max_hours=96
    )
    f.DeliveryLeadTimeFactory(shipping_method=method, min_hours=1, max_hours=2)
    f.DeliveryLeadTimeFactory(
        stock_location=shop["location"],
        shipping_method=f.ShippingMethodFactory(market=shop["market"], name="Express"),
        min_hours=3,
        max_hours=4,
    )

    eu_location = f.StockLocationFactory(code="rel-milan")
    f.InventoryStockLocationFactory(
        inventory_model=other_market.inventory_model, stock_location=eu_location
    )
    f.PriceFactory(price_list=other_market.price_list, sku=shop["sku"], amount_cents=900)
    f.StockItemFactory(stock_location=eu_location, sku=shop["sku"], quantity=5)
    f.ShippingMethodFactory(market=other_market, name="Corriere")
    eu_shop = {
        **shop,
        "market": other_market,
        "location": eu_location,
        "payment_method": f.PaymentMethodFactory(market=other_market),
    }
    # A transfer made by hand, reserving stock at the usa location: no order's, no shipment's.
    transfer = StockTransfer.objects.create(
        sku=shop["sku"],
        origin_stock_location=shop["location"],
        destination_stock_location=eu_location,
        quantity=1,
    )
    ok(integration.update("stock_transfers", transfer.public_id, {"_upcoming": True}))
    return {
        "usa": usa,
        "second": second,
        "eu": _place(integration, eu_shop),
        "lead_time": lead_time,
        "transfer": transfer,
    }


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


# --- orders --------------------------------------------------------------------------------------


def test_an_orders_stock_line_items_and_reservations(integration, placed):
    usa = placed["usa"]
    order = usa["order"].public_id
    response = integration.get(f"/api/orders/{order}/stock_line_items")
    assert _ids(response) == usa["stock_line_items"]
    assert response.json()["meta"]["record_count"] == 2
    assert sorted(
        (x["attributes"]["sku_code"], x["attributes"]["quantity"]) for x in response.json()["data"]
    ) == [("INV-1", 2), ("REL-2", 1)]
    response = integration.get(f"/api/orders/{order}/stock_reservations")
    assert _ids(response) == usa["reservations"]
    assert [x["attributes"]["quantity"] for x in response.json()["data"]] == [2, 1]
    # The second order's rows are its own.
    second = placed["second"]
    stock_lines = f"/api/orders/{second['order'].public_id}/stock_line_items"
    assert _ids(integration.get(stock_lines)) == second["stock_line_items"]

    linkage = integration.get(f"/api/orders/{order}/relationships/stock_reservations").json()
    assert [x["id"] for x in linkage["data"]] == usa["reservations"]
    assert {x["type"] for x in linkage["data"]} == {"stock_reservations"}


def test_a_storefront_reaches_the_stock_line_items_of_the_orders_it_reaches(
    sales_channel, other_sales_channel, placed
):
    usa, eu = placed["usa"]["order"].public_id, placed["eu"]["order"].public_id
    lines = sales_channel.get(f"/api/orders/{usa}/stock_line_items")
    assert _ids(lines) == placed["usa"]["stock_line_items"]
    assert_not_found(other_sales_channel.get(f"/api/orders/{usa}/stock_line_items"))
    assert_not_found(sales_channel.get(f"/api/orders/{eu}/stock_line_items"))
    assert (
        _ids(other_sales_channel.get(f"/api/orders/{eu}/stock_line_items"))
        == (placed["eu"]["stock_line_items"])
    )


def test_reservations_and_transfers_of_an_order_stay_the_integrations(sales_channel, placed):
    order = placed["usa"]["order"].public_id
    assert_unauthorized(sales_channel.get(f"/api/orders/{order}/stock_reservations"))
    assert_unauthorized(sales_channel.get(f"/api/orders/{order}/stock_transfers"))
    response = sales_channel.get(f"/api/orders/{order}?include=stock_reservations")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["code"] == "INVALID_INCLUDE"


def test_stock_transfers_of_orders_shipments_and_line_items_are_empty(integration, placed):
    usa = placed["usa"]
    assert StockTransfer.objects.filter(status="upcoming").count() == 1
    for url in (
        f"/api/orders/{usa['order'].public_id}/stock_transfers",
        f"/api/shipments/{usa['shipment'].public_id}/stock_transfers",
        f"/api/line_items/{usa['line_items'][0]}/stock_transfers",
    ):
        response = integration.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response.json()["data"] == []
        assert response.json()["meta"]["record_count"] == 0
    transfer = placed["transfer"].public_id
    for name in ("shipment", "line_item"):
        response = integration.get(f"/api/stock_transfers/{transfer}/{name}")
        assert response.status_code == 200, response.content
        assert response.json()["data"] is None
    document = integration.get(f"/api/stock_transfers/{transfer}?include=shipment,line_item")
    assert document.status_code == 200, document.content
    relationships = document.json()["data"]["relationships"]
    assert (relationships["shipment"]["data"], relationships["line_item"]["data"]) == (None, None)


def test_an_order_includes_its_stock_line_items_and_reservations(
    integration, sales_channel, placed
):
    usa = placed["usa"]
    url = f"/api/orders/{usa['order'].public_id}?include=stock_line_items,stock_reservations"
    body = integration.get(url).json()
    relationships = body["data"]["relationships"]
    assert [x["id"] for x in relationships["stock_line_items"]["data"]] == usa["stock_line_items"]
    assert [x["id"] for x in relationships["stock_reservations"]["data"]] == usa["reservations"]
    included = {(x["type"], x["id"]) for x in body["included"]}
    assert included == {("stock_line_items", i) for i in usa["stock_line_items"]} | {
        ("stock_reservations", i) for i in usa["reservations"]
    }
    # A storefront includes what it may read: the stock line items.
    response = sales_channel.get(f"/api/orders/{usa['order'].public_id}?include=stock_line_items")
    assert response.status_code == 200, response.content
    assert {x["id"] for x in response.json()["included"]} == set(usa["stock_line_items"])


# --- shipments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["integration", "sales_channel"])
def test_a_shipments_line_items_and_delivery_lead_time(request, who, placed):
    api = request.getfixturevalue(who)
    usa = placed["usa"]
    shipment = usa["shipment"].public_id
    response = api.get(f"/api/shipments/{shipment}/line_items")
    assert _ids(response) == usa["line_items"]
    assert {x["attributes"]["item_type"] for x in response.json()["data"]} == {"skus"}
    assert LineItem.objects.filter(order=usa["order"]).count() > 2  # shipping and payment lines

    response = api.get(f"/api/shipments/{shipment}/delivery_lead_time")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["type"], data["id"]) == ("delivery_lead_times", placed["lead_time"].public_id)
    assert (data["attributes"]["min_hours"], data["attributes"]["max_hours"]) == (48, 96)

    body = api.get(f"/api/shipments/{shipment}?include=line_items,delivery_lead_time").json()
    relationships = body["data"]["relationships"]
    assert [x["id"] for x in relationships["line_items"]["data"]] == usa["line_items"]
    assert relationships["delivery_lead_time"]["data"]["id"] == placed["lead_time"].public_id
    assert {x["type"] for x in body["included"]} == {"line_items", "delivery_lead_times"}


def test_a_shipment_without_a_lead_time_from_its_location_has_none(integration, placed):
    second = placed["second"]["shipment"]
    assert second.shipping_method_id == placed["usa"]["shipment"].shipping_method_id
    placed["lead_time"].delete()  # left: the method's from elsewhere, another method's from there
    for shipment in (placed["usa"]["shipment"], second):
        response = integration.get(f"/api/shipments/{shipment.public_id}/delivery_lead_time")
        assert response.status_code == 200, response.content
        assert response.json()["data"] is None


def test_another_markets_storefront_reaches_no_shipment(other_sales_channel, placed):
    shipment = placed["usa"]["shipment"].public_id
    for name in ("line_items", "delivery_lead_time", "stock_line_items"):
        assert_not_found(other_sales_channel.get(f"/api/shipments/{shipment}/{name}"))
    assert_not_found(other_sales_channel.get(f"/api/shipments/{shipment}?include=line_items"))


# --- skus --------------------------------------------------------------------------------------


def test_a_skus_stock_reservations_are_those_of_its_stock_items(integration, sales_channel, placed):
    sku = StockReservation.objects.get(public_id=placed["usa"]["reservations"][0]).stock_item.sku
    expected = sorted(
        StockReservation.objects.filter(stock_item__sku=sku).values_list("public_id", flat=True)
    )
    # Two usa orders, the eu order (another location) and the transfer going upcoming.
    assert len(expected) == 4
    response = integration.get(f"/api/skus/{sku.public_id}/stock_reservations")
    assert sorted(_ids(response)) == expected
    body = integration.get(f"/api/skus/{sku.public_id}?include=stock_reservations").json()
    linkage = body["data"]["relationships"]["stock_reservations"]["data"]
    assert sorted(x["id"] for x in linkage) == expected
    assert sorted(x["id"] for x in body["included"]) == expected
    listed = integration.get("/api/skus?include=stock_reservations&filter[q][code_eq]=REL-2")
    (other,) = listed.json()["data"]
    reserved = other["relationships"]["stock_reservations"]["data"]
    assert [x["id"] for x in reserved] == [placed["usa"]["reservations"][1]]

    assert_unauthorized(sales_channel.get(f"/api/skus/{sku.public_id}/stock_reservations"))
    response = sales_channel.get(f"/api/skus/{sku.public_id}?include=stock_reservations")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("include", [False, True])
def test_a_skus_reservations_cost_the_same_for_one_and_four_orders(
    integration, shop, include, django_assert_num_queries
):
    # Related: the token, the SKU and the page (not full: no count). A list of SKUs
    # with the include: the token, the count, the page, its stock items and their reservations.
    url, budget = (
        ("/api/skus?include=stock_reservations", 5)
        if include
        else (f"/api/skus/{shop['sku'].public_id}/stock_reservations", 3)
    )
    sizes = []
    for orders in (1, 4):
        while StockReservation.objects.count() < orders:
            _place(integration, shop)
        with django_assert_num_queries(budget):
            response = integration.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        sizes.append(len(body["included"]) if include else len(body["data"]))
    assert sizes == [1, 4]


# --- includes in any order -----------------------------------------------------------------------

# Two includes walking the same relation, the computed one first: Django refused the plain
# lookup's path before the included relation's queryset (a 500).
PAIRS = [
    ("orders", "stock_line_items", "shipments"),
    ("orders", "stock_reservations", "shipments.stock_line_items"),
    ("shipments", "line_items", "stock_line_items"),
    ("shipments", "delivery_lead_time", "shipping_method"),
    ("shipments", "origin_address", "stock_location"),
    ("line_items", "stock_reservations", "stock_line_items"),
    ("stock_reservations", "line_item", "stock_line_item"),
    ("stock_reservations", "order", "stock_line_item"),
    ("line_items", "order.available_payment_methods", "order.market"),
    ("shipments", "available_shipping_methods", "order.market"),
]


@pytest.mark.parametrize(("type_name", "computed", "plain"), PAIRS)
def test_the_order_of_includes_does_not_matter(integration, placed, type_name, computed, plain):
    usa = placed["usa"]
    record = {
        "orders": usa["order"].public_id,
        "shipments": usa["shipment"].public_id,
        "line_items": usa["line_items"][0],
        "stock_reservations": usa["reservations"][0],
    }[type_name]
    documents = []
    for include in (f"{computed},{plain}", f"{plain},{computed}"):
        response = integration.get(f"/api/{type_name}/{record}?include={include}")
        assert response.status_code == 200, (include, response.content)
        body = response.json()
        top = computed.split(".")[0]
        documents.append(
            (
                body["data"]["relationships"][top]["data"],
                sorted((x["type"], x["id"]) for x in body["included"]),
            )
        )
    assert documents[0] == documents[1]
    assert documents[0][0], f"{top} is empty"
    assert len(documents[0][1]) > 1, "the included records of both includes"


# --- queries -------------------------------------------------------------------------------------

# Pinned: the token and the order or shipment; then a related list pages the target type, its
# ids read by a subquery (one query; two before: the ids were read first), a page that is not
# full being the last (counted from its rows); the
# lead time reads the shipping method and the lead time, and re-reads it scoped; an include
# reads one query per level (shipments, their stock line items...). With the number of records
# each answers (data, or included) for 1 and for 5 SKU lines.
RELATED_BUDGET = {
    "orders/stock_line_items": (3, [1, 5]),
    "orders/stock_reservations": (3, [1, 5]),
    "orders/stock_transfers": (2, [0, 0]),
    "shipments/line_items": (3, [1, 5]),
    "shipments/delivery_lead_time": (5, [1, 1]),
    "orders?include=stock_line_items,stock_reservations,stock_transfers": (5, [2, 10]),
    "shipments?include=line_items,delivery_lead_time,stock_transfers": (6, [2, 6]),
}


def _url(endpoint: str, placed_order: dict) -> str:
    path, _, query = endpoint.partition("?")
    type_name, _, name = path.partition("/")
    record = placed_order["order" if type_name == "orders" else "shipment"].public_id
    url = f"/api/{type_name}/{record}"
    return f"{url}/{name}" if name else f"{url}?{query}"


@pytest.mark.parametrize("endpoint", list(RELATED_BUDGET))
def test_related_endpoints_cost_the_same_for_one_and_five_lines(
    integration, shop, endpoint, django_assert_num_queries
):
    small = _place(integration, shop)
    large = _place(integration, shop, [(_sku(shop, f"Q-{n}"), 1) for n in range(5)])
    f.DeliveryLeadTimeFactory(
        stock_location=shop["location"], shipping_method=small["shipment"].shipping_method
    )
    budget, expected = RELATED_BUDGET[endpoint]
    sizes = []
    for placed_order in (small, large):
        with django_assert_num_queries(budget):
            response = integration.get(_url(endpoint, placed_order))
        assert response.status_code == 200, response.content
        body = response.json()
        if "?" in endpoint:
            sizes.append(len(body.get("included", [])))
        else:
            data = body["data"]
            sizes.append(len(data) if isinstance(data, list) else int(data is not None))
    assert sizes == expected


def test_a_shipments_available_methods_include_those_of_no_market_as_the_service_does(
    sales_channel, shop
):
    from tests.conftest import rel

    everywhere = f.ShippingMethodFactory(market=None, name="Anywhere", price_amount_cents=900)
    elsewhere = f.ShippingMethodFactory(market=f.MarketFactory(), name="Elsewhere")
    order = make_cart(shop)
    shipment = Shipment.objects.get(order=order)
    listed = sales_channel.get(f"/api/shipments/{shipment.public_id}/available_shipping_methods")
    names = {m["attributes"]["name"] for m in ok(listed)}
    assert names == {"Standard", "Anywhere"}
    assert elsewhere.name not in names

    # What it lists is what a client may pick.
    chosen = sales_channel.update(
        "shipments",
        shipment.public_id,
        relationships={"shipping_method": rel("shipping_methods", everywhere.public_id)},
    )
    assert ok(chosen)["relationships"]["shipping_method"]["links"]
    shipment.refresh_from_db()
    assert shipment.shipping_method_id == everywhere.pk


def test_a_related_lists_pages_are_counted_right_without_a_count_on_the_last(integration, shop):
    placed = _place(integration, shop, [(_sku(shop, f"P-{n}"), 1) for n in range(5)])
    url = f"/api/orders/{placed['order'].public_id}/stock_line_items?page[size]=2"
    for number, rows in ((1, 2), (2, 2), (3, 1), (4, 0)):
        response = integration.get(f"{url}&page[number]={number}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["data"]) == rows, number
        assert body["meta"] == {"record_count": 5, "page_count": 3}, number
