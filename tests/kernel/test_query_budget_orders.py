"""No query per row (issue 3), for the list endpoints that hold orders and what checkout makes
(test_query_budget.py covers the catalogue, tests/markets_tax_promotions the tax and promotion
lists). Orders are checked out over HTTP, one and then 25, and every list is read with every
include of its resource at once; the counts must not move and are pinned here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.jsonapi.registry import registry
from inventory.models import StockTransfer
from tests import factories as f
from tests.conftest import ADDRESS, rel
from tests.shop import build_shop, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

# Queries for a page of 1 or of 25 rows with every include, pinned per type. "1 row" is one
# checkout: 3 line items (sku, shipping, payment) and 4 transactions.
BUDGET = {
    # orders: available_customer_payment_sources and payment_options, one query each
    # (+1 each: returns, a line item's return_line_items, a customer's returns, a refund's and
    # a capture's return: one prefetch per include, whatever the rows)
    "orders": 14,
    "line_items": 19,  # +1: line_item_options (catalog.md), +1: tags (bulk.md), one each
    "shipments": 18,  # +1: parcels (shipping.md), +1: tags (bulk.md), one prefetch each
    "stock_line_items": 8,  # its SKU joined (a bundle component is named as it): one less
    "stock_reservations": 9,
    "stock_transfers": 5,
    "customers": 8,  # customer_payment_sources, returns, tags (bulk.md)
    "customer_addresses": 3,
    "wire_transfers": 4,
    "transactions": 5,
    "authorizations": 6,
    "captures": 8,
    "voids": 6,
    "refunds": 7,
}


@pytest.fixture
def shop(market):
    return build_shop(market, "BUDGET", price_cents=5000, quantity=1000, shipping_cents=700)


def checkout(api, shop, n: int) -> None:
    """One order through the whole payment life: placed (authorization, reservations,
    shipment, customer and its address book), partly captured, the rest voided, the capture
    partly refunded; plus a stock transfer (not an order thing, but nothing else makes them)."""
    market = shop["market"]
    order = ok(
        api.create("orders", relationships={"market": rel("markets", market.public_id)}), 201
    )
    order_id = order["id"]
    ok(
        api.create(
            "line_items",
            {"sku_code": shop["sku"].code, "quantity": 2},
            {"order": rel("orders", order_id)},
        ),
        201,
    )
    address = ok(
        api.create(
            "addresses",
            {**ADDRESS, "last_name": f"Budget{n}"},
        ),
        201,
    )
    ok(
        api.update(
            "orders",
            order_id,
            {"customer_email": f"budget{n}@example.com"},
            {
                "billing_address": rel("addresses", address["id"]),
                "payment_method": rel("payment_methods", shop["payment_method"].public_id),
            },
        )
    )
    ok(api.update("orders", order_id, {"_shipping_address_same_as_billing": True}))
    ok(api.create("wire_transfers", relationships={"order": rel("orders", order_id)}), 201)
    ok(api.update("orders", order_id, {"_place": True}))
    placed = ok(api.get(f"/api/orders/{order_id}?include=customer"))
    customer_id = placed["relationships"]["customer"]["data"]["id"]
    ok(
        api.create(
            "customer_addresses",
            relationships={
                "customer": rel("customers", customer_id),
                "address": rel("addresses", address["id"]),
            },
        ),
        201,
    )
    authorization = ok(api.get(f"/api/orders/{order_id}/authorizations"))[0]
    ok(
        api.update(
            "authorizations", authorization["id"], {"_capture": True, "_capture_amount_cents": 1000}
        )
    )
    ok(api.update("authorizations", authorization["id"], {"_void": True}))
    capture = ok(api.get(f"/api/orders/{order_id}/captures"))[0]
    ok(api.update("captures", capture["id"], {"_refund": True, "_refund_amount_cents": 100}))
    StockTransfer.objects.create(
        sku=shop["sku"],
        origin_stock_location=shop["location"],
        destination_stock_location=f.StockLocationFactory(),
        quantity=1,
    )


def includable(type_name: str) -> list[str]:
    return [name for name, rel in registry[type_name].relationships().items() if rel.includable]


def list_queries(api, type_name: str) -> tuple[int, int]:
    """(queries, rows) of the first page of 25 with every include of the type (but an
    order's `tags`: with it an order has 21, past the 20 paths a request may include; each
    include alone is measured below, `tags` too)."""
    names = includable(type_name)
    if type_name == "orders":
        names.remove("tags")
    include = ",".join(names)
    url = f"/api/{type_name}?page[size]=25" + (f"&include={include}" if include else "")
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, (type_name, response.json())
    return len(captured.captured_queries), len(response.json()["data"])


def each_include_queries(api, type_name: str) -> dict[str, int]:
    """Queries of the first page of 25 with each include of the type alone (an include on its
    own must bring what its rows read too, not lean on another include's prefetch)."""
    counts = {}
    for name in includable(type_name):
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"/api/{type_name}?page[size]=25&include={name}")
        assert response.status_code == 200, (type_name, name, response.json())
        counts[name] = len(captured.captured_queries)
    return counts


def test_order_lists_with_every_include_cost_the_same_for_1_and_25_rows(integration, shop):
    checkout(integration, shop, 0)
    few = {t: list_queries(integration, t) for t in BUDGET}
    few_each = {t: each_include_queries(integration, t) for t in BUDGET}
    for n in range(1, 25):
        checkout(integration, shop, n)
    many = {t: list_queries(integration, t) for t in BUDGET}
    assert {t: each_include_queries(integration, t) for t in BUDGET} == few_each

    assert {t: rows for t, (_, rows) in many.items()} == {t: 25 for t in BUDGET}
    assert {t: q for t, (q, _) in many.items()} == {t: q for t, (q, _) in few.items()}
    assert {t: q for t, (q, _) in few.items()} == BUDGET
