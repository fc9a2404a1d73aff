"""The rest of the kernel's input parsing (commerce/jsonapi, commerce/triggers.py): the branches
the other kernel tests leave, each as a request a client could send."""

import pytest

from markets.models import Market
from orders.models import Transaction
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def price(market):
    return f.PriceFactory(price_list=market.price_list, sku=f.SkuFactory(code="S1"))


def error_of(response, status):
    assert response.status_code == status, response.content
    (error,) = response.json()["errors"]
    return error


# --- documents -------------------------------------------------------------------------------


def test_an_empty_body_is_a_missing_data(integration):
    error = error_of(integration.post("/api/skus", ""), 400)
    assert (error["code"], error["source"]) == ("PARAM_MISSING", {"pointer": "/data"})


def test_unknown_members_of_data_are_not_allowed(integration):
    body = {"data": {"type": "skus", "attributes": {"code": "A", "name": "A"}, "colour": 1}}
    error = error_of(integration.post("/api/skus", body), 400)
    assert (error["code"], error["source"]) == ("PARAM_NOT_ALLOWED", {"pointer": "/data/colour"})


def test_a_required_relationship_set_to_null_is_blank(integration, price):
    body = {
        "data": {
            "type": "prices",
            "attributes": {"amount_cents": 100},
            "relationships": {
                "price_list": {"data": None},
                "sku": {"data": {"type": "skus", "id": price.sku.public_id}},
            },
        }
    }
    response = integration.post("/api/prices", body)
    assert response.status_code == 422
    errors = {e["source"]["pointer"]: e["meta"]["error"] for e in response.json()["errors"]}
    assert errors == {"/data/relationships/price_list": "blank"}


def test_an_unknown_code_reference_is_422_on_it(integration, market):
    body = {
        "data": {
            "type": "prices",
            "attributes": {"amount_cents": 100, "sku_code": "NOPE"},
            "relationships": {
                "price_list": {"data": {"type": "price_lists", "id": market.price_list.public_id}}
            },
        }
    }
    response = integration.post("/api/prices", body)
    assert response.status_code == 422
    pointers = [e["source"]["pointer"] for e in response.json()["errors"]]
    assert "/data/attributes/sku_code" in pointers


@pytest.mark.parametrize(
    ("type_name", "attributes", "pointer"),
    [
        ("addresses", {"email": 5}, "email"),
        ("skus", {"image_url": 5}, "image_url"),
        ("skus", {"unit_of_weight": 5}, "unit_of_weight"),
        ("skus", {"weight": True}, "weight"),
        ("skus", {"metadata": [1]}, "metadata"),
    ],
)
def test_strict_json_types(integration, type_name, attributes, pointer):
    base = {
        "skus": {"code": "A", "name": "A"},
        "addresses": {"line_1": "x", "city": "y", "country_code": "US", "phone": "1"},
    }[type_name]
    response = integration.create(type_name, {**base, **attributes})
    errors = response.json()["errors"]
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in errors] == [f"/data/attributes/{pointer}"]


def test_timestamps_must_be_iso_strings(integration, market):
    attributes = {
        "name": "P",
        "percentage": 10,
        "starts_at": 5,
        "expires_at": "2099-01-01T00:00:00.000Z",
    }
    response = integration.create(
        "percentage_discount_promotions",
        attributes,
        {"market": {"data": {"type": "markets", "id": market.public_id}}},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/attributes/starts_at"}


# --- triggers --------------------------------------------------------------------------------


def test_boolean_triggers_take_booleans(integration, market):
    error = error_of(integration.update("markets", market.public_id, {"_disable": "yes"}), 422)
    assert error["source"] == {"pointer": "/data/attributes/_disable"}
    assert Market.objects.get(pk=market.pk).disabled_at is None
    # `false` asks for nothing.
    assert integration.update("markets", market.public_id, {"_disable": False}).status_code == 200
    assert Market.objects.get(pk=market.pk).disabled_at is None


@pytest.mark.parametrize("value", [-1, "5", 1.5, True, 10**14])
def test_integer_triggers_take_non_negative_integers(integration, market, value):
    order = f.OrderFactory(market=market)
    authorization = Transaction.objects.create(
        order=order, kind="authorizations", number="A1", currency_code="USD", amount_cents=100
    )
    response = integration.update(
        "authorizations", authorization.public_id, {"_capture_amount_cents": value}
    )
    error = error_of(response, 422)
    assert error["source"] == {"pointer": "/data/attributes/_capture_amount_cents"}
    assert not Transaction.objects.filter(kind="captures").exists()


@pytest.mark.parametrize("value", ["", 5, None, "x" * 256])
def test_string_triggers_take_non_empty_strings(integration, market, value):
    order = f.OrderFactory(market=market)
    response = integration.update("orders", order.public_id, {"_billing_address_clone_id": value})
    error = error_of(response, 422)
    assert error["source"] == {"pointer": "/data/attributes/_billing_address_clone_id"}


# --- query string ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "parameter"),
    [
        ("fields=code", "PARAM_NOT_ALLOWED", "fields"),
        ("page=1", "PARAM_NOT_ALLOWED", "page"),
        ("include=prices,", "INVALID_INCLUDE", "include"),
        ("include=prices..sku", "INVALID_INCLUDE", "include"),
    ],
)
def test_malformed_query_keys(integration, price, query, code, parameter):
    error = error_of(integration.get(f"/api/skus?{query}"), 400)
    assert (error["code"], error["source"]) == (code, {"parameter": parameter})


