"""A small shop for the order lifecycle tests, carts in every state, and a snapshot of all an
order touches (so "refused" can be checked as "nothing changed").

Carts are built with factories and the same `refresh_order` the API uses; every move after
that goes over HTTP, as a storefront or back office would send it.
"""

import pytest

from commerce.models import Address, Event
from inventory.models import StockItem, StockReservation
from orders.models import LineItem, Order, PaymentSource, Shipment, Transaction
from orders.services.totals import refresh_order
from tests import factories as f


@pytest.fixture
def shop(market):
    return build_shop(market, "ORD")


@pytest.fixture
def eu_shop(other_market):
    """The same kind of shop in a second market (EUR): the attacker's side."""
    f.InventoryStockLocationFactory(inventory_model=other_market.inventory_model, priority=1)
    return build_shop(other_market, "EU")


def build_shop(market, prefix: str) -> dict:
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    sku = f.SkuFactory(code=f"{prefix}-1")
    f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=1000)
    item = f.StockItemFactory(stock_location=location, sku=sku, quantity=50)
    # A free download: no price to pay, nothing to ship (placing it makes a `free` order).
    free = f.SkuFactory(code=f"{prefix}-FREE", do_not_ship=True)
    f.PriceFactory(price_list=market.price_list, sku=free, amount_cents=0)
    standard = f.ShippingMethodFactory(market=market, name="Standard", price_amount_cents=500)
    method = f.PaymentMethodFactory(market=market)
    return {
        "market": market,
        "location": location,
        "sku": sku,
        "free_sku": free,
        "stock_item": item,
        "standard": standard,
        "payment_method": method,
    }


def make_cart(
    shop, lines=None, *, email="shopper@example.com", ready=True, customer=None, **order
) -> Order:
    """A guest cart, or `customer`'s (then its address is the customer's own). `ready`:
    everything `_place` needs (pending, addresses, payment)."""
    if not ready:
        cart = f.OrderFactory(
            market=shop["market"], customer=customer, guest=customer is None, **order
        )
        refresh_order(cart)
        cart.refresh_from_db()
        return cart
    address = f.AddressFactory(owner_customer_id=customer.pk if customer else None)
    cart = f.OrderFactory(
        market=shop["market"],
        customer=customer,
        customer_email=customer.email if customer else email,
        billing_address=address,
        shipping_address=address,
        payment_method=shop["payment_method"],
        guest=customer is None,
        **order,
    )
    for sku, quantity in lines or [(shop["sku"], 2)]:
        price = sku.prices.get(price_list=shop["market"].price_list).amount_cents
        f.LineItemFactory(order=cart, sku=sku, quantity=quantity, unit_amount_cents=price)
    cart.payment_source = f.PaymentSourceFactory(order=cart)
    cart.save()
    refresh_order(cart)
    cart.refresh_from_db()
    return cart


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json().get("data") if response.content else None


def snapshot(order: Order) -> dict:
    """Everything an order trigger may write, read back from the database."""
    return {
        "order": Order.objects.filter(pk=order.pk).values().get(),
        "line_items": list(LineItem.objects.filter(order=order).order_by("pk").values()),
        "shipments": list(Shipment.objects.filter(order=order).order_by("pk").values()),
        "transactions": list(Transaction.objects.filter(order=order).order_by("pk").values()),
        "payment_sources": list(PaymentSource.objects.filter(order=order).values_list("pk")),
        "reservations": list(StockReservation.objects.order_by("pk").values_list("pk", "quantity")),
        "stock": list(StockItem.objects.order_by("pk").values_list("pk", "quantity")),
        "addresses": Address.objects.count(),
        "events": Event.objects.count(),
    }


def events_since(last_id: int) -> list[tuple[str, str]]:
    return list(Event.objects.filter(id__gt=last_id).values_list("topic", "resource_id"))


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
