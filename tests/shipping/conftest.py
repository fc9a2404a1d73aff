"""A shop in `usa` for the shipping tests, and a storefront's cart over HTTP.

The market's stock location holds every SKU made here (100 units). Zones: `us` (`^US$`) and
`italy` (`^IT$`). Methods are made by each test (`method`), in the market unless told."""

import pytest

from tests import factories as f
from tests.conftest import ADDRESS, rel
from tests.shop import ok

ROME = {
    **ADDRESS,
    "city": "Roma",
    "zip_code": "00184",
    "state_code": "RM",
    "country_code": "IT",
}
HONOLULU = {**ADDRESS, "city": "Honolulu", "zip_code": "96813", "state_code": "HI"}


@pytest.fixture
def location(market):
    return market.inventory_model.inventory_stock_locations.get().stock_location


@pytest.fixture
def sku(market, location):
    """`sku(code, cents, weight=None, unit=None)`: a SKU priced and stocked in the market, of
    the one shipping category "Merchandise" (one shipment for them all)."""
    merchandise = f.ShippingCategoryFactory(name="Merchandise")

    def make(code, cents=1000, weight=None, unit=None):
        item = f.SkuFactory(
            code=code, weight=weight, unit_of_weight=unit, shipping_category=merchandise
        )
        f.PriceFactory(price_list=market.price_list, sku=item, amount_cents=cents)
        f.StockItemFactory(stock_location=location, sku=item, quantity=100)
        return item

    return make


@pytest.fixture
def zones():
    return {
        "us": f.ShippingZoneFactory(name="US", country_code_regex="^US$"),
        "italy": f.ShippingZoneFactory(name="Italy", country_code_regex="^IT$"),
    }


@pytest.fixture
def method(market):
    """`method(name, cents, **fields)`: a shipping method of the market."""

    def make(name, cents=500, **fields):
        fields.setdefault("market", market)
        return f.ShippingMethodFactory(name=name, price_amount_cents=cents, **fields)

    return make


@pytest.fixture
def payment_method(market):
    return f.PaymentMethodFactory(market=market, payment_source_type="wire_transfers")


class Cart:
    """A storefront's cart: made, filled and moved over HTTP."""

    def __init__(self, api, lines, address=ADDRESS):
        self.api = api
        self.id = ok(api.create("orders", {"customer_email": "ada@example.com"}), 201)["id"]
        for item, quantity in lines:
            self.add(item, quantity)
        if address is not None:
            self.ship_to(address)

    def add(self, item, quantity):
        return ok(
            self.api.create(
                "line_items",
                {"sku_code": item.code, "quantity": quantity},
                {"order": rel("orders", self.id)},
            ),
            201,
        )

    def ship_to(self, address: dict):
        """A new address, billing and shipping."""
        address_id = ok(self.api.create("addresses", address), 201)["id"]
        return ok(
            self.api.update(
                "orders",
                self.id,
                {"_shipping_address_same_as_billing": True},
                {"billing_address": rel("addresses", address_id)},
            )
        )

    def order(self) -> dict:
        return ok(self.api.get(f"/api/orders/{self.id}"))

    def shipments(self, include="shipping_method,available_shipping_methods") -> dict:
        response = self.api.get(f"/api/orders/{self.id}/shipments?include={include}")
        assert response.status_code == 200, response.json()
        return response.json()

    def shipment(self) -> dict:
        """The one shipment, its method's name and the names of its available methods."""
        document = self.shipments()
        (shipment,) = document["data"]
        return shipment

    def carried(self) -> str | None:
        """The name of the shipment's method."""
        document = self.shipments()
        (shipment,) = document["data"]
        linkage = shipment["relationships"]["shipping_method"]["data"]
        if linkage is None:
            return None
        return _names(document, [linkage])[0]

    def offered(self) -> list[str]:
        """The names of the shipment's available methods, in their order."""
        document = self.shipments()
        (shipment,) = document["data"]
        return _names(document, shipment["relationships"]["available_shipping_methods"]["data"])

    def choose(self, shipping_method, *, status=200):
        shipment_id = self.shipment()["id"]
        linkage = (
            None
            if shipping_method is None
            else rel("shipping_methods", shipping_method.public_id)["data"]
        )
        response = self.api.update(
            "shipments", shipment_id, relationships={"shipping_method": {"data": linkage}}
        )
        assert response.status_code == status, response.json()
        return response.json()

    def pay(self, payment_method):
        ok(
            self.api.update(
                "orders",
                self.id,
                relationships={"payment_method": rel("payment_methods", payment_method.public_id)},
            )
        )
        ok(self.api.create("wire_transfers", relationships={"order": rel("orders", self.id)}), 201)

    def place(self):
        return self.api.update("orders", self.id, {"_place": True})


def _names(document, linkages) -> list[str]:
    by_id = {
        r["id"]: r["attributes"]["name"]
        for r in document.get("included", [])
        if r["type"] == "shipping_methods"
    }
    return [by_id[link["id"]] for link in linkages]


@pytest.fixture
def cart(sales_channel):
    """`cart(lines, address=ADDRESS)`: a storefront's cart of [(sku, quantity)] shipped to
    `address` (None: no address yet)."""

    def make(lines, address=ADDRESS):
        return Cart(sales_channel, lines, address)

    return make
