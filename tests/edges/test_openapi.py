"""/api/schema describes what the code serves, in our dialect; /api/docs renders it offline."""

import pytest
from openapi_spec_validator import validate

from commerce.jsonapi.registry import registry
from commerce.jsonapi.routing import load_resources

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_resource_operation_appears(schema):
    load_resources()
    for type_name, resource in registry.items():
        if "list" in resource.ops or "create" in resource.ops:
            assert f"/api/{type_name}" in schema["paths"], type_name
        if {"retrieve", "update", "delete"} & set(resource.ops):
            assert f"/api/{type_name}/{{id}}" in schema["paths"], type_name


def test_triggers_filters_and_includes_are_described(schema):
    update = schema["components"]["schemas"]["orders_update"]
    attributes = update["properties"]["data"]["properties"]["attributes"]["properties"]
    assert {"_place", "_approve", "_cancel", "_capture", "_refund"} <= set(attributes)
    listing = schema["paths"]["/api/skus"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"include", "fields[skus]", "sort", "page[size]", "filter[q][code_eq]"} <= names
    include = next(p for p in listing["parameters"] if p["name"] == "include")
    assert "prices" in include["description"]
    assert "not_eq_or_null" in listing["description"]


def test_the_dialect_not_the_library_defaults(schema):
    meta = schema["components"]["schemas"]["collection_meta"]
    assert set(meta["required"]) == {"record_count", "page_count"}
    error = schema["components"]["schemas"]["errors"]["properties"]["errors"]["items"]
    assert error["properties"]["status"]["type"] == "string"
    assert (
        "application/vnd.api+json"
        in schema["paths"]["/api/skus"]["get"]["responses"]["200"]["content"]
    )


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html
