"""Who reads reservations and stock line items (auth.md, "Who may do what"): reservations are the
integration's alone (401 for storefronts, however asked); stock line items, with their stock
location, reach sales channels and customers only through the shipments of orders they can
reach — another market's order, another customer's order, a guest order for a customer and a
customer's order for a guest all answer 404, as if they did not exist."""

import pytest

from inventory.models import StockReservation
from orders.models import Customer, Shipment, StockLineItem
from tests import factories as f
from tests.conftest import assert_unauthorized
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _placed(integration, shop, **cart):
    order = make_cart(shop, **cart)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = Shipment.objects.get(order=order)
    return {
        "order": order,
        "shipment": shipment,
        "stock_line_item": StockLineItem.objects.get(shipment=shipment),
        "reservation": StockReservation.objects.get(stock_line_item__shipment=shipment),
    }


@pytest.fixture
def orders(integration, shop, other_market, customer_token):
    """Placed orders: a guest's and two customers' in usa, a guest's in eu."""
    apis = {
        "ada": customer_token(shop["market"], "ada@example.com"),
        "bob": customer_token(shop["market"], "bob@example.com"),
    }
    eu_location = f.StockLocationFactory(code="milan")
    f.InventoryStockLocationFactory(
        inventory_model=other_market.inventory_model, stock_location=eu_location
    )
    f.PriceFactory(price_list=other_market.price_list, sku=shop["sku"], amount_cents=900)
    f.StockItemFactory(stock_location=eu_location, sku=shop["sku"], quantity=5)
    eu_shop = {
        **shop,
        "market": other_market,
        "payment_method": f.PaymentMethodFactory(market=other_market),
    }
    f.ShippingMethodFactory(market=other_market, name="Corriere")
    return {
        "apis": apis,
        "guest": _placed(integration, shop),
        "ada": _placed(integration, shop, customer=Customer.objects.get(email="ada@example.com")),
        "bob": _placed(integration, shop, customer=Customer.objects.get(email="bob@example.com")),
        "eu": _placed(integration, eu_shop),
    }


def _through_shipment(api, record):
    """The shipment with its stock line items and stock location, as a storefront reads it:
    {stock location code: [(sku code, quantity)]}."""
    url = f"/api/shipments/{record['shipment'].public_id}?include=stock_line_items,stock_location"
    document = api.get(url)
    assert document.status_code == 200, document.content
    body = document.json()
    included = {(i["type"], i["id"]): i["attributes"] for i in body["included"]}
    location = body["data"]["relationships"]["stock_location"]["data"]["id"]
    lines = body["data"]["relationships"]["stock_line_items"]["data"]
    return {
        included[("stock_locations", location)]["code"]: [
            (
                included[("stock_line_items", x["id"])]["sku_code"],
                included[("stock_line_items", x["id"])]["quantity"],
            )
            for x in lines
        ]
    }


def _reads(api, record) -> dict:
    """Every way to a stock line item: status code of each."""
    shipment, sli = record["shipment"].public_id, record["stock_line_item"].public_id
    return {
        "shipment": api.get(f"/api/shipments/{shipment}?include=stock_line_items").status_code,
        "shipment_lines": api.get(f"/api/shipments/{shipment}/stock_line_items").status_code,
        "shipment_location": api.get(f"/api/shipments/{shipment}/stock_location").status_code,
        "stock_line_item": api.get(f"/api/stock_line_items/{sli}").status_code,
        "order_include": api.get(
            f"/api/orders/{record['order'].public_id}"
            "?include=shipments.stock_line_items,shipments.stock_location"
        ).status_code,
    }


REACHED = dict.fromkeys(
    ["shipment", "shipment_lines", "shipment_location", "stock_line_item", "order_include"], 200
)
NOT_FOUND = {key: 404 for key in REACHED}


# --- stock reservations: integration only -------------------------------------------------------


