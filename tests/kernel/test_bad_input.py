"""Bad input (issue 3): each is Commerce Layer's error document with the right 4xx and a
`source` naming what is wrong, never a 500, and nothing is written."""

import json

import pytest
from django.apps import apps

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MEDIA_TYPE = "application/vnd.api+json"


def row_counts() -> dict:
    return {
        m._meta.label: m._default_manager.count()
        for app in ("commerce", "inventory", "markets", "orders")
        for m in apps.get_app_config(app).get_models()
        if m._meta.label not in ("commerce.IdempotencyKey",)
    }


@pytest.fixture
def price(market):
    sku = f.SkuFactory(code="S1", name="Bag")
    return f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=100)


def assert_error(response, status, code, source=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    errors = response.json()["errors"]
    assert errors[0]["code"] == code, errors
    assert errors[0]["status"] == str(status)
    assert errors[0]["title"] and errors[0]["detail"]
    if source is not None:
        assert errors[0]["source"] == source, errors
    return errors


def sku_doc(**attributes):
    return {"data": {"type": "skus", "attributes": {"code": "NEW", "name": "New", **attributes}}}


# --- the document itself -------------------------------------------------------------------


def test_malformed_json(integration, price):
    before = row_counts()
    assert_error(
        integration.post("/api/skus", "{not json"), 400, "INVALID_DATA_FORMAT", {"pointer": ""}
    )
    assert_error(integration.post("/api/skus", "[]"), 400, "INVALID_DATA_FORMAT", {"pointer": ""})
    assert_error(
        integration.post("/api/skus", b"\xff\xfe"), 400, "INVALID_DATA_FORMAT", {"pointer": ""}
    )
    assert row_counts() == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_wrong_or_missing_content_type_is_415(integration, content_type):
    response = integration.post("/api/skus", sku_doc(), content_type=content_type)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", {"header": "Content-Type"})
    assert not f.SkuFactory._meta.model.objects.exists()


def test_wrong_accept_is_406_and_any_accept_is_served(integration, price):
    assert_error(
        integration.get("/api/skus", HTTP_ACCEPT="application/json"),
        406,
        "NOT_ACCEPTABLE",
        {"header": "Accept"},
    )
    assert integration.get("/api/skus", HTTP_ACCEPT="*/*").status_code == 200


def test_content_type_on_a_get_is_accepted(integration, price):
    # The SDK sends Content-Type on GET and DELETE too (api.md section 1).
    assert integration.get("/api/skus", CONTENT_TYPE=MEDIA_TYPE).status_code == 200


def test_body_over_one_megabyte_is_413(integration):
    response = integration.post("/api/skus", sku_doc(description="x" * (1024 * 1024)))
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", {"pointer": ""})
    assert not f.SkuFactory._meta.model.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"meta": {}}, "PARAM_MISSING", "/data"),
        ({"data": []}, "INVALID_RESOURCE", "/data"),
        ({"data": {"type": "prices", "attributes": {}}}, "TYPE_MISMATCH", "/data/type"),
        ({"data": {"attributes": {"code": "X"}}}, "TYPE_MISMATCH", "/data/type"),
        ({"data": {"type": "skus", "id": "abcdefghij"}}, "PARAM_NOT_ALLOWED", "/data/id"),
        ({"data": {"type": "skus", "attributes": []}}, "INVALID_DATA_FORMAT", "/data/attributes"),
    ],
)
def test_malformed_create_documents(integration, body, code, pointer):
    assert_error(integration.post("/api/skus", body), 400, code, {"pointer": pointer})
    assert not f.SkuFactory._meta.model.objects.exists()


def test_patch_id_must_match_the_url(integration, price):
    sku = price.sku
    url = f"/api/skus/{sku.public_id}"
    other = {"data": {"type": "skus", "id": "zzzzzzzzzz", "attributes": {"name": "X"}}}
    errors = assert_error(integration.patch(url, other), 400, "KEY_NOT_INCLUDED_IN_URL")
    assert errors[0]["source"] == {"pointer": "/data/id"}
    missing = {"data": {"type": "skus", "attributes": {"name": "X"}}}
    assert_error(
        integration.patch(url, missing), 400, "KEY_ORDER_MISMATCH", {"pointer": "/data/id"}
    )
    sku.refresh_from_db()
    assert sku.name == "Bag"


# --- attributes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["colour", "created_at", "id", "formatted_amount", "_nothing"])
def test_unknown_read_only_or_computed_attributes_are_400(integration, price, name):
    response = integration.update("prices", price.public_id, {name: "x", "amount_cents": 5})
    assert_error(response, 400, "PARAM_NOT_ALLOWED", {"pointer": f"/data/attributes/{name}"})
    price.refresh_from_db()
    assert price.amount_cents == 100


