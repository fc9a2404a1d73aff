"""Returns in documents: their relationships both ways (an order's, a customer's, a line item's
return line items, a refund's and a capture's return, the return locations of stock locations
and inventory models), what a storefront's include shows, and the queries a list costs."""

import pytest

from orders.models import Customer, Transaction
from returns.models import Return
from tests.returns.conftest import paid_order, return_with, sku_line
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def ids(document_data) -> list[str]:
    return [d["id"] for d in document_data]


def test_relationships_both_ways(integration, shop, market):
    order = paid_order(integration, shop)
    line = sku_line(order)
    ret = return_with(integration, order, [(line, 1)], status="refunded")
    stored = Return.objects.get(public_id=ret["id"])
    item = stored.return_line_items.get()
    refund = Transaction.objects.get(order=order, kind="refunds")
    capture = Transaction.objects.get(order=order, kind="captures")

    assert ids(ok(integration.get(f"/api/orders/{order.public_id}/returns"))) == [ret["id"]]
    with_returns = ok(integration.get(f"/api/orders/{order.public_id}?include=returns"))
    assert ids(with_returns["relationships"]["returns"]["data"]) == [ret["id"]]
    lines = ok(integration.get(f"/api/line_items/{line.public_id}/return_line_items"))
    assert ids(lines) == [item.public_id]
    assert ok(integration.get(f"/api/refunds/{refund.public_id}/return"))["id"] == ret["id"]
    assert ok(integration.get(f"/api/captures/{capture.public_id}/return"))["id"] == ret["id"]
    assert stored.reference_capture_id == capture.pk
    desk = shop["returns_desk"]
    location_ids = ids(
        ok(integration.get(f"/api/stock_locations/{desk.public_id}/inventory_return_locations"))
    )
    model = market.inventory_model
    assert location_ids == ids(
        ok(integration.get(f"/api/inventory_models/{model.public_id}/inventory_return_locations"))
    )
    assert len(location_ids) == 1
    item_doc = ok(
        integration.get(f"/api/return_line_items/{item.public_id}?include=return,line_item")
    )
    assert item_doc["relationships"]["return"]["data"]["id"] == ret["id"]
    assert item_doc["relationships"]["line_item"]["data"]["id"] == line.public_id


def test_a_customer_sees_its_returns_through_its_order_and_itself(
    integration, customer_token, market, shop, sales_channel
):
    ada = customer_token(market, "ada@example.com")
    customer = Customer.objects.get(email="ada@example.com")
    order = paid_order(integration, shop, customer=customer)
    ret = return_with(integration, order, [(sku_line(order), 1)])
    assert ids(ok(ada.get(f"/api/customers/{customer.public_id}/returns"))) == [ret["id"]]
    included = ok(ada.get(f"/api/orders/{order.public_id}?include=returns.return_line_items"))
    assert ids(included["relationships"]["returns"]["data"]) == [ret["id"]]
    # A sales channel reads no return, through an include either.
    guest = paid_order(integration, shop)
    return_with(integration, guest, [(sku_line(guest), 1)])
    seen = ok(sales_channel.get(f"/api/orders/{guest.public_id}?include=returns"))
    assert seen["relationships"]["returns"]["data"] == []


def test_a_list_of_returns_costs_a_fixed_number_of_queries(
    integration, shop, django_assert_num_queries
):
    order = paid_order(integration, shop, [(shop["sku"], 5)])
    for _ in range(3):
        return_with(integration, order, [(sku_line(order), 1)])
    # the token, the count, the page; then one query per include (line items, orders).
    with django_assert_num_queries(3):
        assert len(ok(integration.get("/api/returns"))) == 3
    with django_assert_num_queries(5):
        listed = integration.get("/api/returns?include=return_line_items,order")
        assert len(listed.json()["included"]) == 4
