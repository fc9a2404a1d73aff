"""The three kinds that target a SKU list (buy X pay Y, free gift, fixed price) and the `sku_list`
and `skus` relationships of every kind: create, read, update, delete, each 422 with its pointer,
and what a storefront reaches (catalog.md "Promotions", resources.md)."""

import pytest

from markets.models import Promotion
from tests import factories as f
from tests.conftest import rel
from tests.promotions.conftest import (
    FACTORIES,
    KIND_ATTRIBUTES,
    LIST_KINDS,
    BuyXPayYPromotionFactory,
    FixedPricePromotionFactory,
    FreeGiftPromotionFactory,
    OrderAmountPromotionRuleFactory,
    SkuListFactory,
    SkuListItemFactory,
    SkuListPromotionRuleFactory,
)
from tests.promotions.helpers import error, ids, linkage, pointer, window

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

RELATIONSHIPS = {
    "market",
    "tags",
    "sku_list",
    "promotion_rules",
    "coupon_codes_promotion_rule",
    "sku_list_promotion_rule",
    "order_amount_promotion_rule",
    "coupons",
    "skus",
    "events",
}


def _create(api, kind, sku_list=None, market=None, **attributes):
    relationships = {}
    if sku_list is not None:
        relationships["sku_list"] = rel("sku_lists", sku_list.public_id)
    if market is not None:
        relationships["market"] = rel("markets", market.public_id)
    body = {"name": "Summer deal", **window(), **KIND_ATTRIBUTES[kind], **attributes}
    return api.create(kind, body, relationships)


# --- create / read / update / delete ---------------------------------------------------------


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_list_kind_crud(integration, market, sku_list, kind):
    created = _create(integration, kind, sku_list, market)
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["type"] == kind
    assert set(data["relationships"]) == RELATIONSHIPS
    attributes = data["attributes"]
    for name, value in KIND_ATTRIBUTES[kind].items():
        assert attributes[name] == value, name
    assert attributes["status"] == "active"
    promotion = Promotion.objects.get(public_id=data["id"])
    assert (promotion.kind, promotion.sku_list_id) == (kind, sku_list.pk)

    read = integration.get(f"/api/{kind}/{data['id']}?include=sku_list,skus")
    body = read.json()
    assert body["data"]["relationships"]["sku_list"]["data"] == {
        "type": "sku_lists",
        "id": sku_list.public_id,
    }
    # The list's SKUs in its order (by position).
    assert [s["attributes"]["code"] for s in body["included"] if s["type"] == "skus"] == [
        "LIST-B",
        "LIST-A",
    ]
    assert [s["id"] for s in body["data"]["relationships"]["skus"]["data"]] == [
        s["id"] for s in body["included"] if s["type"] == "skus"
    ]
    related = integration.get(f"/api/{kind}/{data['id']}/skus")
    assert [s["attributes"]["code"] for s in related.json()["data"]] == ["LIST-B", "LIST-A"]

    other = SkuListFactory(name="Winter")
    changes = {
        "buy_x_pay_y_promotions": {"x": 5, "y": 1, "cheapest_free": False},
        "free_gift_promotions": {"max_quantity": 4},
        "fixed_price_promotions": {"fixed_amount_cents": 0},
    }[kind]
    updated = integration.update(
        kind,
        data["id"],
        {"name": "Winter deal", **changes},
        {"sku_list": rel("sku_lists", other.public_id)},
    )
    assert updated.status_code == 200, updated.json()
    for name, value in changes.items():
        assert updated.json()["data"]["attributes"][name] == value, name
    promotion.refresh_from_db()
    assert (promotion.name, promotion.sku_list_id) == ("Winter deal", other.pk)
    assert integration.get(f"/api/{kind}/{data['id']}/skus").json()["data"] == []

    assert integration.delete(f"/api/{kind}/{data['id']}").status_code == 204
    assert not Promotion.objects.filter(pk=promotion.pk).exists()