def test_an_empty_include_includes_nothing(integration, price):
    response = integration.get("/api/skus?include=")
    assert response.status_code == 200
    assert "included" not in response.json()


def test_sort_and_page_belong_to_lists(integration, price):
    url = f"/api/skus/{price.sku.public_id}"
    assert error_of(integration.get(f"{url}?sort=code"), 400)["code"] == "PARAM_NOT_ALLOWED"
    assert error_of(integration.get(f"{url}?page[size]=1"), 400)["code"] == "PARAM_NOT_ALLOWED"


@pytest.mark.parametrize(
    "key",
    [
        # Deeper than the resolver walks.
        "sku_prices_sku_prices_sku_prices_sku_code_eq",
        # Polymorphic relationships are not walked.
        "payment_gateway_name_eq",
    ],
)
def test_filter_paths_the_resolver_does_not_walk(integration, price, key):
    resource = "payment_methods" if key.startswith("payment_gateway") else "prices"
    error = error_of(integration.get(f"/api/{resource}?filter[q][{key}]=x"), 400)
    assert error["code"] == "FILTER_NOT_ALLOWED"


# --- routes ----------------------------------------------------------------------------------


def test_methods_on_the_wrong_route_are_405(integration, price):
    member = f"/api/skus/{price.sku.public_id}"
    body = {"data": {"type": "skus", "attributes": {"code": "B", "name": "B"}}}
    assert error_of(integration.post(member, body), 405)["code"] == "METHOD_NOT_ALLOWED"
    patch = {"data": {"type": "skus", "id": price.sku.public_id, "attributes": {}}}
    assert error_of(integration.patch("/api/skus", patch), 405)["code"] == "METHOD_NOT_ALLOWED"
    delete = integration.delete("/api/skus")
    assert error_of(delete, 405)["code"] == "METHOD_NOT_ALLOWED"


def test_ids_that_cannot_be_ours_are_404(integration, price):
    assert error_of(integration.get(f"/api/skus/{'a' * 65}"), 404)["code"] == "RECORD_NOT_FOUND"


def test_unknown_relationship_routes_are_404(integration, price):
    sku = price.sku.public_id
    assert error_of(integration.get(f"/api/skus/{sku}/nope"), 404)["code"] == "RECORD_NOT_FOUND"
    nope = integration.get(f"/api/skus/{sku}/relationships/nope")
    assert error_of(nope, 404)["code"] == "RECORD_NOT_FOUND"


def test_related_to_one_takes_include(integration, price):
    response = integration.get(f"/api/prices/{price.public_id}/sku?include=prices")
    assert response.status_code == 200
    assert response.json()["data"]["id"] == price.sku.public_id
    assert [i["id"] for i in response.json()["included"]] == [price.public_id]


def test_related_to_one_that_is_empty_is_null(integration, market):
    sku = f.SkuFactory(shipping_category=None)
    response = integration.get(f"/api/skus/{sku.public_id}/shipping_category")
    assert response.status_code == 200
    assert response.json()["data"] is None


def test_a_storefront_cannot_read_what_it_may_not_list_through_a_related_route(
    sales_channel, price
):
    f.StockItemFactory(sku=price.sku)
    response = sales_channel.get(f"/api/skus/{price.sku.public_id}/stock_items")
    assert error_of(response, 401)["code"] == "UNAUTHORIZED"


def test_requests_without_a_token_are_401_invalid_token(anonymous):
    error = error_of(anonymous.get("/api/skus"), 401)
    assert error["code"] == "INVALID_TOKEN"
