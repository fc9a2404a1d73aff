"""Every Ransack predicate of api.md section 3, over HTTP, on attributes, relationship paths
and `_or_` combinations: each asserts exactly which records come back."""

from urllib.parse import quote

import pytest
from django.db import connection

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def skus(db):
    """Three SKUs whose attributes tell the predicates apart (nulls and empties included)."""
    merchandise = f.ShippingCategoryFactory(name="Merchandise")
    hats = f.ShippingCategoryFactory(name="Hats")
    return {
        "A": f.SkuFactory(
            code="BAG-RED",
            name="Red Bag",
            description="Unisex bag",
            weight=0.5,
            do_not_ship=False,
            reference="CRM",
            metadata={"color": "red", "size": "m"},
            shipping_category=merchandise,
        ),
        "B": f.SkuFactory(
            code="BAG-BLUE",
            name="Blue Bag",
            description=None,
            weight=1.0,
            do_not_ship=True,
            reference=None,
            metadata={"color": "blue"},
            shipping_category=merchandise,
        ),
        "C": f.SkuFactory(
            code="HAT-100%",
            name="Hat_x",
            description="",
            weight=None,
            do_not_ship=False,
            reference="ERP",
            shipping_category=hats,
        ),
    }


def codes(api, skus, query: str) -> list[str]:
    response = api.get(f"/api/skus?{query}&sort=code")
    assert response.status_code == 200, (query, response.json())
    by_id = {sku.public_id: label for label, sku in skus.items()}
    found = [by_id[item["id"]] for item in response.json()["data"]]
    assert response.json()["meta"]["record_count"] == len(found), query
    return sorted(found)


# (filter key, raw value, SKUs expected). Values are URL-encoded by the test.
CASES = [
    ("name_eq", "Red Bag", "A"),
    ("reference_eq_or_null", "CRM", "AB"),
    ("reference_not_eq", "CRM", "C"),
    ("reference_not_eq_or_null", "CRM", "BC"),
    ("code_matches", "BAG-%", "AB"),
    ("code_does_not_match", "BAG-%", "C"),
    ("code_matches_any", "%RED,HAT%", "AC"),
    ("code_matches_all", "BAG%,%BLUE", "B"),
    ("code_does_not_match_any", "BAG%,%RED", "BC"),
    ("code_does_not_match_all", "BAG%,%RED", "C"),
    ("weight_lt", "1.0", "A"),
    ("weight_lteq", "1.0", "AB"),
    ("weight_gt", "0.5", "B"),
    ("weight_gteq", "0.5", "AB"),
    ("weight_lt_any", "0.6,0.1", "A"),
    ("weight_lteq_any", "0.5,0.1", "A"),
    ("weight_gt_any", "0.7,2", "B"),
    ("weight_gteq_any", "1,5", "B"),
    ("weight_lt_all", "0.6,2", "A"),
    ("weight_lteq_all", "1,2", "AB"),
    ("weight_gt_all", "0.1,0.7", "B"),
    ("weight_gteq_all", "0.5,0.2", "AB"),
    ("weight_not_eq_all", "0.5,2", "B"),
    ("code_eq_any", "BAG-RED,HAT-100%", "AC"),
    ("code_in", "BAG-RED,BAG-BLUE", "AB"),
    ("code_not_in", "BAG-RED,BAG-BLUE", "C"),
    ("reference_not_in", "CRM", "C"),
    ("reference_not_in_or_null", "CRM", "BC"),
    ("description_present", "true", "A"),
    ("description_present", "false", "BC"),
    ("description_blank", "true", "BC"),
    ("description_blank", "0", "A"),
    ("reference_null", "true", "B"),
    ("reference_null", "false", "AC"),
    ("reference_not_null", "t", "AC"),
    ("reference_not_null", "f", "B"),
    ("name_start", "red", "A"),
    ("name_not_start", "red", "BC"),
    ("name_start_any", "red,blue", "AB"),
    ("name_start_all", "r,re", "A"),
    ("code_end", "100%", "C"),
    ("code_not_end", "RED", "BC"),
    ("code_end_all", "D,ED", "A"),
    ("code_not_end_any", "RED,BLUE", "ABC"),
    ("code_not_end_all", "RED,BLUE", "C"),
    ("name_not_start_any", "red,blue", "ABC"),
    ("name_not_start_all", "red,blue", "C"),
    ("code_end_any", "RED,BLUE", "AB"),
    ("description_cont", "UNISEX", "A"),
    ("name_not_cont", "bag", "C"),
    ("name_cont_any", "red,hat", "AC"),
    ("name_cont_all", "bag,blue", "B"),
    ("name_not_cont_any", "red,bag", "BC"),
    ("name_not_cont_all", "red,blue", "C"),
    ("name_i_cont", "RED", "A"),
    ("name_not_i_cont", "RED", "BC"),
    ("name_i_cont_any", "RED,HAT", "AC"),
    ("name_i_cont_all", "BAG,RED", "A"),
    # `%` and `_` are literal in cont/start/end, wildcards only in matches.
    ("name_cont", "_", "C"),
    ("code_start", "%", ""),
    ("do_not_ship_true", "true", "B"),
    ("do_not_ship_true", "false", "AC"),
    ("do_not_ship_false", "1", "AC"),
    ("created_at_gt", "2000-01-01", "ABC"),
    ("created_at_lt", "2000-01-01T00:00:00.000Z", ""),
    ("id_eq", None, "B"),  # the public id, filled in below
    # `_or_` joins attributes; relationship paths walk declared relationships.
    ("name_or_code_cont", "blue", "B"),
    ("name_or_description_cont", "unisex", "A"),
    ("shipping_category_name_start", "Merch", "AB"),
    ("name_or_code_or_shipping_category_name_start", "HAT", "C"),
    # An empty value drops the condition (Ransack).
    ("name_eq", "", "ABC"),
]