def test_fixed_price_is_money_in_the_promotions_currency(integration, market, sku_list):
    created = _create(integration, "fixed_price_promotions", sku_list, market)
    attributes = created.json()["data"]["attributes"]
    assert (
        attributes["fixed_amount_cents"],
        attributes["fixed_amount_float"],
        attributes["formatted_fixed_amount"],
    ) == (900, 9.0, "$9.00")


def test_free_gift_max_quantity_defaults_to_one(integration, sku_list):
    created = integration.create(
        "free_gift_promotions",
        {"name": "Gift", **window()},
        {"sku_list": rel("sku_lists", sku_list.public_id)},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["attributes"]["max_quantity"] == 1


# --- 422s and their pointers ----------------------------------------------------------------


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_a_list_kind_needs_its_sku_list(integration, kind):
    missing = _create(integration, kind)
    assert pointer(missing) == "/data/relationships/sku_list"
    assert error(missing)["detail"] == "sku_list - can't be blank"
    assert not Promotion.objects.exists()
    promotion = FACTORIES[kind]()
    cleared = integration.update(kind, promotion.public_id, {}, {"sku_list": {"data": None}})
    assert pointer(cleared) == "/data/relationships/sku_list"
    unknown = _create(integration, kind, SkuListFactory.build(public_id="nope123456"))
    assert pointer(unknown) == "/data/relationships/sku_list"


@pytest.mark.parametrize(
    "attributes,field,detail",
    [
        ({"x": None}, "x", "x - can't be blank"),
        ({"y": None}, "y", "y - can't be blank"),
        ({"x": 0, "y": 0}, "x", None),
        ({"x": 2, "y": 2}, "y", "y - must be less than 2"),
        ({"x": 2, "y": 3}, "y", "y - must be less than 2"),
        ({"x": "3"}, "x", None),
    ],
)
def test_buy_x_pay_y_needs_x_greater_than_y(integration, sku_list, attributes, field, detail):
    response = _create(integration, "buy_x_pay_y_promotions", sku_list, **attributes)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert errors[0]["source"]["pointer"] == f"/data/attributes/{field}"
    if detail:
        assert errors[0]["detail"] == detail
    assert not Promotion.objects.exists()


def test_buy_x_pay_y_missing_x_or_y(integration, sku_list):
    for name in ("x", "y"):
        attributes = dict(KIND_ATTRIBUTES["buy_x_pay_y_promotions"])
        del attributes[name]
        response = integration.create(
            "buy_x_pay_y_promotions",
            {"name": "3x2", **window(), **attributes},
            {"sku_list": rel("sku_lists", sku_list.public_id)},
        )
        assert pointer(response) == f"/data/attributes/{name}"


def test_buy_x_pay_y_update_checks_x_against_the_stored_y(integration):
    promotion = BuyXPayYPromotionFactory(x=3, y=2)
    response = integration.update("buy_x_pay_y_promotions", promotion.public_id, {"x": 2})
    assert error(response)["source"]["pointer"] == "/data/attributes/y"
    promotion.refresh_from_db()
    assert promotion.x == 3


@pytest.mark.parametrize("value", [0, -1, None, 1.5])
def test_free_gift_max_quantity_is_at_least_one(integration, sku_list, value):
    response = _create(integration, "free_gift_promotions", sku_list, max_quantity=value)
    assert pointer(response) == "/data/attributes/max_quantity"
    promotion = FreeGiftPromotionFactory()
    patched = integration.update(
        "free_gift_promotions", promotion.public_id, {"max_quantity": value}
    )
    assert pointer(patched) == "/data/attributes/max_quantity"


@pytest.mark.parametrize("value", [-1, None, "9"])
def test_fixed_price_needs_a_fixed_amount(integration, sku_list, value):
    response = _create(integration, "fixed_price_promotions", sku_list, fixed_amount_cents=value)
    assert pointer(response) == "/data/attributes/fixed_amount_cents"
    without = integration.create(
        "fixed_price_promotions",
        {"name": "Nine", **window()},
        {"sku_list": rel("sku_lists", sku_list.public_id)},
    )
    assert pointer(without) == "/data/attributes/fixed_amount_cents"


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_attributes_of_other_kinds_are_not_allowed(integration, sku_list, kind):
    other = "percentage" if kind != "fixed_price_promotions" else "x"
    response = _create(integration, kind, sku_list, **{other: 10})
    assert error(response, 400)["code"] == "PARAM_NOT_ALLOWED"


# --- sku_list on the other kinds: optional -------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["percentage_discount_promotions", "fixed_amount_promotions", "free_shipping_promotions"],
)
def test_sku_list_is_optional_on_the_other_kinds(integration, sku_list, kind):
    without = _create(integration, kind)
    assert without.status_code == 201, without.json()
    data = without.json()["data"]
    assert ("skus" in data["relationships"]) == (kind != "free_shipping_promotions")
    assert (
        linkage(integration.get(f"/api/{kind}/{data['id']}?include=sku_list"), "sku_list") is None
    )
    given = integration.update(
        kind, data["id"], {}, {"sku_list": rel("sku_lists", sku_list.public_id)}
    )
    assert given.status_code == 200, given.json()
    assert Promotion.objects.get(public_id=data["id"]).sku_list_id == sku_list.pk
    cleared = integration.update(kind, data["id"], {}, {"sku_list": {"data": None}})
    assert cleared.status_code == 200, cleared.json()
    assert Promotion.objects.get(public_id=data["id"]).sku_list_id is None
    with_list = _create(integration, kind, sku_list)
    assert with_list.status_code == 201, with_list.json()


