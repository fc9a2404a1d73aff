"""Every catalog, market and stock resource through an integration token: create, read, list,
filter, sort, include, sparse fieldsets, update, delete (api.md sections 2-4).

Parametrized over `cases.CASES`: test ids and assertion messages name the resource.
"""

from urllib.parse import quote

import pytest

from tests.resources.cases import BY_TYPE, CASES, COMMON, WITH_LOCK, WRITABLE, body

pytestmark = pytest.mark.django_db


def by_type(cases):
    return pytest.mark.parametrize("case", cases, ids=str)


def data_ids(response) -> list[str]:
    data = response.json()["data"]
    return [item["id"] for item in data] if isinstance(data, list) else [data["id"]]


def related_ids(case, record, name) -> list[str]:
    value = getattr(record, case.extra.get("sources", {}).get(name, name))
    if value is None:
        return []
    if hasattr(value, "all"):
        return sorted(item.public_id for item in value.all())
    return [value.public_id]


def linkage_ids(resource, name) -> list[str]:
    data = resource["relationships"][name]["data"]
    if data is None:
        return []
    return sorted(item["id"] for item in data) if isinstance(data, list) else [data["id"]]


def assert_ok(response, status, what):
    assert response.status_code == status, f"{what}: {response.status_code} {response.content!r}"


def assert_resource_shape(resource, case, what):
    assert resource["type"] == case.type, what
    assert resource["links"]["self"].endswith(f"/api/{case.type}/{resource['id']}"), what
    assert set(resource["meta"]) == {"mode", "organization_id"}, what
    assert set(resource["attributes"]) == {*COMMON, *case.attributes}, (
        f"{what}: attributes differ from resources.md: "
        f"missing {sorted({*COMMON, *case.attributes} - set(resource['attributes']))}, "
        f"unexpected {sorted(set(resource['attributes']) - {*COMMON, *case.attributes})}"
    )
    relationships = resource.get("relationships", {})
    missing = set(case.relationships) - set(relationships)
    assert not missing, f"{what}: relationships missing: {sorted(missing)}"
    for name, rel in relationships.items():
        assert rel["links"]["self"].endswith(f"/{resource['id']}/relationships/{name}"), what
        assert rel["links"]["related"].endswith(f"/{resource['id']}/{name}"), what


def assert_echoed(resource, attributes, what):
    for name, value in attributes.items():
        assert resource["attributes"][name] == value, (
            f"{what}: {name} is {resource['attributes'][name]!r}, sent {value!r}"
        )


# --- create ---------------------------------------------------------------------------------


@by_type(WRITABLE)
def test_create(integration, case):
    attributes, relationships = case.create()
    include = ",".join(relationships)
    response = integration.post(
        f"/api/{case.type}" + (f"?include={include}" if include else ""),
        body(case.type, attributes, relationships),
    )
    assert_ok(response, 201, f"{case}: create")
    resource = response.json()["data"]
    assert_resource_shape(resource, case, f"{case}: create")
    assert_echoed(resource, {**attributes, **case.extra.get("create_echo", {})}, f"{case}: create")
    for name, (_type, record) in relationships.items():
        assert linkage_ids(resource, name) == [record.public_id], f"{case}: create {name}"
    again = integration.get(f"/api/{case.type}/{resource['id']}")
    assert_ok(again, 200, f"{case}: read after create")
    assert_echoed(again.json()["data"], attributes, f"{case}: read after create")


@by_type([c for c in WRITABLE if c.required])
def test_create_without_required_relationships_is_422(integration, case):
    attributes, _relationships = case.create()
    response = integration.post(f"/api/{case.type}", body(case.type, attributes, {}))
    assert_ok(response, 422, f"{case}: create without relationships")
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    expected = {f"/data/relationships/{name}" for name in case.required}
    assert expected <= pointers, f"{case}: errors point at {sorted(pointers)}"


# --- read, list, filter, sort ---------------------------------------------------------------


@by_type(CASES)
def test_read(integration, case):
    record = case.make(0)
    response = integration.get(f"/api/{case.type}/{record.public_id}")
    assert_ok(response, 200, f"{case}: read")
    resource = response.json()["data"]
    assert resource["id"] == record.public_id
    assert_resource_shape(resource, case, f"{case}: read")
    for name, rel in resource.get("relationships", {}).items():
        assert "data" not in rel, f"{case}: {name} has linkage without include"
    missing = integration.get(f"/api/{case.type}/NoSuchIdXy")
    assert_ok(missing, 404, f"{case}: read unknown id")
    assert missing.json()["errors"][0]["code"] == "RECORD_NOT_FOUND"