@pytest.mark.parametrize(("key", "value", "expected"), CASES, ids=[f"{k}={v}" for k, v, _ in CASES])
def test_predicate(integration, skus, key, value, expected):
    if value is None:
        value = skus["B"].public_id
    query = f"filter[q][{key}]={quote(value, safe='')}"
    assert codes(integration, skus, query) == sorted(expected)


def test_every_predicate_of_api_md_is_exercised():
    from commerce.jsonapi.filters import PREDICATES

    exercised = {key.rsplit("_", 1)[-1] for key, _, _ in CASES}
    tested = set()
    for key, _, _ in CASES:
        for name in sorted(PREDICATES, key=len, reverse=True):
            if key.endswith("_" + name):
                tested.add(name)
                break
    untested = set(PREDICATES) - tested - {"jcont", "eq_all", "not_eq_any"}
    assert not untested, f"predicates without a case: {sorted(untested)}"
    assert exercised


def test_eq_all_and_not_eq_any(integration, skus):
    assert codes(integration, skus, "filter[q][code_eq_all]=BAG-RED,BAG-RED") == ["A"]
    assert codes(integration, skus, "filter[q][code_eq_all]=BAG-RED,BAG-BLUE") == []
    assert codes(integration, skus, "filter[q][code_not_eq_any]=BAG-RED,BAG-BLUE") == [
        "A",
        "B",
        "C",
    ]


def test_several_filters_are_anded(integration, skus):
    query = "filter[q][name_cont]=bag&filter[q][do_not_ship_true]=true"
    assert codes(integration, skus, query) == ["B"]


def test_encoded_and_unencoded_brackets_parse_the_same(integration, skus):
    plain = codes(integration, skus, "filter[q][code_in]=BAG-RED,BAG-BLUE")
    encoded = codes(integration, skus, "filter%5Bq%5D%5Bcode_in%5D=BAG-RED%2CBAG-BLUE")
    assert plain == encoded == ["A", "B"]