@pytest.mark.parametrize(
    ("attributes", "pointer", "error"),
    [
        ({"amount_cents": "abc"}, "amount_cents", "invalid"),
        ({"amount_cents": 1.5}, "amount_cents", "invalid"),
        ({"amount_cents": True}, "amount_cents", "invalid"),
        ({"amount_cents": [1]}, "amount_cents", "invalid"),
        ({"amount_cents": None}, "amount_cents", None),
        ({"amount_cents": -1}, "amount_cents", "greater_than_or_equal_to"),
        ({"amount_cents": 10**30}, "amount_cents", "less_than_or_equal_to"),
        ({"compare_at_amount_cents": "12"}, "compare_at_amount_cents", "invalid"),
    ],
)
def test_wrong_value_types_and_numbers_are_422_on_the_attribute(
    integration, price, attributes, pointer, error
):
    errors = assert_error(
        integration.update("prices", price.public_id, attributes),
        422,
        "VALIDATION_ERROR",
        {"pointer": f"/data/attributes/{pointer}"},
    )
    if error:
        assert errors[0]["meta"]["error"] == error
    price.refresh_from_db()
    assert price.amount_cents == 100


@pytest.mark.parametrize(
    ("attributes", "pointer", "error"),
    [
        ({"name": 12}, "name", "invalid"),
        ({"name": None}, "name", "blank"),
        ({"name": {"a": 1}}, "name", "invalid"),
        ({"do_not_ship": "yes please"}, "do_not_ship", "invalid"),
        ({"weight": "heavy"}, "weight", "invalid"),
        ({"metadata": "not an object"}, "metadata", "invalid"),
        ({"name": "n" * 256}, "name", "too_long"),
    ],
)
def test_wrong_types_on_strings_booleans_and_objects(
    integration, price, attributes, pointer, error
):
    errors = assert_error(
        integration.update("skus", price.sku.public_id, attributes),
        422,
        "VALIDATION_ERROR",
        {"pointer": f"/data/attributes/{pointer}"},
    )
    assert errors[0]["meta"]["error"] == error
    price.sku.refresh_from_db()
    assert price.sku.name == "Bag"


def test_one_error_per_problem(integration):
    response = integration.post("/api/skus", {"data": {"type": "skus", "attributes": {"name": 1}}})
    errors = assert_error(response, 422, "VALIDATION_ERROR")
    pointers = sorted(e["source"]["pointer"] for e in errors)
    assert pointers == ["/data/attributes/code", "/data/attributes/name"]


def test_nan_and_infinity_are_not_numbers(integration, price):
    body = '{"data": {"type": "prices", "id": "%s", "attributes": {"amount_cents": NaN}}}'
    response = integration.patch(f"/api/prices/{price.public_id}", body % price.public_id)
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["source"]["pointer"] in (
        "",
        "/data/attributes/amount_cents",
    )
    price.refresh_from_db()
    assert price.amount_cents == 100


def test_duplicate_unique_code_is_422_not_an_integrity_error(integration, price):
    errors = assert_error(
        integration.create("skus", {"code": "S1", "name": "Again"}),
        422,
        "VALIDATION_ERROR",
        {"pointer": "/data/attributes/code"},
    )
    assert errors[0]["meta"]["error"] == "taken"
    assert f.SkuFactory._meta.model.objects.count() == 1


# --- relationships -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("linkage", "error"),
    [
        ({"data": {"type": "nopes", "id": "abcdefghij"}}, "invalid"),
        ({"data": {"type": "skus", "id": "abcdefghij"}}, "not_found"),
        ({"data": {"type": "price_lists", "id": "abcdefghij"}}, "invalid"),
        ({"data": "abcdefghij"}, "invalid"),
        ({"data": {"type": "skus"}}, "invalid"),
    ],
)
def test_bad_relationships_are_422_on_the_relationship(integration, price, linkage, error):
    before = row_counts()
    response = integration.update("prices", price.public_id, None, {"sku": linkage})
    errors = assert_error(response, 422, "VALIDATION_ERROR", {"pointer": "/data/relationships/sku"})
    assert errors[0]["meta"]["error"] == error
    assert row_counts() == before


def test_a_relationship_that_is_not_an_object_is_400(integration, price):
    response = integration.update("prices", price.public_id, None, {"sku": "sku"})
    assert_error(response, 400, "INVALID_LINKS_OBJECT", {"pointer": "/data/relationships/sku"})


def test_unknown_relationship_is_400(integration, price):
    response = integration.update("prices", price.public_id, None, {"nope": {"data": None}})
    assert_error(response, 400, "PARAM_NOT_ALLOWED", {"pointer": "/data/relationships/nope"})


