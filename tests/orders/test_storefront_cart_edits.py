"""Storefronts remove line items from their own carts, as the official SDK does
(`cl.line_items.delete(id)`): auth.md gives sales channels the line items of the orders they can
reach, and orders.md lets them edit a draft/pending order. Found by tests/sdk."""

import pytest

from orders.models import LineItem
from tests import factories as f
from tests.conftest import rel

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(sales_channel, market):
    """A guest cart made over HTTP by the sales channel: two SKUs at $32.00 and $36.00."""
    skus = [f.SkuFactory(), f.SkuFactory()]
    for sku, cents in zip(skus, (3200, 3600), strict=True):
        f.PriceFactory(sku=sku, price_list=market.price_list, amount_cents=cents)
    order_id = sales_channel.create("orders").json()["data"]["id"]
    lines = [
        sales_channel.create(
            "line_items",
            {"sku_code": sku.code, "quantity": 1},
            {"order": rel("orders", order_id)},
        ).json()["data"]["id"]
        for sku in skus
    ]
    return order_id, lines


@pytest.mark.sqlite
def test_a_sales_channel_deletes_a_line_of_its_cart(sales_channel, cart):
    order_id, (kept, removed) = cart
    response = sales_channel.delete(f"/api/line_items/{removed}")
    assert response.status_code == 204, response.content
    assert not LineItem.objects.filter(public_id=removed).exists()
    order = sales_channel.get(f"/api/orders/{order_id}?include=line_items").json()
    assert order["data"]["attributes"]["subtotal_amount_cents"] == 3200
    assert [i["id"] for i in order["included"] if i["type"] == "line_items"] == [kept]


def test_a_line_of_a_placed_order_stays(sales_channel, market):
    order = f.OrderFactory(market=market, status="placed", guest=True)
    line = f.LineItemFactory(order=order)
    response = sales_channel.delete(f"/api/line_items/{line.public_id}")
    assert response.status_code == 422, response.content
    assert LineItem.objects.filter(pk=line.pk).exists()


def test_a_line_of_another_markets_cart_is_not_found(sales_channel, other_market):
    line = f.LineItemFactory(order=f.OrderFactory(market=other_market, guest=True))
    response = sales_channel.delete(f"/api/line_items/{line.public_id}")
    assert response.status_code == 404, response.content
    assert response.json()["errors"][0]["code"] == "RECORD_NOT_FOUND"
    assert LineItem.objects.filter(pk=line.pk).exists()