def test_an_automatic_lists_skus_are_those_its_regex_matches(integration):
    for code in ("SHOE-2", "HAT-1", "SHOE-1"):
        f.SkuFactory(code=code)
    promotion = FixedPricePromotionFactory(sku_list=SkuListFactory(sku_code_regex="^SHOE"))
    other = FixedPricePromotionFactory(sku_list=promotion.sku_list)
    body = integration.get("/api/fixed_price_promotions?include=skus").json()
    by_id = {d["id"]: d for d in body["data"]}
    for record in (promotion, other):
        skus = by_id[record.public_id]["relationships"]["skus"]["data"]
        assert len(skus) == 2
    assert sorted(i["attributes"]["code"] for i in body["included"]) == ["SHOE-1", "SHOE-2"]
    related = integration.get(f"/api/fixed_price_promotions/{promotion.public_id}/skus")
    assert [s["attributes"]["code"] for s in related.json()["data"]] == ["SHOE-1", "SHOE-2"]


def test_includes_through_the_list_and_its_skus_together(integration, sku_list):
    promotion = BuyXPayYPromotionFactory(sku_list=sku_list)
    for include in ("skus,sku_list.sku_list_items", "sku_list.sku_list_items,skus,sku_list"):
        response = integration.get(
            f"/api/buy_x_pay_y_promotions/{promotion.public_id}?include={include}"
        )
        assert response.status_code == 200, response.content
        skus = response.json()["data"]["relationships"]["skus"]["data"]
        codes = {i["id"]: i["attributes"].get("code") for i in response.json()["included"]}
        assert [codes[s["id"]] for s in skus] == ["LIST-B", "LIST-A"]


# --- the polymorphic lists and relationships ----------------------------------------------


def test_the_promotions_list_holds_every_kind(integration, market):
    records = [factory(market=market) for factory in FACTORIES.values()]
    body = integration.get("/api/promotions?include=sku_list").json()
    assert [d["id"] for d in body["data"]] == [r.public_id for r in records]
    assert {d["type"] for d in body["data"]} == {"promotions"}
    assert "skus" not in body["data"][0]["relationships"]
    lists = {i["id"] for i in body["included"]}
    assert lists == {r.sku_list.public_id for r in records if r.sku_list_id}


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_coupon_codes_rules_and_line_items_name_the_new_kinds(integration, kind):
    promotion = FACTORIES[kind]()
    created = integration.create(
        "coupon_codes_promotion_rules", relationships={"promotion": rel(kind, promotion.public_id)}
    )
    assert created.status_code == 201, created.json()
    read = integration.get(
        f"/api/coupon_codes_promotion_rules/{created.json()['data']['id']}?include=promotion"
    )
    assert linkage(read, "promotion") == {"type": kind, "id": promotion.public_id}
    assert read.json()["included"][0]["type"] == kind