def test_a_relationship_to_another_markets_record_is_out_of_reach(
    sales_channel, market, other_market
):
    before = row_counts()
    response = sales_channel.create(
        "orders", {}, {"market": {"data": {"type": "markets", "id": other_market.public_id}}}
    )
    errors = assert_error(
        response, 422, "VALIDATION_ERROR", {"pointer": "/data/relationships/market"}
    )
    assert errors[0]["meta"]["error"] == "not_found"
    assert row_counts() == before


# --- query parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "parameter"),
    [
        ("page[size]=0", "INVALID_PAGE_VALUE", "page[size]"),
        ("page[size]=26", "INVALID_PAGE_VALUE", "page[size]"),
        ("page[size]=-1", "INVALID_PAGE_VALUE", "page[size]"),
        ("page[size]=abc", "INVALID_PAGE_VALUE", "page[size]"),
        ("page[number]=0", "INVALID_PAGE_VALUE", "page[number]"),
        ("page[number]=x", "INVALID_PAGE_VALUE", "page[number]"),
        ("page[foo]=1", "PARAM_NOT_ALLOWED", "page[foo]"),
        ("foo=1", "PARAM_NOT_ALLOWED", "foo"),
        ("sort=nothing", "INVALID_SORT_CRITERIA", "sort"),
        ("sort=code,-nothing", "INVALID_SORT_CRITERIA", "sort"),
        ("sort=metadata", "INVALID_SORT_CRITERIA", "sort"),  # an object: _jcont, never sorted
        ("sort=-code,metadata", "INVALID_SORT_CRITERIA", "sort"),
        ("include=nope", "INVALID_INCLUDE", "include"),
        ("include=prices.nope", "INVALID_INCLUDE", "include"),
        ("fields[skus]=nope", "INVALID_FIELD", "fields[skus]"),
        ("fields[nope]=code", "INVALID_RESOURCE", "fields[nope]"),
        ("filter[q][colour_eq]=red", "FILTER_NOT_ALLOWED", "filter[q][colour_eq]"),
        ("filter[q][name_nope]=red", "FILTER_NOT_ALLOWED", "filter[q][name_nope]"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(
    integration, price, query, code, parameter
):
    response = integration.get(f"/api/skus?{query}")
    assert_error(response, 400, code, {"parameter": parameter})


def test_size_over_the_maximum_says_the_maximum(integration, price):
    response = integration.get("/api/skus?page[size]=26")
    assert response.json()["errors"][0]["detail"] == "size exceeds maximum page size of 25."


def test_page_past_the_end_and_empty_lists(integration, price):
    past = integration.get("/api/skus?page[number]=5")
    assert past.status_code == 200
    assert past.json()["data"] == []
    assert past.json()["meta"] == {"record_count": 1, "page_count": 1}
    empty = integration.get("/api/skus?filter[q][code_eq]=none")
    assert empty.json()["meta"] == {"record_count": 0, "page_count": 0}
    links = empty.json()["links"]
    assert "page[number]=1" in links["first"] and "page[number]=1" in links["last"]
    assert "prev" not in links and "next" not in links


def test_default_and_maximum_page_size(integration):
    for n in range(27):
        f.SkuFactory(code=f"P{n:02d}")
    assert len(integration.get("/api/skus").json()["data"]) == 10
    page = integration.get("/api/skus?page[size]=25&page[number]=2")
    assert len(page.json()["data"]) == 2
    assert page.json()["meta"] == {"record_count": 27, "page_count": 2}


# --- methods and routes --------------------------------------------------------------------


def test_unknown_routes_and_ids_are_404(integration):
    assert_error(integration.get("/api/nothing"), 404, "RECORD_NOT_FOUND")
    # Each route shape of an unknown type (routing.py dispatches on the type's name).
    assert_error(integration.get("/api/nothing/abcdefghij"), 404, "RECORD_NOT_FOUND")
    assert_error(integration.get("/api/nothing/abcdefghij/skus"), 404, "RECORD_NOT_FOUND")
    assert_error(
        integration.get("/api/nothing/abcdefghij/relationships/skus"), 404, "RECORD_NOT_FOUND"
    )
    assert_error(integration.post("/api/nothing", sku_doc()), 404, "RECORD_NOT_FOUND")
    assert_error(integration.get("/api/skus/"), 404, "RECORD_NOT_FOUND")
    assert_error(integration.get("/api/skus/abcdefghij"), 404, "RECORD_NOT_FOUND")
    assert_error(integration.get("/api/skus/1"), 404, "RECORD_NOT_FOUND")


def test_methods_a_resource_does_not_offer_are_405(integration, price):
    response = integration.client.put(
        f"/api/skus/{price.sku.public_id}",
        data=json.dumps(sku_doc()),
        content_type=MEDIA_TYPE,
        **integration.headers(),
    )
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    relationship = integration.patch(
        f"/api/prices/{price.public_id}/relationships/sku", {"data": None}
    )
    assert_error(relationship, 405, "METHOD_NOT_ALLOWED")
