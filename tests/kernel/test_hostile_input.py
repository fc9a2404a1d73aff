"""Hostile input on the wire (issue 14; limits.md sections 1, 2 and 4): each answer is an error
document with the right 4xx and a `source` naming what is wrong, never a 500, nothing written,
on both databases."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.jsonapi.serializers import CENTS_MAX
from tests import factories as f
from tests.kernel.test_bad_input import assert_error, row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MEDIA_TYPE = "application/vnd.api+json"


@pytest.fixture
def price(market):
    sku = f.SkuFactory(code="S1", name="Bag")
    return f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=100)


@pytest.fixture
def stock_item(db):
    return f.StockItemFactory(quantity=5)


def nested_arrays(depth: int) -> str:
    # Built as text: json.dumps itself recurses once per level.
    return "[" * depth + "]" * depth


def sku_body_with_metadata(metadata_json: str) -> str:
    # Four levels before the metadata's own: the document, data, attributes, metadata.
    return (
        '{"data":{"type":"skus","attributes":{"code":"DEEP","name":"Deep","metadata":{"a":'
        + metadata_json
        + "}}}}"
    )


# --- page[number] and page[size] -----------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["9223372036854775807", "2147483648", "9" * 5000, "+1", " 1", "1_0", "١"]
)
def test_page_number_beyond_32_bits_or_not_plain_digits_is_400(integration, price, value):
    response = integration.get(f"/api/skus?page[number]={quote(value)}")
    assert_error(response, 400, "INVALID_PAGE_VALUE", {"parameter": "page[number]"})


def test_the_highest_page_number_is_an_empty_page(integration, price):
    response = integration.get("/api/skus?page[number]=2147483647&page[size]=25")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == []
    assert response.json()["meta"] == {"record_count": 1, "page_count": 1}


@pytest.mark.parametrize("value", ["99999999999999999999999999", "9" * 5000])
def test_huge_page_size_is_400(integration, price, value):
    response = integration.get(f"/api/skus?page[size]={value}")
    assert_error(response, 400, "INVALID_PAGE_VALUE", {"parameter": "page[size]"})


# --- integers in filters and in attributes -------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "key", "value"),
    [
        ("stock_items", "quantity_gt", "99999999999999999999999"),
        ("stock_items", "quantity_gt", "2147483648"),  # 64-bit, but the column is 32-bit
        ("stock_items", "quantity_lt", "-2147483649"),
        ("stock_items", "quantity_in", "1,99999999999999999999999"),
        ("stock_items", "quantity_eq_any", "5,2147483648"),
        ("stock_items", "quantity_not_in", "1e30"),
        ("prices", "amount_cents_eq", "9223372036854775808"),
        ("prices", "amount_cents_gt", "-9223372036854775809"),
        ("prices", "amount_cents_in", "100,99999999999999999999999"),
    ],
)
def test_integers_beyond_the_column_are_400_and_never_reach_the_database(
    integration, price, stock_item, type_name, key, value
):
    with CaptureQueriesContext(connection) as queries:
        response = integration.get(f"/api/{type_name}?filter[q][{key}]={value}")
    assert_error(response, 400, "INVALID_FILTER_VALUE", {"parameter": f"filter[q][{key}]"})
    huge = max(value.split(","), key=len)
    assert not any(huge in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("type_name", "query", "count"),
    [
        ("stock_items", "quantity_lteq=2147483647", 1),
        ("stock_items", "quantity_gt=-2147483648", 1),
        # A positive column is an integer column with a check: below zero is still in range.
        ("stock_items", "quantity_gt=-1", 1),
        ("stock_items", "quantity_in=5,2147483647", 1),
        ("prices", "amount_cents_lt=9223372036854775807", 1),
        ("prices", "amount_cents_gt=-9223372036854775808", 1),
    ],
)
def test_integers_at_the_column_bounds_are_answered(
    integration, price, stock_item, type_name, query, count
):
    key, _, value = query.partition("=")
    response = integration.get(f"/api/{type_name}?filter[q][{key}]={value}")
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["record_count"] == count


@pytest.mark.parametrize(
    ("value", "highest"),
    [(2**31, 2**31 - 1), (2**63, 2**31 - 1), (10**30, 2**31 - 1)],
)
def test_integer_attributes_beyond_the_column_are_422(integration, stock_item, value, highest):
    # SQLite would store 2**31 in this 32-bit column; PostgreSQL would fail: both refuse it.
    response = integration.update("stock_items", stock_item.public_id, {"quantity": value})
    errors = assert_error(
        response, 422, "VALIDATION_ERROR", {"pointer": "/data/attributes/quantity"}
    )
    assert errors[0]["meta"]["error"] == "less_than_or_equal_to"
    assert errors[0]["meta"]["count"] == highest
    stock_item.refresh_from_db()
    assert stock_item.quantity == 5


def test_money_attributes_stay_far_inside_64_bits(integration, price):
    for value in (2**63, CENTS_MAX + 1):
        response = integration.update("prices", price.public_id, {"amount_cents": value})
        errors = assert_error(
            response, 422, "VALIDATION_ERROR", {"pointer": "/data/attributes/amount_cents"}
        )
        assert errors[0]["meta"]["count"] == CENTS_MAX
    response = integration.update("prices", price.public_id, {"amount_cents": CENTS_MAX})
    assert response.status_code == 200, response.content
    price.refresh_from_db()
    assert price.amount_cents == CENTS_MAX


# --- JSON nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_deeper_than_32_levels_is_400(integration, depth):
    before = row_counts()
    body = sku_body_with_metadata(nested_arrays(depth - 4))
    response = integration.post("/api/skus", body)
    errors = assert_error(response, 400, "INVALID_DATA_FORMAT", {"pointer": ""})
    assert "32" in errors[0]["detail"]
    # The same before the idempotency fingerprint reads the body.
    response = integration.post("/api/skus", body, HTTP_IDEMPOTENCY_KEY="deep-1")
    assert_error(response, 400, "INVALID_DATA_FORMAT", {"pointer": ""})
    assert row_counts() == before


def test_objects_count_as_levels_too(integration):
    deep_objects = '{"a":' * 29 + "1" + "}" * 29
    response = integration.post("/api/skus", sku_body_with_metadata(deep_objects))
    assert_error(response, 400, "INVALID_DATA_FORMAT", {"pointer": ""})


def test_json_32_levels_deep_is_accepted(integration):
    response = integration.post("/api/skus", sku_body_with_metadata(nested_arrays(28)))
    assert response.status_code == 201, response.content
    metadata = response.json()["data"]["attributes"]["metadata"]
    assert json.dumps(metadata["a"], separators=(",", ":")) == nested_arrays(28)


def test_brackets_inside_strings_are_not_levels(integration):
    text = "[{" * 100
    response = integration.post("/api/skus", sku_body_with_metadata(json.dumps(text)))
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["metadata"] == {"a": text}


def test_unbalanced_deep_brackets_are_400(integration):
    response = integration.post("/api/skus", '{"data":' + "[" * 5000)
    assert_error(response, 400, "INVALID_DATA_FORMAT", {"pointer": ""})


def test_token_endpoint_refuses_deep_json(client, make_api_client):
    before = row_counts()
    body = '{"grant_type":"client_credentials","x":' + nested_arrays(5000) + "}"
    response = client.post("/oauth/token", data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["title"] == "invalid_request"
    assert row_counts() == before


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "value",
    ['{"a":' * 40 + "1" + "}" * 40, "[" * 5000, '{"a":"\\u0000"}', '{"\\ud800":1}'],
)
def test_jcont_values_deep_or_unstorable_are_400(integration, price, value):
    response = integration.get(f"/api/skus?filter[q][metadata_jcont]={quote(value)}")
    parameter = "filter[q][metadata_jcont]"
    assert_error(response, 400, "INVALID_FILTER_VALUE", {"parameter": parameter})


def test_json_filter_values_deep_or_unstorable_are_400(integration, price):
    for value in ('{"a":' * 40 + "1" + "}" * 40, '{"a":"\\u0000"}'):
        response = integration.get(f"/api/skus?filter[q][metadata_eq]={quote(value)}")
        parameter = "filter[q][metadata_eq]"
        assert_error(response, 400, "INVALID_FILTER_VALUE", {"parameter": parameter})


# --- NUL characters and lone surrogates ------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"name": "Bag\u0000"}, "/data/attributes/name"),
        ({"name": "\ud800"}, "/data/attributes/name"),
        ({"code": "X\udfffY"}, "/data/attributes/code"),
        ({"metadata": {"k\u0000": 1}}, "/data/attributes/metadata/k\u0000"),
        ({"metadata": {"k\ud83d": 1}}, "/data/attributes/metadata/k\ud83d"),
        ({"metadata": {"k": "v\u0000"}}, "/data/attributes/metadata/k"),
        ({"metadata": {"a": [1, {"b/c~": "\udc00"}]}}, "/data/attributes/metadata/a/1/b~1c~0"),
        ({"nope\u0000": 1}, "/data/attributes/nope\u0000"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_unstorable_text_in_a_body_is_400_pointing_at_it(
    integration, price, attributes, pointer, method
):
    before = row_counts()
    sku = price.sku
    if method == "POST":
        response = integration.create("skus", {"code": "NEW", "name": "New", **attributes})
    else:
        response = integration.update("skus", sku.public_id, attributes)
    assert_error(response, 400, "INVALID_FIELD_VALUE", {"pointer": pointer})
    assert row_counts() == before
    sku.refresh_from_db()
    assert (sku.code, sku.name, sku.metadata) == ("S1", "Bag", {})


def test_unstorable_text_in_relationships_and_trigger_values(integration, price):
    sku_id = price.sku.public_id
    before = row_counts()
    relationship = {"sku": {"data": {"type": "skus", "id": sku_id + "\u0000"}}}
    response = integration.update("prices", price.public_id, None, relationship)
    assert_error(
        response, 400, "INVALID_FIELD_VALUE", {"pointer": "/data/relationships/sku/data/id"}
    )
    body = {"data": {"type": "line_items", "attributes": {"sku_code": "S1\u0000", "quantity": 1}}}
    response = integration.post("/api/line_items", body)
    assert_error(response, 400, "INVALID_FIELD_VALUE", {"pointer": "/data/attributes/sku_code"})
    body = {"data": {"type": "skus\ud800", "attributes": {}}}
    response = integration.post("/api/skus", body)
    assert_error(response, 400, "INVALID_FIELD_VALUE", {"pointer": "/data/type"})
    assert row_counts() == before


def test_a_lone_surrogate_in_the_pointer_is_still_valid_json_text(integration):
    response = integration.create("skus", {"code": "N", "name": "N", "metadata": {"\ud800": 1}})
    assert response.status_code == 400
    response.content.decode("utf-8")  # no raw surrogate went out
    assert b"\\ud800" in response.content


@pytest.mark.parametrize(
    ("query", "code", "parameter"),
    [
        ("filter[q][code_eq]=S1%00", "INVALID_FILTER_VALUE", "filter[q][code_eq]"),
        ("filter[q][code_in]=S1,%00", "INVALID_FILTER_VALUE", "filter[q][code_in]"),
        ("filter[q][name_cont]=%00", "INVALID_FILTER_VALUE", "filter[q][name_cont]"),
        ("filter[q][co%00de_eq]=S1", "INVALID_FILTER_VALUE", "filter[q][co\u0000de_eq]"),
        ("sort=code%00", "INVALID_SORT_CRITERIA", "sort"),
        ("include=prices%00", "INVALID_INCLUDE", "include"),
        ("fields[skus]=code%00", "INVALID_FIELD", "fields[skus]"),
        ("page[number]=1%00", "INVALID_PAGE_VALUE", "page[number]"),
        ("other%00=1", "BAD_REQUEST", "other\u0000"),
    ],
)
def test_unstorable_text_in_query_parameters_is_400_naming_the_parameter(
    integration, price, query, code, parameter
):
    response = integration.get(f"/api/skus?{query}")
    assert_error(response, 400, code, {"parameter": parameter})
    member = integration.get(f"/api/skus/{price.sku.public_id}?include=prices%00")
    assert_error(member, 400, "INVALID_INCLUDE", {"parameter": "include"})


def test_unstorable_text_in_the_path_is_400(integration, price):
    before = row_counts()
    sku_id = price.sku.public_id
    bad = f"/api/skus/{sku_id}%00"
    assert_error(integration.get(bad), 400, "INVALID_RESOURCE_ID", {"parameter": "id"})
    assert_error(integration.get(f"{bad}/prices"), 400, "INVALID_RESOURCE_ID")
    assert_error(integration.get(f"{bad}/relationships/prices"), 400, "INVALID_RESOURCE_ID")
    body = {"data": {"type": "skus", "id": sku_id, "attributes": {"name": "X"}}}
    assert_error(integration.patch(bad, body), 400, "INVALID_RESOURCE_ID")
    assert_error(integration.delete(bad), 400, "INVALID_RESOURCE_ID")
    response = integration.get(f"/api/skus/{sku_id}/pri%00ces")
    assert_error(response, 400, "BAD_REQUEST", {"parameter": "relationship"})
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"grant_type": "client_credentials", "client_id": "id\u0000"}, "/client_id"),
        ({"grant_type": "client_credentials", "client_id": "c", "scope": "\ud800"}, "/scope"),
        ({"grant_type": "password", "username": "a@b.c", "password": "p\u0000"}, "/password"),
        ({"grant_type": "client_credentials", "gr\u0000": "x"}, "/gr\u0000"),
    ],
)
def test_token_endpoint_refuses_unstorable_json_fields(client, body, pointer):
    before = row_counts()
    response = client.post("/oauth/token", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["title"], error["source"]) == ("invalid_request", {"pointer": pointer})
    assert row_counts() == before


@pytest.mark.parametrize("field", ["client_id", "scope", "username", "refresh_token"])
def test_token_endpoint_refuses_nul_in_form_fields(client, sales_channel, field):
    before = row_counts()
    form = {"grant_type": "client_credentials", "client_id": "test-sales_channel-market-code-usa"}
    form[field] = form.get(field, "x") + "\u0000"
    response = client.post("/oauth/token", data=form)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["title"], error["source"]) == ("invalid_request", {"parameter": field})
    revoke = client.post("/oauth/revoke", data={"client_id": "c", "token": "t\u0000"})
    assert revoke.json()["errors"][0]["source"] == {"parameter": "token"}
    assert row_counts() == before


def test_token_endpoint_refuses_nul_in_basic_credentials(client):
    import base64

    credentials = base64.b64encode(b"client\x00:secret").decode()
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["source"] == {"header": "Authorization"}


# --- media types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        f"{MEDIA_TYPE}; ext=bogus",
        f"{MEDIA_TYPE}; charset=utf-8",
        f"{MEDIA_TYPE};profile=https://example.com/p",
        f"{MEDIA_TYPE.upper()}; ext=bogus",
    ],
)
def test_the_json_api_media_type_with_parameters_is_415(integration, price, content_type):
    body = {"data": {"type": "skus", "attributes": {"code": "NEW", "name": "New"}}}
    response = integration.post("/api/skus", body, content_type=content_type)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", {"header": "Content-Type"})
    assert not f.SkuFactory._meta.model.objects.filter(code="NEW").exists()
    # Also where there is no body: the rule is about the header.
    assert_error(
        integration.get("/api/skus", CONTENT_TYPE=content_type), 415, "UNSUPPORTED_MEDIA_TYPE"
    )


@pytest.mark.parametrize(
    "accept",
    [
        f"{MEDIA_TYPE}; ext=bogus",
        f"{MEDIA_TYPE}; charset=utf-8",
        f"{MEDIA_TYPE}; ext=a, {MEDIA_TYPE}; profile=b",
        f"{MEDIA_TYPE}; ext=bogus, */*",
    ],
)
def test_accept_with_only_modified_json_api_instances_is_406(integration, price, accept):
    response = integration.get("/api/skus", HTTP_ACCEPT=accept)
    assert_error(response, 406, "NOT_ACCEPTABLE", {"header": "Accept"})


@pytest.mark.parametrize(
    "accept",
    [
        MEDIA_TYPE,
        f"{MEDIA_TYPE}; q=0.9",
        f"{MEDIA_TYPE}; ext=bogus, {MEDIA_TYPE}",
        "application/json, */*",
        "*/*",
    ],
)
def test_accept_admitting_the_plain_type_is_served(integration, price, accept):
    response = integration.get("/api/skus", HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MEDIA_TYPE


def test_what_the_sdk_sends_still_works(integration, price):
    # sdk-wire.md: the bare media type as Accept, and as Content-Type on every method.
    sdk = {"HTTP_ACCEPT": MEDIA_TYPE, "CONTENT_TYPE": MEDIA_TYPE}
    assert integration.get("/api/skus", **sdk).status_code == 200
    body = {
        "data": {"type": "skus", "attributes": {"code": "SDK", "name": "S"}, "relationships": {}}
    }
    created = integration.post("/api/skus", body)
    assert created.status_code == 201, created.content
    sku_id = created.json()["data"]["id"]
    assert (
        integration.client.delete(
            f"/api/skus/{sku_id}", content_type=MEDIA_TYPE, **integration.headers()
        ).status_code
        == 204
    )
