"""A write is answered from the records its service wrote (`answers_from_write`), not read back:
the answer must be exactly what a GET of the same record, with the same include, answers right
after it. Here for every write of a storefront's checkout and of a cart's later edits, for both
kinds of token; tests/orders/test_order_triggers.py holds the same for every order trigger from
every state."""

import pytest

from tests.checkout import seed_checkout_market
from tests.conftest import ADDRESS, rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

INCLUDES = {
    "orders": "line_items,shipments,billing_address,shipping_address,payment_method,"
    "payment_source,market",
    "line_items": "order,item,stock_line_items",
    "shipments": "stock_line_items,shipping_method,order",
    "addresses": "",
    "wire_transfers": "order",
}


def assert_fresh(api, response, status=200) -> dict:
    """The write's answer equals a GET of the record right after it; returns the answer."""
    assert response.status_code == status, response.json()
    answer = response.json()
    data = answer["data"]
    include = INCLUDES[data["type"]]
    fresh = api.get(
        f"/api/{data['type']}/{data['id']}" + (f"?include={include}" if include else "")
    )
    assert fresh.status_code == 200, fresh.json()
    assert answer == fresh.json()
    return data


def write(api, method, type_name, public_id=None, attributes=None, relationships=None):
    include = INCLUDES[type_name]
    query = f"?include={include}" if include else ""
    data = {"type": type_name, "attributes": attributes or {}, "relationships": relationships or {}}
    if public_id is None:
        return api.post(f"/api/{type_name}{query}", {"data": data})
    data["id"] = public_id
    return api.patch(f"/api/{type_name}/{public_id}{query}", {"data": data})


@pytest.fixture
def usa(market):
    return seed_checkout_market(market)


@pytest.mark.parametrize("kind", ["sales_channel", "integration"])
def test_every_checkout_write_answers_what_a_get_then_reads(request, market, usa, kind):
    api = request.getfixturevalue(kind)
    market_rel = {"market": rel("markets", market.public_id)} if kind == "integration" else {}
    order = assert_fresh(
        api,
        write(
            api,
            "POST",
            "orders",
            attributes={"customer_email": "ada@example.com"},
            relationships=market_rel,
        ),
        201,
    )
    lines = []
    for code, quantity in (("SKU-A", 2), ("SKU-B", 1), ("SKU-C", 3)):
        response = write(
            api,
            "POST",
            "line_items",
            attributes={"sku_code": code, "quantity": quantity},
            relationships={"order": rel("orders", order["id"])},
        )
        lines.append(assert_fresh(api, response, 201))
    assert [li["attributes"]["total_amount_cents"] for li in lines] == [6400, 3600, 3000]
    address = assert_fresh(api, write(api, "POST", "addresses", attributes=ADDRESS), 201)
    placed_with_tax = assert_fresh(
        api,
        write(
            api,
            "PATCH",
            "orders",
            order["id"],
            {"_shipping_address_same_as_billing": True},
            {"billing_address": rel("addresses", address["id"])},
        ),
    )
    assert placed_with_tax["attributes"]["total_tax_amount_cents"] > 0
    # A line's quantity changes: its figures and the order's follow in the answer.
    changed = assert_fresh(api, write(api, "PATCH", "line_items", lines[1]["id"], {"quantity": 4}))
    assert changed["attributes"]["total_amount_cents"] == 4 * 3600
    shipment_id = api.get(f"/api/orders/{order['id']}/shipments").json()["data"][0]["id"]
    shipment = assert_fresh(
        api,
        write(
            api,
            "PATCH",
            "shipments",
            shipment_id,
            relationships={
                "shipping_method": rel("shipping_methods", usa["shipping_method"].public_id)
            },
        ),
    )
    assert shipment["attributes"]["cost_amount_cents"] == 700
    assert_fresh(
        api,
        write(
            api,
            "PATCH",
            "orders",
            order["id"],
            relationships={
                "payment_method": rel("payment_methods", usa["payment_method"].public_id)
            },
        ),
    )
    assert_fresh(
        api,
        write(api, "POST", "wire_transfers", relationships={"order": rel("orders", order["id"])}),
        201,
    )
    placed = assert_fresh(api, write(api, "PATCH", "orders", order["id"], {"_place": True}))
    assert placed["attributes"]["status"] == "placed"


def test_a_merged_line_answers_with_its_new_quantity(usa, sales_channel):
    api = sales_channel
    order = assert_fresh(api, write(api, "POST", "orders", attributes={}), 201)
    for _ in range(2):
        line = assert_fresh(
            api,
            write(
                api,
                "POST",
                "line_items",
                attributes={"sku_code": "SKU-A", "quantity": 2, "_update_quantity": True},
                relationships={"order": rel("orders", order["id"])},
            ),
            201,
        )
    assert line["attributes"]["quantity"] == 4
    assert line["attributes"]["total_amount_cents"] == 4 * 3200


def test_a_shipment_answers_without_include_with_the_stock_line_items_its_refresh_read(
    usa, sales_channel
):
    """Without an include, a shipment's new method is answered with the stock line items (its
    `skus_count`) that its refresh read with the rest (commerce.services.answer_as_read), not
    read again, and the answer is still what a GET then reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = sales_channel
    order = assert_fresh(api, write(api, "POST", "orders", attributes={}), 201)
    for code, quantity in (("SKU-A", 2), ("SKU-C", 3)):
        api.create(
            "line_items",
            {"sku_code": code, "quantity": quantity},
            {"order": rel("orders", order["id"])},
        )
    shipment_id = api.get(f"/api/orders/{order['id']}/shipments").json()["data"][0]["id"]
    method = {"shipping_method": rel("shipping_methods", usa["shipping_method"].public_id)}
    with CaptureQueriesContext(connection) as ctx:
        response = api.update("shipments", shipment_id, relationships=method)
    # Read now: the next request clears the connection's log.
    own_reads = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "orders_stocklineitem".')
    ]
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer == api.get(f"/api/shipments/{shipment_id}").json()
    assert answer["data"]["attributes"]["skus_count"] == 5
    # On PostgreSQL they are read with the refresh's other reads (commerce/together.py).
    assert len(own_reads) == (0 if connection.vendor == "postgresql" else 1), own_reads