@by_type(CASES)
def test_list(integration, case):
    first, second = case.make(0), case.make(1)
    response = integration.get(f"/api/{case.type}")
    assert_ok(response, 200, f"{case}: list")
    document = response.json()
    assert data_ids(response) == [first.public_id, second.public_id], f"{case}: list order"
    assert document["meta"] == {"record_count": 2, "page_count": 1}, f"{case}: list meta"
    paged = integration.get(f"/api/{case.type}?page[size]=1&page[number]=2")
    assert data_ids(paged) == [second.public_id], f"{case}: page 2 of size 1"
    assert paged.json()["meta"] == {"record_count": 2, "page_count": 2}, f"{case}: page meta"


FILTERS = [(case, key) for case in CASES for key in case.filters]


@pytest.mark.parametrize(("case", "key"), FILTERS, ids=[f"{c}-{k}" for c, k in FILTERS])
def test_filter(integration, case, key):
    records = [case.make(0), case.make(1)]
    if case.related:
        for record in records:
            case.related(record)
    value = case.filters[key](records[0])
    response = integration.get(f"/api/{case.type}", QUERY_STRING=f"filter[q][{key}]={quote(value)}")
    assert_ok(response, 200, f"{case}: filter {key}")
    assert data_ids(response) == [records[0].public_id], f"{case}: filter {key}={value}"
    assert response.json()["meta"]["record_count"] == 1, f"{case}: filter {key} count"


@by_type(CASES)
def test_sort(integration, case):
    high = case.make(1)
    low = case.make(0)  # created last, sorts first
    ascending = integration.get(f"/api/{case.type}?sort={case.sort}")
    assert_ok(ascending, 200, f"{case}: sort={case.sort}")
    assert data_ids(ascending) == [low.public_id, high.public_id], f"{case}: sort={case.sort}"
    descending = integration.get(f"/api/{case.type}?sort=-{case.sort},id")
    assert_ok(descending, 200, f"{case}: sort=-{case.sort}")
    assert data_ids(descending) == [high.public_id, low.public_id], f"{case}: sort=-{case.sort}"
    unknown = integration.get(f"/api/{case.type}?sort=nothing")
    assert_ok(unknown, 400, f"{case}: sort=nothing")
    assert unknown.json()["errors"][0]["code"] == "INVALID_SORT_CRITERIA"


# --- include, related, sparse fields -------------------------------------------------------


INCLUDES = [(case, name) for case in CASES for name in case.relationships]
# Known gaps, each a strict xfail so that the fix shows up.
KNOWN_GAPS: dict = {}


def include_params():
    for case, name in INCLUDES:
        gap = KNOWN_GAPS.get((case.type, name))
        marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
        yield pytest.param(case, name, id=f"{case}-{name}", marks=marks)


@pytest.mark.parametrize(("case", "name"), list(include_params()))
def test_include(integration, case, name):
    record = case.make(0)
    if case.related:
        case.related(record)
    record.refresh_from_db()
    expected = related_ids(case, record, name)
    assert expected, f"{case}: the test record has nothing behind {name}"
    response = integration.get(f"/api/{case.type}/{record.public_id}?include={name}")
    assert_ok(response, 200, f"{case}: include={name}")
    document = response.json()
    assert linkage_ids(document["data"], name) == expected, f"{case}: linkage of {name}"
    included = sorted(item["id"] for item in document.get("included", []))
    assert included == expected, f"{case}: included of {name}"
    listed = integration.get(f"/api/{case.type}?include={name}")
    assert_ok(listed, 200, f"{case}: list include={name}")
    assert linkage_ids(listed.json()["data"][0], name) == expected, f"{case}: list {name}"

    related = integration.get(f"/api/{case.type}/{record.public_id}/{name}")
    assert_ok(related, 200, f"{case}: related {name}")
    assert sorted(data_ids(related)) == expected, f"{case}: related endpoint {name}"
    linkage = integration.get(f"/api/{case.type}/{record.public_id}/relationships/{name}")
    assert_ok(linkage, 200, f"{case}: relationship {name}")
    data = linkage.json()["data"]
    ids = sorted(i["id"] for i in data) if isinstance(data, list) else [data["id"]]
    assert ids == expected, f"{case}: relationship endpoint {name}"


@by_type(CASES)
def test_unknown_include_is_400(integration, case):
    record = case.make(0)
    response = integration.get(f"/api/{case.type}/{record.public_id}?include=nothing")
    assert_ok(response, 400, f"{case}: include=nothing")
    assert response.json()["errors"][0]["code"] == "INVALID_INCLUDE"


