"""SKU list items (catalog.md "SKU lists"): in manual lists only, one per SKU, `quantity` >= 1
(default 1), `position` after the last one by default; the SKU by relationship or `sku_code`."""

import pytest

from catalog.models import SkuListItem
from tests import factories as f
from tests.catalog.conftest import SkuListFactory, SkuListItemFactory
from tests.conftest import assert_unauthorized, rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _create(api, sku_list, sku=None, **attributes):
    relationships = {"sku_list": rel("sku_lists", sku_list.public_id)}
    if sku is not None:
        relationships["sku"] = rel("skus", sku.public_id)
    return api.create("sku_list_items", attributes, relationships)


def test_an_item_is_created_read_updated_and_deleted(integration):
    sku_list = SkuListFactory()
    sku = f.SkuFactory(code="MUG")
    response = _create(integration, sku_list, sku)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert {k: data["attributes"][k] for k in ("position", "quantity", "sku_code")} == {
        "position": 1,
        "quantity": 1,
        "sku_code": "MUG",
    }
    assert set(data["relationships"]) >= {"sku_list", "sku"}

    body = integration.get(f"/api/sku_list_items/{data['id']}?include=sku_list,sku").json()
    assert body["data"]["relationships"]["sku"]["data"]["id"] == sku.public_id
    assert body["data"]["relationships"]["sku_list"]["data"]["id"] == sku_list.public_id
    listed = integration.get(f"/api/sku_lists/{sku_list.public_id}/sku_list_items").json()
    assert [d["id"] for d in listed["data"]] == [data["id"]]
    assert [d["id"] for d in integration.get("/api/sku_list_items").json()["data"]] == [data["id"]]

    response = integration.update("sku_list_items", data["id"], {"quantity": 3, "position": 7})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["quantity"] == 3
    assert response.json()["data"]["attributes"]["position"] == 7

    assert integration.delete(f"/api/sku_list_items/{data['id']}").status_code == 204
    assert not SkuListItem.objects.exists()


def test_position_defaults_to_after_the_last_item(integration):
    sku_list = SkuListFactory()
    SkuListItemFactory(sku_list=sku_list, position=4)
    SkuListItemFactory(position=40)  # another list's
    response = _create(integration, sku_list, f.SkuFactory())
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["position"] == 5
    response = _create(integration, sku_list, f.SkuFactory(), position=2, quantity=6)
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["position"] == 2
    assert response.json()["data"]["attributes"]["quantity"] == 6


def test_the_sku_may_be_named_by_its_code(integration):
    sku_list = SkuListFactory()
    sku = f.SkuFactory(code="BAG-1")
    response = _create(integration, sku_list, sku_code="BAG-1")
    assert response.status_code == 201, response.content
    assert SkuListItem.objects.get().sku == sku
    error = _error(_create(integration, sku_list, sku_code="NOPE"))
    assert error["source"] == {"pointer": "/data/attributes/sku_code"}
    # Another SKU by code, on update.
    other = f.SkuFactory(code="BAG-2")
    item_id = response.json()["data"]["id"]
    response = integration.update("sku_list_items", item_id, {"sku_code": "BAG-2"})
    assert response.status_code == 200, response.content
    assert SkuListItem.objects.get().sku == other


def test_an_automatic_list_takes_no_items(integration):
    sku_list = SkuListFactory(sku_code_regex="^A")
    error = _error(_create(integration, sku_list, f.SkuFactory()))
    assert error["source"] == {"pointer": "/data/relationships/sku_list"}
    assert not SkuListItem.objects.exists()


def test_a_sku_is_in_a_list_once(integration):
    item = SkuListItemFactory()
    error = _error(_create(integration, item.sku_list, item.sku))
    assert error["source"] == {"pointer": "/data/relationships/sku"}
    other = SkuListItemFactory(sku_list=item.sku_list)
    error = _error(
        integration.update("sku_list_items", other.public_id, {"sku_code": item.sku.code})
    )
    assert error["source"] == {"pointer": "/data/relationships/sku"}
    assert SkuListItem.objects.count() == 2


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_is_at_least_one(integration, quantity):
    error = _error(_create(integration, SkuListFactory(), f.SkuFactory(), quantity=quantity))
    assert error["source"] == {"pointer": "/data/attributes/quantity"}


@pytest.mark.parametrize("missing", ["sku_list", "sku"])
def test_the_list_and_the_sku_are_required(integration, missing):
    relationships = {
        "sku_list": rel("sku_lists", SkuListFactory().public_id),
        "sku": rel("skus", f.SkuFactory().public_id),
    }
    del relationships[missing]
    error = _error(integration.create("sku_list_items", {}, relationships))
    assert error["source"] == {"pointer": f"/data/relationships/{missing}"}


def test_the_list_of_an_item_does_not_change(integration):
    item = SkuListItemFactory()
    response = integration.update(
        "sku_list_items", item.public_id, relationships={"sku_list": rel("sku_lists", "x")}
    )
    assert _error(response, 400)["code"] == "PARAM_NOT_ALLOWED"


@pytest.mark.parametrize("kind", ["sales_channel", "customer"])
def test_storefronts_read_items_but_do_not_write_them(request, market, customer_token, kind):
    api = (
        request.getfixturevalue("sales_channel")
        if kind == "sales_channel"
        else customer_token(market, "buyer@example.com")
    )
    item = SkuListItemFactory()
    assert [d["id"] for d in api.get("/api/sku_list_items").json()["data"]] == [item.public_id]
    assert api.get(f"/api/sku_list_items/{item.public_id}?include=sku").status_code == 200
    assert_unauthorized(_create(api, item.sku_list, f.SkuFactory()), "create")
    assert_unauthorized(api.update("sku_list_items", item.public_id, {"quantity": 2}), "update")
    assert_unauthorized(api.delete(f"/api/sku_list_items/{item.public_id}"), "delete")
