"""A small shop for the inventory tests: one market location with stock, a priced SKU, a
shipping method and a wire-transfer payment method; carts built with factories and the same
service the API uses, then moved over HTTP."""

import pytest

from orders.models import Order
from orders.services.totals import refresh_order
from tests import factories as f


@pytest.fixture
def shop(market):
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    sku = f.SkuFactory(code="INV-1")
    f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=1000)
    item = f.StockItemFactory(stock_location=location, sku=sku, quantity=50)
    cheap = f.ShippingMethodFactory(market=market, name="Standard", price_amount_cents=500)
    express = f.ShippingMethodFactory(market=market, name="Express", price_amount_cents=1500)
    method = f.PaymentMethodFactory(market=market)
    return {
        "market": market,
        "location": location,
        "sku": sku,
        "stock_item": item,
        "standard": cheap,
        "express": express,
        "payment_method": method,
    }


def make_cart(shop, lines=None, *, email="shopper@example.com") -> Order:
    """A guest cart ready to place (pending, shipments planned)."""
    address = f.AddressFactory()
    order = f.OrderFactory(
        market=shop["market"],
        customer_email=email,
        billing_address=address,
        shipping_address=address,
        payment_method=shop["payment_method"],
        guest=True,
    )
    for sku, quantity in lines or [(shop["sku"], 2)]:
        f.LineItemFactory(order=order, sku=sku, quantity=quantity, unit_amount_cents=1000)
    order.payment_source = f.PaymentSourceFactory(order=order)
    order.save()
    refresh_order(order)
    order.refresh_from_db()
    return order


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json().get("data") if response.content else None
