"""SKU lists (catalog.md "SKU lists"): manual or by a SKU code regex (`manual` derived, both at
once a 422), their SKUs at `sku_lists/{id}/skus` in the list's order, who may do what."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import SkuList
from markets.models import FixedPricePromotion
from tests import factories as f
from tests.catalog.conftest import SkuListFactory, SkuListItemFactory
from tests.conftest import assert_unauthorized

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


def _codes(response):
    assert response.status_code == 200, response.content
    return [d["attributes"]["code"] for d in response.json()["data"]]


# --- create / read / update / delete -----------------------------------------------------------


def test_a_manual_list_is_created_read_updated_and_deleted(integration):
    response = integration.create(
        "sku_lists", {"name": "Summer Picks", "description": "Hot", "manual": True}
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    attributes = data["attributes"]
    assert attributes["name"] == "Summer Picks"
    assert attributes["slug"] == "summer-picks"
    assert attributes["manual"] is True
    assert attributes["sku_code_regex"] is None
    assert set(data["relationships"]) >= {"skus", "sku_list_items"}

    one = integration.get(f"/api/sku_lists/{data['id']}")
    assert one.status_code == 200
    assert one.json()["data"]["attributes"] == attributes

    assert _ids(integration.get("/api/sku_lists")) == [data["id"]]

    response = integration.update("sku_lists", data["id"], {"name": "Winter Picks"})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["slug"] == "winter-picks"

    assert integration.delete(f"/api/sku_lists/{data['id']}").status_code == 204
    assert not SkuList.objects.exists()


def test_a_list_with_a_regex_is_automatic(integration):
    response = integration.create("sku_lists", {"name": "Shirts", "sku_code_regex": "^TSHIRT"})
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["manual"] is False
    list_id = response.json()["data"]["id"]
    # Without its regex, it is manual again.
    response = integration.update("sku_lists", list_id, {"sku_code_regex": None, "manual": True})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["manual"] is True


@pytest.mark.parametrize(
    "attributes",
    [
        {"name": "Both", "manual": True, "sku_code_regex": "^A"},
        {"name": "Bad", "sku_code_regex": "(unclosed"},
    ],
    ids=["manual-and-regex", "invalid-regex"],
)
def test_a_regex_that_cant_be_is_a_422_on_sku_code_regex(integration, attributes):
    error = _error(integration.create("sku_lists", attributes))
    assert error["source"] == {"pointer": "/data/attributes/sku_code_regex"}
    assert not SkuList.objects.exists()


def test_an_update_making_an_automatic_list_manual_must_drop_its_regex(integration):
    sku_list = SkuListFactory(sku_code_regex="^A")
    error = _error(integration.update("sku_lists", sku_list.public_id, {"manual": True}))
    assert error["source"] == {"pointer": "/data/attributes/sku_code_regex"}
    error = _error(integration.update("sku_lists", sku_list.public_id, {"sku_code_regex": "["}))
    assert error["source"] == {"pointer": "/data/attributes/sku_code_regex"}
    sku_list.refresh_from_db()
    assert sku_list.sku_code_regex == "^A"


def test_slug_is_read_only(integration):
    error = _error(integration.create("sku_lists", {"name": "A", "slug": "a"}), 400)
    assert error["code"] == "PARAM_NOT_ALLOWED"


def test_a_list_a_promotion_uses_is_not_deleted(integration):
    """api.md: a delete blocked by what depends on the record is 423 LOCKED, never a 500."""
    sku_list = SkuListFactory()
    now = timezone.now()
    FixedPricePromotion.objects.create(
        name="Fixed",
        starts_at=now,
        expires_at=now + timedelta(days=1),
        fixed_amount_cents=1999,
        sku_list=sku_list,
    )
    error = _error(integration.delete(f"/api/sku_lists/{sku_list.public_id}"), 423)
    assert error["code"] == "LOCKED"
    assert SkuList.objects.filter(pk=sku_list.pk).exists()


# --- a list's SKUs -----------------------------------------------------------------------------


def test_a_manual_lists_skus_come_by_position(integration):
    sku_list = SkuListFactory()
    first, second, third = f.SkuFactory(code="C"), f.SkuFactory(code="A"), f.SkuFactory(code="B")
    SkuListItemFactory(sku_list=sku_list, sku=second, position=2)
    SkuListItemFactory(sku_list=sku_list, sku=third, position=3)
    SkuListItemFactory(sku_list=sku_list, sku=first, position=1)
    f.SkuFactory(code="OUTSIDE")
    url = f"/api/sku_lists/{sku_list.public_id}/skus"
    assert _codes(integration.get(url)) == ["C", "A", "B"]
    # A sort of the client's wins.
    assert _codes(integration.get(url + "?sort=code")) == ["A", "B", "C"]
    # And a filter keeps the list's order.
    assert _codes(integration.get(url + "?filter[q][code_in]=B,C")) == ["C", "B"]
    # Included, in the same order.
    body = integration.get(f"/api/sku_lists/{sku_list.public_id}?include=skus").json()
    linkage = body["data"]["relationships"]["skus"]["data"]
    assert [d["id"] for d in linkage] == [first.public_id, second.public_id, third.public_id]


def test_an_automatic_lists_skus_match_its_regex_by_code(integration):
    for code in ("TSHIRT-M", "TSHIRT-L", "XTSHIRT", "TSHIRT"):
        f.SkuFactory(code=code)
    exact = SkuListFactory(sku_code_regex="^TSHIRT$")
    unanchored = SkuListFactory(sku_code_regex="TSHIRT-")
    starts = SkuListFactory(sku_code_regex="^TSHIRT")
    assert _codes(integration.get(f"/api/sku_lists/{exact.public_id}/skus")) == ["TSHIRT"]
    assert _codes(integration.get(f"/api/sku_lists/{unanchored.public_id}/skus")) == [
        "TSHIRT-L",
        "TSHIRT-M",
    ]
    assert _codes(integration.get(f"/api/sku_lists/{starts.public_id}/skus")) == [
        "TSHIRT",
        "TSHIRT-L",
        "TSHIRT-M",
    ]
    body = integration.get(f"/api/sku_lists/{exact.public_id}?include=skus").json()
    assert [i["attributes"]["code"] for i in body["included"]] == ["TSHIRT"]


def test_a_skus_lists_are_the_manual_ones_holding_it_and_the_automatic_ones_matching(integration):
    sku = f.SkuFactory(code="MUG-1")
    holding = SkuListItemFactory(sku=sku).sku_list
    matching = SkuListFactory(sku_code_regex="^MUG")
    SkuListFactory(sku_code_regex="^CUP")
    SkuListItemFactory()  # another SKU's list
    url = f"/api/skus/{sku.public_id}"
    assert _ids(integration.get(f"{url}/sku_lists")) == [holding.public_id, matching.public_id]
    assert len(_ids(integration.get(f"{url}/sku_list_items"))) == 1
    body = integration.get(f"{url}?include=sku_lists,sku_list_items").json()
    linkage = body["data"]["relationships"]["sku_lists"]["data"]
    assert [d["id"] for d in linkage] == [holding.public_id, matching.public_id]


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sales_channel", "customer"])
def test_storefronts_list_and_read_lists_and_their_skus_but_do_not_write(
    request, market, customer_token, kind
):
    api = (
        request.getfixturevalue("sales_channel")
        if kind == "sales_channel"
        else customer_token(market, "buyer@example.com")
    )
    sku_list = SkuListFactory()
    item = SkuListItemFactory(sku_list=sku_list)
    assert _ids(api.get("/api/sku_lists")) == [sku_list.public_id]
    assert api.get(f"/api/sku_lists/{sku_list.public_id}").status_code == 200
    assert _ids(api.get(f"/api/sku_lists/{sku_list.public_id}/skus")) == [item.sku.public_id]
    body = api.get(f"/api/sku_lists/{sku_list.public_id}?include=sku_list_items.sku").json()
    assert {i["type"] for i in body["included"]} == {"sku_list_items", "skus"}
    # A computed relationship can't be included by a storefront (views.check_storefront_include).
    assert api.get(f"/api/sku_lists/{sku_list.public_id}?include=skus").status_code == 400
    assert_unauthorized(api.create("sku_lists", {"name": "Mine"}), "create")
    assert_unauthorized(api.update("sku_lists", sku_list.public_id, {"name": "X"}), "update")
    assert_unauthorized(api.delete(f"/api/sku_lists/{sku_list.public_id}"), "delete")


def test_a_skus_lists_cost_the_same_however_many(integration):
    sku = f.SkuFactory(code="MUG-2")
    SkuListItemFactory(sku=sku)
    SkuListFactory(sku_code_regex="^MUG")
    url = f"/api/skus/{sku.public_id}/sku_lists"
    assert len(_ids(integration.get(url))) == 2
    with CaptureQueriesContext(connection) as few:
        integration.get(url)
    for _ in range(3):  # 8 in all: one page of 10, counted from its rows
        SkuListItemFactory(sku=sku)
        SkuListFactory(sku_code_regex="MUG")
    with CaptureQueriesContext(connection) as many:
        assert len(_ids(integration.get(url))) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