@by_type(CASES)
def test_sparse_fields(integration, case):
    record = case.make(0)
    attribute = case.attributes[0]
    members = [attribute, *case.relationships[:1]]
    response = integration.get(
        f"/api/{case.type}/{record.public_id}",
        QUERY_STRING=f"fields[{case.type}]={','.join(members)}",
    )
    assert_ok(response, 200, f"{case}: fields")
    resource = response.json()["data"]
    assert set(resource["attributes"]) == {attribute}, f"{case}: sparse attributes"
    assert set(resource.get("relationships", {})) == set(case.relationships[:1]), (
        f"{case}: sparse relationships"
    )
    listed = integration.get(f"/api/{case.type}", QUERY_STRING=f"fields[{case.type}]={attribute}")
    assert set(listed.json()["data"][0]["attributes"]) == {attribute}, f"{case}: sparse list"


# --- update, delete ----------------------------------------------------------------------------


@by_type(WRITABLE)
def test_update(integration, case):
    record = case.make(0)
    attributes, relationships = case.update(record)
    include = ",".join(relationships)
    response = integration.patch(
        f"/api/{case.type}/{record.public_id}" + (f"?include={include}" if include else ""),
        body(case.type, attributes, relationships, public_id=record.public_id),
    )
    assert_ok(response, 200, f"{case}: update")
    resource = response.json()["data"]
    assert_echoed(resource, {**attributes, **case.extra.get("update_echo", {})}, f"{case}: update")
    for name, (_type, target) in relationships.items():
        assert linkage_ids(resource, name) == [target.public_id], f"{case}: update {name}"
    again = integration.get(
        f"/api/{case.type}/{record.public_id}" + (f"?include={include}" if include else "")
    )
    assert_echoed(again.json()["data"], attributes, f"{case}: read after update")
    for name, (_type, target) in relationships.items():
        assert linkage_ids(again.json()["data"], name) == [target.public_id], (
            f"{case}: {name} after update"
        )


@by_type(WRITABLE)
def test_update_with_empty_members_changes_nothing(integration, case):
    record = case.make(0)
    before = integration.get(f"/api/{case.type}/{record.public_id}").json()["data"]
    response = integration.update(case.type, record.public_id)
    assert_ok(response, 200, f"{case}: empty update")
    after = response.json()["data"]["attributes"]
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before["attributes"].items() if k != "updated_at"
    }, case


@by_type(WRITABLE)
def test_delete(integration, case):
    record = case.make(0)
    response = integration.delete(f"/api/{case.type}/{record.public_id}")
    assert_ok(response, 204, f"{case}: delete")
    assert response.content == b""
    assert_ok(
        integration.get(f"/api/{case.type}/{record.public_id}"), 404, f"{case}: read after delete"
    )


@by_type(WITH_LOCK)
def test_delete_of_a_record_in_use_is_423(integration, case):
    record = case.make(0)
    case.locked_by(record)
    response = integration.delete(f"/api/{case.type}/{record.public_id}")
    assert_ok(response, 423, f"{case}: delete while referenced")
    assert response.json()["errors"][0]["code"] == "LOCKED"
    assert_ok(
        integration.get(f"/api/{case.type}/{record.public_id}"),
        200,
        f"{case}: still there after a refused delete",
    )


# --- payment gateways: a read-only polymorphic list ------------------------------------------


def test_payment_gateways_are_read_only(integration):
    case = BY_TYPE["payment_gateways"]
    gateway = case.make(0)
    created = integration.create("payment_gateways", {"name": "Nope"})
    assert_ok(created, 405, "payment_gateways: create")
    assert created.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    assert_ok(
        integration.update("payment_gateways", gateway.public_id, {"name": "Nope"}),
        405,
        "payment_gateways: update",
    )
    assert_ok(
        integration.delete(f"/api/payment_gateways/{gateway.public_id}"),
        405,
        "payment_gateways: delete",
    )


def test_payment_gateways_list_manual_gateways_with_their_type(integration):
    gateway = BY_TYPE["manual_gateways"].make(0)
    method = BY_TYPE["payment_methods"].make(0)
    response = integration.get("/api/payment_gateways")
    assert {item["id"] for item in response.json()["data"]} == {
        gateway.public_id,
        method.payment_gateway.public_id,
    }
    included = integration.get(f"/api/payment_methods/{method.public_id}?include=payment_gateway")
    document = included.json()
    assert document["data"]["relationships"]["payment_gateway"]["data"] == {
        "type": "manual_gateways",
        "id": method.payment_gateway.public_id,
    }
    assert document["included"][0]["type"] == "manual_gateways"
