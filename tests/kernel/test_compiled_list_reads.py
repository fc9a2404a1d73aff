"""A GET of a collection without filters counts and reads its page with SQL compiled once per
process (commerce/jsonapi/rows.list_within_reach): each answer must be exactly what Django's own
compile of the same querysets answers, for every kind of token and every token's values, every
order and page; a scope at `now` is read at each request's `now`; pages and shapes past what is
compiled still answer, through Django."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.kernel.test_compiled_member_reads import world  # noqa: F401 (a fixture)
from tests.markets_tax_promotions.conftest import PercentageDiscountPromotionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

URLS = (
    "/api/orders?include=line_items",
    "/api/orders?sort=-number&page[size]=2&include=line_items.item",
    "/api/orders?sort=-number&page[size]=2&page[number]=2",
    "/api/orders?page[size]=1&page[number]=4",
    "/api/orders?page[size]=1&page[number]=9",  # past the last page
    "/api/line_items?sort=-quantity,created_at",
    "/api/shipments?include=stock_line_items",
    "/api/addresses",
    "/api/markets",
    "/api/skus?include=prices",
)


def answers(apis) -> list:
    return [(r.status_code, r.json()) for api in apis for url in URLS for r in [api.get(url)]]


def djangos_own(monkeypatch):
    """Every list read as before: Django compiles the count, the page and its prefetches."""
    from commerce.jsonapi import document, reading

    monkeypatch.setattr(reading, "list_within_reach", lambda *args: None)
    monkeypatch.setattr(document, "compiled_prefetch", lambda queryset, *args: queryset)
    monkeypatch.setattr(document, "_plain", lambda resource_cls, lookup: lookup)


def numbers(answer) -> list:
    return [row["attributes"]["number"] for row in answer[1]["data"]]


def test_every_token_lists_what_djangos_own_compile_lists(world, monkeypatch):  # noqa: F811
    orders, apis = world
    compiled = answers(apis)
    again = answers(apis)  # the SQL now held, other tokens' values in its parameters
    djangos_own(monkeypatch)
    djangos = answers(apis)

    assert compiled == again == djangos
    integration, sales_channel, other_sales_channel, ada, bob = (
        djangos[i * len(URLS) : (i + 1) * len(URLS)] for i in range(5)
    )
    by_number = sorted((o.number for o in orders), reverse=True)
    assert integration[0][1]["meta"] == {"record_count": 4, "page_count": 1}
    assert {r["type"] for r in integration[0][1]["included"]} == {"line_items"}
    assert numbers(integration[1]) == by_number[:2]
    assert numbers(integration[2]) == by_number[2:]
    assert integration[2][1]["meta"] == {"record_count": 4, "page_count": 2}
    assert numbers(integration[3]) == [orders[3].number]  # created last, page 4 of 1 each
    assert integration[4][1]["data"] == []
    quantities = [r["attributes"]["quantity"] for r in integration[5][1]["data"]]
    assert quantities == sorted(quantities, reverse=True) and 3 in quantities
    # A sales channel lists no orders but its market's SKUs; a customer its own orders.
    assert {code for code, _ in sales_channel} == {401, 200}
    assert [code for code, _ in sales_channel].count(200) == 1
    for api, currencies in (
        (integration, ["EUR", "USD", "USD"]),
        (sales_channel, ["USD", "USD"]),
        (other_sales_channel, ["EUR"]),
    ):  # every SKU, priced in the token's market only
        prices = api[-1][1]["included"]
        assert sorted(price["attributes"]["currency_code"] for price in prices) == currencies
    assert [o["id"] for o in ada[0][1]["data"]] == [orders[0].public_id]
    assert [o["id"] for o in bob[0][1]["data"]] == [orders[1].public_id]
    assert ada[0][1]["meta"] == {"record_count": 1, "page_count": 1}


def test_a_second_list_compiles_no_select(world, request):  # noqa: F811
    _, apis = world
    integration = apis[0]
    url = "/api/orders?include=line_items&page[size]=3"
    first = integration.get(url).json()
    compiles = request.getfixturevalue("sql_compiles")  # from here on
    assert integration.get(url).json() == first
    assert first["meta"] == {"record_count": 4, "page_count": 2}
    assert compiles == []  # the token, the count, the page and its line items

    # A filter is a value of the SQL's shape: Django compiles it.
    assert integration.get(
        url + "&filter[q][number_eq]=" + first["data"][0]["attributes"]["number"]
    ).json()["meta"] == {"record_count": 1, "page_count": 1}
    assert compiles


def test_a_list_scoped_at_now_is_read_at_each_requests_now(market, sales_channel, monkeypatch):
    """A storefront lists the promotions active now: the SQL held must not keep the `now` of the
    request that compiled it."""
    later = PercentageDiscountPromotionFactory(
        market=market, starts_at=timezone.now() + timedelta(minutes=1)
    )
    ongoing = PercentageDiscountPromotionFactory(market=market)

    def listed():
        return [p["id"] for p in sales_channel.get("/api/promotions").json()["data"]]

    assert listed() == [ongoing.public_id]
    assert listed() == [ongoing.public_id]
    in_two_minutes = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: in_two_minutes)
    assert listed() == [later.public_id, ongoing.public_id]


def test_pages_and_shapes_past_those_compiled_read_through_django(world, monkeypatch):  # noqa: F811
    from commerce.jsonapi import rows

    _, apis = world
    integration = apis[0]
    deep = "/api/orders?page[size]=1&page[number]={}&sort=number"
    expected = [integration.get(deep.format(n)).json() for n in (1, 2, 3, 4)]
    # page 1 of 1 per page is compiled; the same read past PAGES_COMPILED pages is not.
    monkeypatch.setattr(rows, "PAGES_COMPILED", 2)
    held = dict(rows._READS)
    assert [integration.get(deep.format(n)).json() for n in (1, 2, 3, 4)] == expected
    assert rows._READS == held  # pages 1 and 2 were held already, 3 and 4 not kept
    # Past LIST_READS_MAX compiled reads, another order (or page size) is not kept either.
    monkeypatch.setattr(rows, "LIST_READS_MAX", len(rows._READS))
    by_status = integration.get("/api/orders?sort=status,-number&page[size]=3").json()
    assert rows._READS == held
    djangos_own(monkeypatch)
    assert integration.get("/api/orders?sort=status,-number&page[size]=3").json() == by_status
    assert [row["attributes"]["number"] for row in expected[0]["data"]] == [
        min(row["attributes"]["number"] for page in expected for row in page["data"])
    ]
