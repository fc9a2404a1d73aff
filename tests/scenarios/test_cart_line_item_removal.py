"""Storefronts remove items from the carts they reach (auth.md: line items "through an order it
can reach"); totals follow; placed orders and other people's carts are out of reach."""

import pytest

from orders.models import LineItem, Order
from tests import factories as f
from tests.conftest import rel

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(market, sales_channel):
    for code, cents in (("A-1", 1000), ("B-2", 2500)):
        f.PriceFactory(
            price_list=market.price_list, sku=f.SkuFactory(code=code), amount_cents=cents
        )
    order_id = sales_channel.create("orders").json()["data"]["id"]
    lines = {}
    for code in ("A-1", "B-2"):
        response = sales_channel.create(
            "line_items", {"sku_code": code, "quantity": 2}, {"order": rel("orders", order_id)}
        )
        assert response.status_code == 201, response.content
        lines[code] = response.json()["data"]["id"]
    return order_id, lines


def subtotal(api, order_id):
    return api.get(f"/api/orders/{order_id}").json()["data"]["attributes"]["subtotal_amount_cents"]


def test_a_sales_channel_removes_an_item_from_its_cart_and_the_totals_follow(sales_channel, cart):
    order_id, lines = cart
    assert subtotal(sales_channel, order_id) == 7000
    response = sales_channel.delete(f"/api/line_items/{lines['A-1']}")
    assert response.status_code == 204, response.content
    assert subtotal(sales_channel, order_id) == 5000
    assert not LineItem.objects.filter(public_id=lines["A-1"]).exists()


def test_another_markets_sales_channel_cannot_remove_it(other_sales_channel, sales_channel, cart):
    order_id, lines = cart
    response = other_sales_channel.delete(f"/api/line_items/{lines['A-1']}")
    assert response.status_code == 404
    assert subtotal(sales_channel, order_id) == 7000


def test_items_of_a_placed_order_stay(sales_channel, cart):
    order_id, lines = cart
    Order.objects.filter(public_id=order_id).update(status="placed")
    response = sales_channel.delete(f"/api/line_items/{lines['A-1']}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
    assert LineItem.objects.filter(public_id=lines["A-1"]).exists()
