"""No query per row (issue 3): each list endpoint issues the same number of SQL queries for 1
and for 25 rows, with every include of the resource asked at once; the counts are pinned so
that a regression shows as a changed number."""

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.resources.cases import CASES

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
_serial = count()

# Queries for a page of any size with every include: the count, the page, and one per
# included relationship (two relationships on one source share it). Pinned per type.
BUDGET = {
    "merchants": 4,
    "addresses": 3,
    "price_lists": 4,
    "prices": 3,
    "skus": 6,
    "shipping_categories": 4,
    "markets": 10,  # 9 + its customer_group (issue 20), a new includable relationship
    "stock_locations": 7,
    "stock_items": 5,
    "inventory_models": 4,
    "inventory_stock_locations": 5,
    "shipping_methods": 7,  # 6 + its weight tiers (issue 21: both tier relationships, one read)
    "shipping_zones": 3,
    # issue 21: token, page, count; the method is joined (its currency prices the tier)
    "shipping_weight_tiers": 3,
    "shipping_method_tiers": 3,
    "delivery_lead_times": 5,
    "manual_gateways": 4,
    "payment_gateways": 4,
    "payment_methods": 4,
    "customer_groups": 5,
    "tags": 3,  # token, page, count
    "exports": 3,  # token, page, count (attachment_url is signed, no query)
    "imports": 3,  # token, page, count (attachment_url is signed, no query)
    "cleanups": 3,  # token, page, count
    "gift_cards": 4,
    "gift_card_recipients": 4,
    "bundles": 5,  # token, page, count, market, sku_list
    "packages": 5,  # token, page, count, stock_location, parcels
    # token, page, count, shipment (its order joined), its stock line items (skus_count),
    # package, parcel_line_items
    "parcels": 7,
    "parcel_line_items": 5,  # token, page, count, parcel, stock_line_item (line and SKU joined)
}


def queries_for(api, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries), response.json()


def rows(api, case) -> int:
    return api.get(f"/api/{case.type}").json()["meta"]["record_count"]


def make_rows(case):
    record = case.make(next(_serial))
    if case.related:
        case.related(record)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_list_with_every_include_costs_the_same_for_1_and_25_rows(integration, case):
    include = ",".join(case.relationships)
    url = f"/api/{case.type}?page[size]=25" + (f"&include={include}" if include else "")
    make_rows(case)
    few, document = queries_for(integration, url)
    # Some records bring a sibling of their own type (a market's stock location ...).
    assert 1 <= len(document["data"]) <= 3
    while rows(integration, case) < 25:
        make_rows(case)
    many, document = queries_for(integration, url)
    assert len(document["data"]) == 25
    assert many == few, f"{case}: {few} queries for {len(document['data'])} rows, {many} for 25"
    assert few == BUDGET[case.type], f"{case}: {few} queries (pinned {BUDGET[case.type]})"
