"""A small shop for the inventory tests: one market location with stock, a priced SKU, a
shipping method and a wire-transfer payment method; carts built with factories and the same
service the API uses, then moved over HTTP."""

import pytest

from orders.models import Order
from orders.services.totals import refresh_order
from tests import factories as f
from tests.conftest import JsonApiClient, obtain_token


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


@pytest.fixture
def market_integration(client, make_api_client, market):
    """An integration token scoped to the market (`market:code:usa`)."""
    scope = f"market:code:{market.code}"
    client_id = make_api_client("integration", scope)
    token = obtain_token(
        client,
        grant_type="client_credentials",
        client_id=client_id,
        client_secret="test-secret",
        scope=scope,
    )
    return JsonApiClient(client, token)


def make_cart(shop, lines=None, *, email="shopper@example.com", customer=None) -> Order:
    """A cart ready to place (pending, shipments planned): a guest's, or `customer`'s."""
    address = f.AddressFactory()
    order = f.OrderFactory(
        market=shop["market"],
        customer_email=customer.email if customer else email,
        customer=customer,
        billing_address=address,
        shipping_address=address,
        payment_method=shop["payment_method"],
        guest=customer is None,
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
