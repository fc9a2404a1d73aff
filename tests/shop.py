"""The small shop the order, inventory, admin and budget tests sell from, the carts they place,
and `ok`, the check of an API answer they all make.

Shops and carts are built with factories and the same `refresh_order` the API uses; every move
after that goes over HTTP, as a storefront or back office would send it.
"""

from orders.models import Order
from orders.services.totals import refresh_order
from tests import factories as f


def build_shop(
    market,
    prefix: str,
    *,
    skus: int = 1,
    price_cents: int = 1000,
    quantity: int | None = 50,
    free: bool = False,
    shipping_cents: int = 500,
    express: bool = False,
) -> dict:
    """In `market`'s stock location (the `market` fixture's): `skus` SKUs coded `{prefix}-1`,
    `{prefix}-2`... each priced `price_cents` in the market's price list, with `quantity` units
    on hand (no stock item if None); a "Standard" shipping method at `shipping_cents` (and an
    "Express" one at 1500 if `express`); a wire-transfer payment method. `free`: also a free
    download, `{prefix}-FREE` (no price to pay, nothing to ship: placing it makes a `free`
    order).

    Keys: market, location, sku (the first), skus, stock_item (the first's, if any),
    free_sku (if `free`), standard, express (if `express`), payment_method."""
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    shop = {"market": market, "location": location, "skus": []}
    for n in range(1, skus + 1):
        sku = f.SkuFactory(code=f"{prefix}-{n}")
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=price_cents)
        if quantity is not None:
            item = f.StockItemFactory(stock_location=location, sku=sku, quantity=quantity)
            shop.setdefault("stock_item", item)
        shop["skus"].append(sku)
    shop["sku"] = shop["skus"][0]
    if free:
        shop["free_sku"] = f.SkuFactory(code=f"{prefix}-FREE", do_not_ship=True)
        f.PriceFactory(price_list=market.price_list, sku=shop["free_sku"], amount_cents=0)
    shop["standard"] = f.ShippingMethodFactory(
        market=market, name="Standard", price_amount_cents=shipping_cents
    )
    if express:
        shop["express"] = f.ShippingMethodFactory(
            market=market, name="Express", price_amount_cents=1500
        )
    shop["payment_method"] = f.PaymentMethodFactory(market=market)
    return shop


def make_cart(
    shop, lines=None, *, email="shopper@example.com", ready=True, customer=None, **order
) -> Order:
    """A guest cart, or `customer`'s (then its address is the customer's own). `ready`:
    everything `_place` needs (pending: addresses, payment, shipments planned), `lines` of
    [(sku, quantity)] (2 of the shop's SKU if none) at their prices in the market's price list;
    else an empty draft. `order`: more fields of the order."""
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
    """The answer's `data`, once it has the `status` expected (else its errors say why)."""
    assert response.status_code == status, response.json()
    return response.json().get("data") if response.content else None