def test_to_many_paths_return_each_record_once(integration, skus, market, other_market):
    for price_list in (market.price_list, other_market.price_list):
        f.PriceFactory(price_list=price_list, sku=skus["A"], amount_cents=5000)
    f.PriceFactory(price_list=market.price_list, sku=skus["B"], amount_cents=100)
    assert codes(integration, skus, "filter[q][prices_amount_cents_gt]=1000") == ["A"]


def test_relationship_path_on_another_resource(integration, skus):
    location = f.StockLocationFactory()
    items = {
        label: f.StockItemFactory(stock_location=location, sku=sku) for label, sku in skus.items()
    }
    response = integration.get("/api/stock_items?filter[q][sku_code_in]=BAG-RED,HAT-100%25")
    assert response.status_code == 200
    assert sorted(d["id"] for d in response.json()["data"]) == sorted(
        [items["A"].public_id, items["C"].public_id]
    )


def test_related_lists_filter_too(integration, skus):
    location = f.StockLocationFactory()
    for sku in skus.values():
        f.StockItemFactory(stock_location=location, sku=sku)
    response = integration.get(
        f"/api/stock_locations/{location.public_id}/stock_items?filter[q][sku_code_eq]=BAG-BLUE"
    )
    assert response.status_code == 200
    assert response.json()["meta"]["record_count"] == 1


def test_jcont_on_metadata(integration, skus):
    response = integration.get(
        "/api/skus?filter[q][metadata_jcont]=" + quote('{"color":"red"}', safe="")
    )
    if connection.vendor == "postgresql":
        assert response.status_code == 200
        assert [d["id"] for d in response.json()["data"]] == [skus["A"].public_id]
    else:
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert error["code"] == "FILTER_NOT_ALLOWED"
        assert "PostgreSQL" in error["detail"]


@pytest.mark.parametrize(
    ("query", "code", "parameter"),
    [
        ("filter[q][colour_eq]=red", "FILTER_NOT_ALLOWED", "filter[q][colour_eq]"),
        ("filter[q][name_like]=red", "FILTER_NOT_ALLOWED", "filter[q][name_like]"),
        ("filter[q][weight_cont]=1", "FILTER_NOT_ALLOWED", "filter[q][weight_cont]"),
        ("filter[q][market_secret_eq]=x", "FILTER_NOT_ALLOWED", "filter[q][market_secret_eq]"),
        ("filter[q][weight_gt]=abc", "INVALID_FILTER_VALUE", "filter[q][weight_gt]"),
        ("filter[q][weight_in]=1,abc", "INVALID_FILTER_VALUE", "filter[q][weight_in]"),
        ("filter[q][created_at_gt]=yesterday", "INVALID_FILTER_VALUE", "filter[q][created_at_gt]"),
        (
            "filter[q][do_not_ship_true]=maybe",
            "INVALID_FILTER_VALUE",
            "filter[q][do_not_ship_true]",
        ),
        ("filter[q][metadata_jcont]=[1]", None, "filter[q][metadata_jcont]"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(integration, skus, query, code, parameter):
    response = integration.get(f"/api/skus?{query}")
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    if code is None:  # jcont: not a JSON object (PostgreSQL) or not supported (SQLite)
        code = "INVALID_FILTER_VALUE" if connection.vendor == "postgresql" else "FILTER_NOT_ALLOWED"
    assert (error["code"], error["status"]) == (code, "400")
    assert error["source"] == {"parameter": parameter}


@pytest.mark.parametrize("query", ["filter=x", "filter[x]=1", "filter[q]=1", "filter[q][a][b]=1"])
def test_malformed_filter_keys_are_400(integration, skus, query):
    response = integration.get(f"/api/skus?{query}")
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    assert error["code"] in ("INVALID_FILTERS_SYNTAX", "FILTER_NOT_ALLOWED")
    assert "parameter" in error["source"]


def test_filters_never_widen_a_storefront_token(sales_channel, skus):
    # A sales channel may not walk into stock items (auth.md): the path itself is refused.
    response = sales_channel.get("/api/skus?filter[q][stock_items_quantity_gt]=0")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "FILTER_NOT_ALLOWED"
