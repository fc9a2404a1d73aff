"""Input-parsing branches at the edges of the kernel: odd bytes in headers, tokens without the
claims we need, token-endpoint parameters, filters whose values clean to nothing, whitespace
bodies. Each one is a request a client could send; none may reach a 500."""

import json

import pytest
from django.db import connection

from commerce.auth import tokens
from tests import factories as f
from tests.conftest import MEDIA_TYPE, obtain_token

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def error_of(response, status):
    assert response.status_code == status, response.content
    (error,) = response.json()["errors"]
    return error


# --- bearer tokens ---------------------------------------------------------------------------


def test_a_bearer_token_with_non_ascii_bytes_is_401(client):
    response = client.get("/api/skus", HTTP_ACCEPT=MEDIA_TYPE, HTTP_AUTHORIZATION="Bearer tök")
    assert error_of(response, 401)["code"] == "INVALID_TOKEN"


@pytest.mark.parametrize("jti", [None, 42])
def test_a_signed_token_without_a_string_jti_is_401(client, integration, jti):
    claims = tokens.decode(integration.token)
    claims.pop("jti")
    if jti is not None:
        claims["jti"] = jti
    forged = tokens.encode(claims)
    response = client.get(
        "/api/skus", HTTP_ACCEPT=MEDIA_TYPE, HTTP_AUTHORIZATION=f"Bearer {forged}"
    )
    assert error_of(response, 401)["code"] == "INVALID_TOKEN"


# --- the token endpoint ----------------------------------------------------------------------


def test_null_parameters_of_a_json_token_request_count_as_absent(client, make_api_client):
    client_id = make_api_client("integration")
    body = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": "test-secret",
        "scope": None,
    }
    response = client.post("/oauth/token", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "market:all"


def test_basic_credentials_that_are_not_base64_are_invalid_client(client, make_api_client):
    make_api_client("integration")
    response = client.post(
        "/oauth/token",
        json.dumps({"grant_type": "client_credentials"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic ***not-base64***",
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["title"] == "invalid_client"


def test_one_market_named_twice_in_a_scope_is_one_market(client, make_api_client, market):
    token = obtain_token(
        client,
        grant_type="client_credentials",
        client_id=make_api_client("integration"),
        client_secret="test-secret",
        scope=f"market:code:{market.code} market:id:{market.public_id}",
    )
    assert tokens.decode(token)["market"]["id"] == [market.public_id]


# --- documents and attributes ----------------------------------------------------------------


def test_a_whitespace_body_is_a_missing_data(integration):
    error = error_of(integration.post("/api/skus", "  \n "), 400)
    assert (error["code"], error["source"]) == ("PARAM_MISSING", {"pointer": "/data"})


def test_metadata_takes_an_object_and_gives_it_back(integration):
    created = integration.create(
        "skus", {"code": "META", "name": "Meta", "metadata": {"colour": "red", "sizes": [1, 2]}}
    )
    assert created.status_code == 201, created.content
    public_id = created.json()["data"]["id"]
    fetched = integration.get(f"/api/skus/{public_id}").json()["data"]["attributes"]
    assert fetched["metadata"] == {"colour": "red", "sizes": [1, 2]}


# --- filters ---------------------------------------------------------------------------------


def test_an_empty_filter_value_is_ignored_as_ransack_does(integration):
    f.SkuFactory(code="S1")
    response = integration.get("/api/skus?filter[q][created_at_gt]=")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


def test_a_filter_value_that_cleans_to_nothing_is_400(integration):
    f.SkuFactory(code="S1")
    response = integration.get("/api/skus?filter[q][created_at_gt]=%20")
    error = error_of(response, 400)
    assert error["source"] == {"parameter": "filter[q][created_at_gt]"}


def test_jcont_takes_a_json_object_on_postgresql_and_is_refused_on_sqlite(integration):
    f.SkuFactory(code="S1", metadata={"colour": "red"})
    key = "filter[q][metadata_jcont]"
    response = integration.get(f"/api/skus?{key}=not-json")
    error = error_of(response, 400)
    assert error["source"] == {"parameter": key}
    if connection.vendor == "postgresql":
        assert error["code"] == "INVALID_FILTER_VALUE"
        matching = integration.get(f'/api/skus?{key}={{"colour":"red"}}').json()["data"]
        assert [s["attributes"]["code"] for s in matching] == ["S1"]
    else:
        assert error["code"] == "FILTER_NOT_ALLOWED"


@pytest.mark.parametrize("key", ["fields[skus", "page]size[", "include[]x"])
def test_query_keys_with_unbalanced_brackets_are_400(integration, key):
    error = error_of(integration.get(f"/api/skus?{key}=1"), 400)
    assert error["source"] == {"parameter": key}


# --- idempotency keys ------------------------------------------------------------------------


def test_a_malformed_body_under_an_idempotency_key_is_400_and_replayed(integration):
    first = integration.post("/api/shipping_categories", "{not json", HTTP_IDEMPOTENCY_KEY="m1")
    assert error_of(first, 400)["code"] == "INVALID_DATA_FORMAT"
    again = integration.post("/api/shipping_categories", "{not json", HTTP_IDEMPOTENCY_KEY="m1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
