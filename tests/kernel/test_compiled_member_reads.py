"""A GET of one record reads it, and the to-many relationships it includes, with SQL compiled
once per process (commerce/jsonapi/rows.read_member, commerce/jsonapi/prefetch.py): each
answer must be exactly what Django's own compile of the same querysets answers, for every kind
of token and every token's values (the reach is an argument of that SQL, never part of it), and
out of reach is still a 404."""

import pytest

from tests.shop import build_shop, make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

INCLUDE = (
    "line_items,line_items.item,line_items.stock_line_items,shipments,"
    "shipments.stock_line_items,shipments.shipping_method,market,billing_address"
)


@pytest.fixture
def world(market, other_market, customer_token, sales_channel, other_sales_channel, integration):
    """Orders of two markets, two customers of the first and a guest, with the clients that
    reach some of them."""
    from orders.models import Customer
    from tests import factories as f

    f.InventoryStockLocationFactory(inventory_model=other_market.inventory_model, priority=1)
    here = build_shop(market, "HERE", skus=2)
    there = build_shop(other_market, "THERE")
    ada_api = customer_token(market, "ada@example.com")
    bob_api = customer_token(market, "bob@example.com")
    ada = Customer.objects.get(email="ada@example.com")
    bob = Customer.objects.get(email="bob@example.com")
    orders = [
        make_cart(here, [(here["skus"][0], 2), (here["skus"][1], 1)], customer=ada),
        make_cart(here, [(here["skus"][1], 3)], customer=bob),
        make_cart(here),
        make_cart(there),
    ]
    apis = [integration, sales_channel, other_sales_channel, ada_api, bob_api]
    return orders, apis


def answers(orders, apis) -> list:
    return [
        (response.status_code, response.json())
        for api in apis
        for order in orders
        for response in [api.get(f"/api/orders/{order.public_id}?include={INCLUDE}")]
    ]


def test_every_token_reads_what_djangos_own_compile_reads(world, monkeypatch):
    orders, apis = world
    compiled = answers(orders, apis)
    again = answers(orders, apis)  # the SQL now held, other tokens' values in its parameters

    from commerce.jsonapi import document, reading

    monkeypatch.setattr(reading, "read_member", lambda cls, ctx, pk, fallback: fallback())
    monkeypatch.setattr(document, "compiled_prefetch", lambda queryset, *args: queryset)
    monkeypatch.setattr(document, "_plain", lambda resource_cls, lookup: lookup)
    djangos = answers(orders, apis)

    assert compiled == again == djangos
    codes = [code for code, _ in djangos]
    # integration: all four; a sales channel: the guest cart of its market; a customer: its own.
    assert codes == [
        *(200, 200, 200, 200),
        *(404, 404, 200, 404),
        *(404, 404, 404, 200),
        *(200, 404, 404, 404),
        *(404, 200, 404, 404),
    ]
    first = djangos[0][1]
    assert {r["type"] for r in first["included"]} >= {
        "line_items",
        "shipments",
        "stock_line_items",
        "skus",
        "markets",
        "shipping_methods",
        "addresses",
    }


def read_twice(api, url, request) -> tuple[dict, list]:
    """`url`'s answer, read twice: (the answer, the SELECTs Django compiled from the second
    read on, a list that goes on filling). The second answer must be the first."""
    first = api.get(url).json()
    compiles = request.getfixturevalue("sql_compiles")  # from here on
    assert api.get(url).json() == first
    return first, compiles


def test_a_second_read_of_an_order_compiles_no_select(world, request):
    orders, apis = world
    url = f"/api/orders/{orders[0].public_id}?include=line_items,shipments,market"
    _, compiles = read_twice(apis[0], url, request)
    assert compiles == []  # the token, the order, its line items, shipments and their items


def test_records_a_write_names_are_found_as_djangos_own_compile_finds_them(world, monkeypatch):
    """A line item's `sku_code`, an order's address and shipping method: each token finds the
    records within its reach, and only those, whether the read's SQL is held or compiled anew."""
    from commerce.jsonapi import rows
    from orders.models import Customer
    from tests import factories as f
    from tests.conftest import rel

    orders, apis = world
    _, sales_channel, other_sales_channel, ada_api, bob_api = apis
    ada = Customer.objects.get(email="ada@example.com")
    adas = f.AddressFactory(owner_customer_id=ada.pk)
    unowned = f.AddressFactory(owner_customer_id=None)

    def outcome(response) -> tuple:
        body = response.json()
        errors = [(e["source"]["pointer"], e["detail"]) for e in body.get("errors", [])]
        return response.status_code, errors

    def writes() -> list:
        found = []
        for api in (sales_channel, other_sales_channel, ada_api, bob_api):
            order = api.create("orders", {}).json()["data"]["id"]
            for code in ("HERE-1", "THERE-1", "NOPE"):
                found.append(
                    outcome(
                        api.create(
                            "line_items",
                            {"sku_code": code, "quantity": 1},
                            {"order": rel("orders", order)},
                        )
                    )
                )
            for address in (adas, unowned):
                found.append(
                    outcome(
                        api.update(
                            "orders",
                            order,
                            relationships={"billing_address": rel("addresses", address.public_id)},
                        )
                    )
                )
        return found

    compiled = writes()
    again = writes()

    class Never(dict):  # every read within reach falls back to Django's compile
        def get(self, key, default=None):
            return None

    monkeypatch.setattr(rows, "_READS", Never())
    djangos = writes()

    assert compiled == again == djangos
    assert {code for code, _ in djangos} == {200, 201, 422}
    assert (201, []) in djangos and any(code == 422 for code, _ in djangos)