def test_integration_lists_and_reads_reservations(integration, orders):
    listed = ok(integration.get("/api/stock_reservations"))
    assert len(listed) == 4
    reservation = orders["guest"]["reservation"]
    read = ok(integration.get(f"/api/stock_reservations/{reservation.public_id}"))
    assert (read["attributes"]["status"], read["attributes"]["quantity"]) == ("pending", 2)
    line = ok(
        integration.get(
            f"/api/stock_line_items/{orders['guest']['stock_line_item'].public_id}"
            "?include=stock_reservation"
        )
    )
    assert line["relationships"]["stock_reservation"]["data"]["id"] == reservation.public_id


@pytest.mark.parametrize("who", ["sales_channel", "customer"])
def test_storefronts_never_read_reservations(who, sales_channel, orders):
    api = sales_channel if who == "sales_channel" else orders["apis"]["ada"]
    own = orders["guest" if who == "sales_channel" else "ada"]
    assert_unauthorized(api.get("/api/stock_reservations"))
    assert_unauthorized(api.get(f"/api/stock_reservations/{own['reservation'].public_id}"))
    # Not through what they can reach either.
    sli = own["stock_line_item"].public_id
    assert_unauthorized(api.get(f"/api/stock_line_items/{sli}/stock_reservation"))
    line_item = own["stock_line_item"].line_item.public_id
    assert_unauthorized(api.get(f"/api/line_items/{line_item}/stock_reservations"))
    refused = api.get(f"/api/line_items/{line_item}?include=stock_reservations")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_INCLUDE"
    included = api.get(
        f"/api/shipments/{own['shipment'].public_id}"
        "?include=stock_line_items.stock_reservation,stock_line_items.stock_item"
    )
    assert included.status_code == 200, included.content
    assert {i["type"] for i in included.json()["included"]} == {"stock_line_items"}


# --- stock line items: through the shipments of reachable orders --------------------------------


def test_a_sales_channel_reads_its_guest_orders_stock_line_items(sales_channel, orders):
    assert _reads(sales_channel, orders["guest"]) == REACHED
    assert _through_shipment(sales_channel, orders["guest"]) == {
        orders["guest"]["shipment"].stock_location.code: [("INV-1", 2)]
    }


@pytest.mark.parametrize("other", ["ada", "eu"])
def test_a_sales_channel_never_reaches_a_customer_or_another_market(sales_channel, orders, other):
    assert _reads(sales_channel, orders[other]) == NOT_FOUND


def test_another_markets_sales_channel_never_reaches_usa(other_sales_channel, orders):
    assert _reads(other_sales_channel, orders["guest"]) == NOT_FOUND
    assert _reads(other_sales_channel, orders["eu"]) == REACHED


def test_a_customer_reads_only_its_own_orders_stock_line_items(orders):
    ada = orders["apis"]["ada"]
    assert _reads(ada, orders["ada"]) == REACHED
    assert _through_shipment(ada, orders["ada"]) == {
        orders["ada"]["shipment"].stock_location.code: [("INV-1", 2)]
    }
    for other in ("bob", "guest", "eu"):
        assert _reads(ada, orders[other]) == NOT_FOUND, other


@pytest.mark.parametrize("who", ["sales_channel", "customer"])
def test_storefronts_never_list_stock_line_items_or_stock_locations(who, sales_channel, orders):
    api = sales_channel if who == "sales_channel" else orders["apis"]["ada"]
    own = orders["guest" if who == "sales_channel" else "ada"]
    assert_unauthorized(api.get("/api/stock_line_items"))
    assert_unauthorized(api.get("/api/stock_locations"))
    # A stock location is read through a shipment, not on its own.
    assert_unauthorized(api.get(f"/api/stock_locations/{own['shipment'].stock_location.public_id}"))
    assert_unauthorized(
        api.get(f"/api/stock_line_items/{own['stock_line_item'].public_id}/stock_item")
    )


def test_integration_reads_every_stock_line_item(integration, orders):
    assert len(ok(integration.get("/api/stock_line_items"))) == 4
    for record in ("guest", "ada", "bob", "eu"):
        assert _reads(integration, orders[record]) == REACHED, record
