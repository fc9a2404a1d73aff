"""A record's related list through a reverse foreign key (an order's line items and shipments, a
shipment's stock line items) reads its page, and its count when the page is full, with SQL
compiled once per process (commerce/jsonapi/reading._related_rows, rows.page_within_reach):
each answer must be exactly what Django's own compile of the same querysets answers, for every
kind of token, every parent, order and page; a second read compiles no SELECT."""

import pytest

from tests.kernel.test_compiled_member_reads import read_twice, world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PATHS = (
    "line_items",
    "line_items?sort=-quantity,created_at",
    "line_items?page[size]=1",
    "line_items?page[size]=1&page[number]=2",
    "line_items?page[size]=1&page[number]=9",  # past the last page
    "shipments?include=stock_line_items",
    "line_items?filter[q][item_type_eq]=skus",  # a filter: Django compiles it
)


def answers(orders, apis) -> list:
    return [
        (response.status_code, response.json())
        for api in apis
        for order in orders
        for path in PATHS
        for response in [api.get(f"/api/orders/{order.public_id}/{path}")]
    ]


def test_every_token_reads_the_related_pages_djangos_own_compile_reads(world, monkeypatch):  # noqa: F811
    orders, apis = world
    compiled = answers(orders, apis)
    again = answers(orders, apis)  # the SQL now held, other parents' ids in its parameters

    from commerce.jsonapi import reading

    monkeypatch.setattr(reading, "_related_rows", lambda *args: None)
    djangos = answers(orders, apis)

    assert compiled == again == djangos
    # The integration token's answers for the first order (2 SKU lines of quantities 2 and 1).
    first = djangos[: len(PATHS)]
    lines = first[0][1]
    skus = [li for li in lines["data"] if li["attributes"]["item_type"] == "skus"]
    assert sorted(li["attributes"]["quantity"] for li in skus) == [1, 2]
    record_count = lines["meta"]["record_count"]
    assert record_count == len(lines["data"]) >= 2
    quantities = [li["attributes"]["quantity"] for li in first[1][1]["data"]]
    assert quantities == sorted(quantities, reverse=True)
    assert first[2][1]["meta"] == {"record_count": record_count, "page_count": record_count}
    assert first[2][1]["data"][0]["id"] == lines["data"][0]["id"]
    assert first[3][1]["data"][0]["id"] == lines["data"][1]["id"]
    assert first[4][1]["data"] == []
    assert [r["type"] for r in first[5][1].get("included", [])] == ["stock_line_items"] * 2
    # Another order's lines are its own, not the first one's.
    second = djangos[len(PATHS) : 2 * len(PATHS)]
    assert {li["id"] for li in second[0][1]["data"]}.isdisjoint({li["id"] for li in lines["data"]})


def test_a_second_related_page_compiles_no_select(world, request):  # noqa: F811
    orders, apis = world
    integration = apis[0]
    url = f"/api/orders/{orders[0].public_id}/line_items?page[size]=1"
    first, compiles = read_twice(integration, url, request)
    assert compiles == []  # the token, the order, the full page and its count
    other = integration.get(f"/api/orders/{orders[1].public_id}/line_items?page[size]=1").json()
    assert compiles == []
    assert other["data"][0]["id"] != first["data"][0]["id"]
