"""Bundles' tests (catalog.md "Bundles"): a shop selling two SKUs, A (1500) and B (800), and the
bundle KIT of A x1 + B x2 in its market at 2500; carts with bundle lines, made as the API makes
them, ready to place."""

import pytest

from catalog.models import SkuList, SkuListItem
from inventory.models import StockItem
from markets.models import Bundle
from orders.models import LineItem, Order
from orders.services.totals import refresh_order
from tests.admin.conftest import staff_client  # noqa: F401 (the admin tests' fixture)
from tests.shop import build_shop, make_cart


def sku_list(*items, name="Kit") -> SkuList:
    """A manual list of `items` [(sku, quantity)], in that order."""
    kit = SkuList.objects.create(name=name)
    for position, (sku, quantity) in enumerate(items, start=1):
        SkuListItem.objects.create(sku_list=kit, sku=sku, position=position, quantity=quantity)
    return kit


def make_bundle(items_or_list, *, code="KIT", market=None, price=2500, **values) -> Bundle:
    kit = items_or_list if isinstance(items_or_list, SkuList) else sku_list(*items_or_list)
    currency = market.price_list.currency_code if market else values.pop("currency_code", "USD")
    return Bundle.objects.create(
        market=market,
        sku_list=kit,
        code=code,
        name=values.pop("name", f"Bundle {code}"),
        currency_code=currency,
        price_amount_cents=price,
        **values,
    )


@pytest.fixture
def shop(market):
    """`market` (USD, no_split, one location): A at 1500 and B at 800, 10 of each on hand; the
    bundle KIT = A x1 + B x2 at 2500."""
    shop = build_shop(market, "KIT", skus=2, quantity=10)
    a, b = shop["skus"]
    a.prices.update(amount_cents=1500)
    b.prices.update(amount_cents=800)
    shop.update(a=a, b=b)
    shop["bundle"] = make_bundle([(a, 1), (b, 2)], market=market)
    return shop


def stock(sku) -> int:
    return StockItem.objects.get(sku=sku).quantity


def set_stock(sku, quantity) -> None:
    StockItem.objects.filter(sku=sku).update(quantity=quantity)


def bundle_cart(shop, bundles=1, *, lines=(), bundle=None, **order) -> Order:
    """A cart ready to place (tests/shop.py's make_cart) with `lines` [(sku, quantity)] first,
    then a line of `bundles` x the shop's bundle (or `bundle`), figures refreshed."""
    cart = make_cart(shop, list(lines) or None, **order)
    if not lines:  # make_cart's own line goes
        cart.line_items.filter(item_type="skus").delete()
    bundle = bundle or shop["bundle"]
    LineItem.objects.create(
        order=cart,
        item_type="bundles",
        bundle=bundle,
        bundle_code=bundle.code,
        name=bundle.name,
        quantity=bundles,
        unit_amount_cents=bundle.price_amount_cents,
    )
    refresh_order(cart)
    cart.refresh_from_db()
    return cart


def bundle_line(order) -> LineItem:
    return order.line_items.get(item_type="bundles")


def units_by_sku(rows) -> dict:
    """{sku code: units} of stock line items or reservations."""
    totals: dict = {}
    for code, quantity in rows:
        totals[code] = totals.get(code, 0) + quantity
    return totals
