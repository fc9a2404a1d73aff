"""/api/schema describes what the code serves, in our dialect; /api/docs renders it offline."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from commerce.jsonapi.filters import PREDICATES
from commerce.jsonapi.registry import registry

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


def _operations(type_name, resource):
    """(path, method) pairs the server answers for a resource, from its registry declaration."""
    ops = resource.ops
    if "list" in ops:
        yield f"/api/{type_name}", "get"
    if "create" in ops:
        yield f"/api/{type_name}", "post"
    member = f"/api/{type_name}/{{id}}"
    for op, method in (("retrieve", "get"), ("update", "patch"), ("delete", "delete")):
        if op in ops:
            yield member, method
    for name in resource.relationships():
        yield f"{member}/relationships/{name}", "get"
        yield f"{member}/{name}", "get"


@pytest.fixture(scope="module")
def resources():
    assert registry, "no resource registered"
    return dict(registry.items())


def test_every_registered_endpoint_appears(schema, resources):
    missing = [
        f"{method.upper()} {path}"
        for type_name, resource in resources.items()
        for path, method in _operations(type_name, resource)
        if method not in schema["paths"].get(path, {})
    ]
    assert missing == []


def test_every_served_operation_answers_in_our_media_type(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status == "204":
                    continue
                assert list(response["content"]) == ["application/vnd.api+json"], (path, method)
                if int(status) >= 400:
                    assert response["content"]["application/vnd.api+json"]["schema"] == {
                        "$ref": "#/components/schemas/errors"
                    }
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/vnd.api+json"]


def test_every_trigger_attribute_appears(schema, resources):
    checked = 0
    for type_name, resource in resources.items():
        for name, trigger in resource.triggers.triggers.items():
            for flag, body in (("on_create", "create"), ("on_update", "update")):
                if not getattr(trigger, flag):
                    continue
                attributes = schema["components"]["schemas"][f"{type_name}_{body}"]["properties"][
                    "data"
                ]["properties"]["attributes"]["properties"]
                assert name in attributes, (type_name, body, name)
                checked += 1
    # Orders alone have _place, _approve, _cancel, _capture, _refund ...
    assert checked >= 5


def test_every_filter_sort_and_include_appears(schema, resources):
    for type_name, resource in resources.items():
        if "list" not in resource.ops:
            continue
        listing = schema["paths"][f"/api/{type_name}"]["get"]
        params = {p["name"]: p for p in listing["parameters"]}
        assert set(PREDICATES) <= set(re.findall(r"[a-z_]+", listing["description"]))
        assert "_or_" in listing["description"]
        for field in resource.filterable_fields():
            assert any(n.startswith(f"filter[q][{field}_") for n in params), (type_name, field)
        for field in resource.sortable_fields():
            assert field in params["sort"]["description"], (type_name, field)
        for name, rel in resource.relationships().items():
            # only what `include` accepts (Rel.includable: the rest is a related endpoint)
            listed = name in params["include"]["description"]
            assert listed == rel.includable, (type_name, name)
        assert f"fields[{type_name}]" in params
        assert {"page[number]", "page[size]"} <= set(params)


def test_related_endpoints_describe_their_targets(schema, resources):
    for type_name, resource in resources.items():
        for name, rel in resource.relationships().items():
            related = schema["paths"][f"/api/{type_name}/{{id}}/{name}"]["get"]
            body = related["responses"]["200"]["content"]["application/vnd.api+json"]["schema"]
            data = body["properties"]["data"]
            refs = json.dumps(data)
            if rel.many:
                target = rel.collection if len(rel.types) != 1 else rel.types[0]
                assert body["properties"]["meta"] == {
                    "$ref": "#/components/schemas/collection_meta"
                }
                assert f"{target}_resource" in refs
            else:
                for target in rel.types:
                    assert f"{target}_resource" in refs, (type_name, name, target)
            linkage = schema["paths"][f"/api/{type_name}/{{id}}/relationships/{name}"]["get"]
            body = linkage["responses"]["200"]["content"]["application/vnd.api+json"]["schema"]
            assert set(rel.types) <= set(json.dumps(body["properties"]["data"]).split('"'))


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
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        # Every script, style and icon is one of our static files, shipped by an installed
        # package (drf-spectacular-sidecar): nothing from another host.
        assert asset.startswith("/static/"), asset
        found = finders.find(asset.removeprefix("/static/").split("?")[0])
        assert found and "drf_spectacular_sidecar" in str(found), asset