def test_a_promotion_links_its_rules_of_every_kind(integration):
    promotion = BuyXPayYPromotionFactory()
    sku_rule = SkuListPromotionRuleFactory(promotion=promotion)
    amount_rule = OrderAmountPromotionRuleFactory(promotion=promotion)
    url = f"/api/buy_x_pay_y_promotions/{promotion.public_id}"
    body = integration.get(
        f"{url}?include=promotion_rules,sku_list_promotion_rule,order_amount_promotion_rule"
    ).json()
    relationships = body["data"]["relationships"]
    assert relationships["promotion_rules"]["data"] == [
        {"type": "sku_list_promotion_rules", "id": sku_rule.public_id},
        {"type": "order_amount_promotion_rules", "id": amount_rule.public_id},
    ]
    assert relationships["sku_list_promotion_rule"]["data"]["id"] == sku_rule.public_id
    assert relationships["order_amount_promotion_rule"]["data"]["id"] == amount_rule.public_id
    assert {(i["type"], i["id"]) for i in body["included"]} == {
        ("sku_list_promotion_rules", sku_rule.public_id),
        ("order_amount_promotion_rules", amount_rule.public_id),
    }
    related = integration.get(f"{url}/sku_list_promotion_rule")
    assert related.json()["data"]["id"] == sku_rule.public_id
    assert ids(integration.get(f"{url}/promotion_rules")) == [
        sku_rule.public_id,
        amount_rule.public_id,
    ]


# --- storefronts -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_a_storefront_reads_active_list_promotions_not_their_rules(sales_channel, market, kind):
    promotion = FACTORIES[kind](market=market)
    SkuListItemFactory(sku_list=promotion.sku_list)
    SkuListPromotionRuleFactory(promotion=promotion)
    OrderAmountPromotionRuleFactory(promotion=promotion)
    FACTORIES[kind](market=market, disabled_at=promotion.starts_at)  # not active: not listed
    assert ids(sales_channel.get(f"/api/{kind}")) == [promotion.public_id]
    url = f"/api/{kind}/{promotion.public_id}"
    body = sales_channel.get(
        f"{url}?include=sku_list,sku_list_promotion_rule,order_amount_promotion_rule"
    ).json()
    relationships = body["data"]["relationships"]
    assert relationships["sku_list_promotion_rule"]["data"] is None
    assert relationships["order_amount_promotion_rule"]["data"] is None
    assert [i["type"] for i in body["included"]] == ["sku_lists"]
    assert len(ids(sales_channel.get(f"{url}/skus"))) == 1
    for name in ("promotion_rules", "sku_list_promotion_rule", "order_amount_promotion_rule"):
        assert error(sales_channel.get(f"{url}/{name}"), 401)["code"] == "UNAUTHORIZED", name
    assert error(sales_channel.get(f"{url}/relationships/promotion_rules"), 401)
    for include in ("promotion_rules", "skus"):  # computed: not scoped, so not includable
        assert error(sales_channel.get(f"{url}?include={include}"), 400)["code"] == (
            "INVALID_INCLUDE"
        )
    for key in ("sku_list_promotion_rule_min_quantity_gt", "order_amount_promotion_rule_id_eq"):
        probe = sales_channel.get(f"/api/{kind}?filter[q][{key}]=0")
        assert error(probe, 400)["code"] == "FILTER_NOT_ALLOWED", key


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_a_storefront_may_not_write_list_promotions(sales_channel, market, sku_list, kind):
    promotion = FACTORIES[kind](market=market)
    attempts = [
        _create(sales_channel, kind, sku_list),
        sales_channel.update(kind, promotion.public_id, {"name": "x"}),
        sales_channel.delete(f"/api/{kind}/{promotion.public_id}"),
    ]
    for response in attempts:
        assert error(response, 401)["code"] == "UNAUTHORIZED"
    assert Promotion.objects.filter(name="x").count() == 0
