"""A guest checkout over HTTP, as a storefront drives it with a sales-channel token, then the
back office approves and captures with an integration token."""

import pytest

from tests import factories as f
from tests.conftest import ADDRESS, rel

pytestmark = pytest.mark.django_db


@pytest.fixture
def usa(market):
    """The demo's `usa` figures: USD list, Standard $7.00 free over $100.00, 8.25 % tax."""
    from markets.models import ManualTaxCalculator, TaxRule

    calculator = ManualTaxCalculator.objects.create(name="US taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator,
        name="US",
        tax_rate="0.0825",
        freight_taxable=True,
        country_code_regex="US",
    )
    market.tax_calculator = calculator
    market.save()
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    merch = f.ShippingCategoryFactory(name="Merchandise")
    skus = {}
    for code, cents in (("24-WB01", 3200), ("24-WB03", 3600)):
        sku = f.SkuFactory(code=code, shipping_category=merch)
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=cents)
        f.StockItemFactory(stock_location=location, sku=sku, quantity=100)
        skus[code] = sku
    f.ShippingMethodFactory(
        market=market, name="Standard", price_amount_cents=700, free_over_amount_cents=10000
    )
    f.ShippingMethodFactory(market=market, name="Express", price_amount_cents=2000)
    f.PaymentMethodFactory(market=market, payment_source_type="wire_transfers")
    return market


def _address(api):
    response = api.create(
        "addresses",
        ADDRESS,
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]["id"]


def test_guest_checkout_places_then_back_office_approves_and_captures(
    usa, sales_channel, integration
):
    order = sales_channel.create("orders", {"language_code": "en"})
    assert order.status_code == 201, order.json()
    order_id = order.json()["data"]["id"]
    assert order.json()["data"]["attributes"]["status"] == "draft"

    for code, quantity in (("24-WB03", 20), ("24-WB01", 40)):
        line = sales_channel.create(
            "line_items",
            {"sku_code": code, "quantity": quantity},
            {"order": rel("orders", order_id)},
        )
        assert line.status_code == 201, line.json()

    patched = sales_channel.update("orders", order_id, {"customer_email": "ada@example.com"})
    assert patched.json()["data"]["attributes"]["status"] == "pending"

    address_id = _address(sales_channel)
    sales_channel.update(
        "orders", order_id, relationships={"billing_address": rel("addresses", address_id)}
    )
    same = sales_channel.update("orders", order_id, {"_shipping_address_same_as_billing": True})
    assert same.status_code == 200, same.json()

    shipments = sales_channel.get(
        f"/api/orders/{order_id}/shipments?include=available_shipping_methods,shipping_method"
    )
    assert shipments.status_code == 200, shipments.json()
    shipment = shipments.json()["data"][0]
    methods = {
        i["attributes"]["name"]: i["id"]
        for i in shipments.json()["included"]
        if i["type"] == "shipping_methods"
    }
    assert set(methods) == {"Standard", "Express"}
    assert shipment["relationships"]["shipping_method"]["data"]["id"] == methods["Standard"]

    methods_doc = sales_channel.get(f"/api/orders/{order_id}?include=available_payment_methods")
    payment_method_id = methods_doc.json()["included"][0]["id"]
    sales_channel.update(
        "orders",
        order_id,
        relationships={"payment_method": rel("payment_methods", payment_method_id)},
    )
    source = sales_channel.create(
        "wire_transfers", relationships={"order": rel("orders", order_id)}
    )
    assert source.status_code == 201, source.json()

    placed = sales_channel.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    attributes = placed.json()["data"]["attributes"]
    assert attributes["status"] == "placed"
    assert attributes["payment_status"] == "authorized"
    assert attributes["subtotal_amount_cents"] == 200000
    assert attributes["shipping_amount_cents"] == 0
    assert attributes["total_tax_amount_cents"] == 16500
    assert attributes["total_amount_with_taxes_cents"] == 216500
    assert attributes["total_amount_with_taxes_float"] == 2165.0
    assert attributes["formatted_total_amount_with_taxes"] == "$2,165.00"

    again = sales_channel.update("orders", order_id, {"_place": True})
    assert again.status_code == 422
    assert again.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"

    denied = sales_channel.update("orders", order_id, {"_approve": True})
    assert denied.status_code == 400
    assert denied.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"

    approved = integration.update("orders", order_id, {"_approve": True})
    assert approved.json()["data"]["attributes"]["status"] == "approved"
    assert approved.json()["data"]["attributes"]["fulfillment_status"] == "unfulfilled"
    captured = integration.update("orders", order_id, {"_capture": True})
    attributes = captured.json()["data"]["attributes"]
    assert attributes["payment_status"] == "paid"
    assert attributes["fulfillment_status"] == "in_progress"
    shipments = integration.get(f"/api/orders/{order_id}/shipments").json()["data"]
    assert {s["attributes"]["status"] for s in shipments} == {"picking"}
