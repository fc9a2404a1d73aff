"""Query budget of the checkout's main read (issue 4): an order with
`include=line_items,shipments,billing_address,shipping_address,payment_method,payment_source,
market` costs the same number of queries with 1 line item as with 20, for the back office and
for the storefront; the numbers are pinned so that a regression shows as a changed number."""

import pytest

from orders.services.totals import refresh_order
from tests import factories as f
from tests.shop import make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

INCLUDE = (
    "line_items,shipments,billing_address,shipping_address,payment_method,payment_source,market"
)
# Pinned per token kind, for 1 line item and for 20: the token, the order (with market,
# addresses and payment source joined), then one query per included relationship.
BUDGET = {"integration": 6, "sales_channel": 6}


def cart_with_lines(shop, n: int):
    order = make_cart(shop, [(shop["sku"], 1)])
    for _ in range(n - 1):
        sku = f.SkuFactory(shipping_category=shop["sku"].shipping_category)
        f.PriceFactory(price_list=shop["market"].price_list, sku=sku, amount_cents=250)
        f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=10)
        f.LineItemFactory(order=order, sku=sku, quantity=2, unit_amount_cents=250)
    refresh_order(order)
    return order


def read(api, order, budget, assert_num_queries) -> dict:
    with assert_num_queries(budget):
        response = api.get(f"/api/orders/{order.public_id}?include={INCLUDE}")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_an_order_with_its_checkout_includes_costs_the_same_for_1_and_20_lines(
    request, shop, kind, django_assert_num_queries
):
    api = request.getfixturevalue(kind)
    small = cart_with_lines(shop, 1)
    large = cart_with_lines(shop, 20)
    few = read(api, small, BUDGET[kind], django_assert_num_queries)
    many = read(api, large, BUDGET[kind], django_assert_num_queries)
    # sku lines plus the shipment and payment method lines, every one rendered and included
    assert len(few["data"]["relationships"]["line_items"]["data"]) == 3
    assert len(many["data"]["relationships"]["line_items"]["data"]) == 22
    included = {i["type"] for i in many["included"]}
    assert included == {"line_items", "shipments", "addresses", "payment_methods"} | {
        "wire_transfers",
        "markets",
    }
    assert len([i for i in many["included"] if i["type"] == "line_items"]) == 22
