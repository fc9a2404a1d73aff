"""sku_list_promotion_rules and order_amount_promotion_rules: integration only, like
coupon_codes_promotion_rules; one rule of each kind per promotion (catalog.md "Rules")."""

import pytest

from markets.models import OrderAmountPromotionRule, Promotion, SkuListPromotionRule
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    FixedAmountPromotionFactory,
    PercentageDiscountPromotionFactory,
)
from tests.promotions.conftest import (
    FACTORIES,
    OrderAmountPromotionRuleFactory,
    SkuListFactory,
    SkuListPromotionRuleFactory,
)
from tests.promotions.helpers import error, linkage, pointer

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

RULES = {
    "sku_list_promotion_rules": (SkuListPromotionRule, SkuListPromotionRuleFactory),
    "order_amount_promotion_rules": (OrderAmountPromotionRule, OrderAmountPromotionRuleFactory),
}


@pytest.mark.parametrize("kind", FACTORIES)
def test_sku_list_rule_crud_over_every_promotion_kind(integration, sku_list, kind):
    promotion = FACTORIES[kind]()
    created = integration.create(
        "sku_list_promotion_rules",
        {"all_skus": True, "min_quantity": 3},
        {
            "promotion": rel(kind, promotion.public_id),
            "sku_list": rel("sku_lists", sku_list.public_id),
        },
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert set(data["relationships"]) == {"promotion", "sku_list", "skus"}
    assert data["attributes"]["all_skus"] is True
    assert data["attributes"]["min_quantity"] == 3
    rule_id = data["id"]

    read = integration.get(
        f"/api/sku_list_promotion_rules/{rule_id}?include=promotion,sku_list,skus"
    )
    body = read.json()
    assert body["data"]["relationships"]["promotion"]["data"] == {
        "type": kind,
        "id": promotion.public_id,
    }
    assert [i["type"] for i in body["included"]] == [kind, "sku_lists", "skus", "skus"]
    skus = integration.get(f"/api/sku_list_promotion_rules/{rule_id}/skus")
    assert [s["attributes"]["code"] for s in skus.json()["data"]] == ["LIST-B", "LIST-A"]
    from_promotion = integration.get(f"/api/{kind}/{promotion.public_id}/sku_list_promotion_rule")
    assert from_promotion.json()["data"]["id"] == rule_id

    updated = integration.update(
        "sku_list_promotion_rules",
        rule_id,
        {"all_skus": False, "min_quantity": None},
        {"sku_list": {"data": None}},
    )
    assert updated.status_code == 200, updated.json()
    rule = SkuListPromotionRule.objects.get(public_id=rule_id)
    assert (rule.all_skus, rule.min_quantity, rule.sku_list_id) == (False, None, None)
    assert integration.get(f"/api/sku_list_promotion_rules/{rule_id}/skus").json()["data"] == []

    assert integration.delete(f"/api/sku_list_promotion_rules/{rule_id}").status_code == 204
    assert not SkuListPromotionRule.objects.exists()
    assert Promotion.objects.filter(pk=promotion.pk).exists()


@pytest.mark.parametrize("kind", FACTORIES)
def test_order_amount_rule_crud_over_every_promotion_kind(integration, market, kind):
    promotion = FACTORIES[kind](market=market)
    created = integration.create(
        "order_amount_promotion_rules",
        {"order_amount_cents": 5000, "use_subtotal": True},
        {"promotion": rel(kind, promotion.public_id)},
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert set(data["relationships"]) == {"promotion"}
    attributes = data["attributes"]
    assert (
        attributes["order_amount_cents"],
        attributes["order_amount_float"],
        attributes["formatted_order_amount"],
        attributes["use_subtotal"],
    ) == (5000, 50.0, "$50.00", True)
    rule_id = data["id"]
    from_promotion = integration.get(
        f"/api/{kind}/{promotion.public_id}?include=order_amount_promotion_rule"
    ).json()
    assert from_promotion["included"][0]["attributes"]["formatted_order_amount"] == "$50.00"

    updated = integration.update(
        "order_amount_promotion_rules", rule_id, {"order_amount_cents": 0, "use_subtotal": False}
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["formatted_order_amount"] == "$0.00"

    assert integration.delete(f"/api/order_amount_promotion_rules/{rule_id}").status_code == 204
    assert not OrderAmountPromotionRule.objects.exists()


def test_order_amount_follows_the_promotions_own_currency(integration, market):
    promotion = PercentageDiscountPromotionFactory(market=market, currency_code="EUR")
    rule = OrderAmountPromotionRuleFactory(promotion=promotion, order_amount_cents=12345)
    attributes = integration.get(f"/api/order_amount_promotion_rules/{rule.public_id}").json()[
        "data"
    ]["attributes"]
    assert attributes["order_amount_float"] == 123.45
    assert "123,45" in attributes["formatted_order_amount"]
    moved = FixedAmountPromotionFactory(market=market)
    updated = integration.update(
        "order_amount_promotion_rules",
        rule.public_id,
        {},
        {"promotion": rel("fixed_amount_promotions", moved.public_id)},
    )
    assert updated.json()["data"]["attributes"]["formatted_order_amount"] == "$123.45"


@pytest.mark.parametrize("type_name", RULES)
def test_one_rule_of_each_kind_per_promotion(integration, type_name):
    model, factory = RULES[type_name]
    rule = factory()
    promotion = rule.promotion
    again = integration.create(
        type_name, relationships={"promotion": rel(promotion.kind, promotion.public_id)}
    )
    assert pointer(again) == "/data/relationships/promotion"
    assert error(again)["meta"]["error"] == "taken"
    assert error(again)["detail"] == "promotion - has already been taken"
    other = factory()
    moved = integration.update(
        type_name,
        other.public_id,
        relationships={"promotion": rel(promotion.kind, promotion.public_id)},
    )
    assert pointer(moved) == "/data/relationships/promotion"
    assert model.objects.count() == 2
    # A rule of another kind is no obstacle.
    CouponCodesPromotionRuleFactory(promotion=promotion)
    other_kind = next(t for t in RULES if t != type_name)
    beside = integration.create(
        other_kind, relationships={"promotion": rel(promotion.kind, promotion.public_id)}
    )
    assert beside.status_code == 201, beside.json()


@pytest.mark.parametrize("type_name", RULES)
def test_the_promotion_is_required_and_typed_by_its_kind(integration, type_name):
    promotion = PercentageDiscountPromotionFactory()
    missing = integration.create(type_name)
    assert pointer(missing) == "/data/relationships/promotion"
    assert error(missing)["detail"] == "promotion - can't be blank"
    for wrong in ("fixed_amount_promotions", "promotions", "sku_lists"):
        response = integration.create(
            type_name, relationships={"promotion": rel(wrong, promotion.public_id)}
        )
        assert pointer(response) == "/data/relationships/promotion", wrong
    rule = RULES[type_name][1](promotion=promotion)
    cleared = integration.update(type_name, rule.public_id, {}, {"promotion": {"data": None}})
    assert pointer(cleared) == "/data/relationships/promotion"


@pytest.mark.parametrize(
    "type_name,attributes,field",
    [
        ("sku_list_promotion_rules", {"min_quantity": -1}, "min_quantity"),
        ("sku_list_promotion_rules", {"min_quantity": "2"}, "min_quantity"),
        ("sku_list_promotion_rules", {"all_skus": "yes"}, "all_skus"),
        ("order_amount_promotion_rules", {"order_amount_cents": -1}, "order_amount_cents"),
        ("order_amount_promotion_rules", {"order_amount_cents": 1.5}, "order_amount_cents"),
        ("order_amount_promotion_rules", {"use_subtotal": 1}, "use_subtotal"),
    ],
)
def test_attribute_422s(integration, type_name, attributes, field):
    promotion = PercentageDiscountPromotionFactory()
    response = integration.create(
        type_name, attributes, {"promotion": rel(promotion.kind, promotion.public_id)}
    )
    assert pointer(response) == f"/data/attributes/{field}"
    assert not RULES[type_name][0].objects.exists()


def test_sku_list_rule_sku_list_must_exist(integration):
    promotion = PercentageDiscountPromotionFactory()
    response = integration.create(
        "sku_list_promotion_rules",
        relationships={
            "promotion": rel(promotion.kind, promotion.public_id),
            "sku_list": rel("sku_lists", "nope123456"),
        },
    )
    assert pointer(response) == "/data/relationships/sku_list"
    rule = SkuListPromotionRuleFactory(sku_list=SkuListFactory())
    assert linkage(
        integration.get(f"/api/sku_list_promotion_rules/{rule.public_id}?include=sku_list"),
        "sku_list",
    ) == {"type": "sku_lists", "id": rule.sku_list.public_id}


def test_deleting_a_promotion_deletes_its_rules(integration):
    promotion = PercentageDiscountPromotionFactory()
    SkuListPromotionRuleFactory(promotion=promotion)
    OrderAmountPromotionRuleFactory(promotion=promotion)
    response = integration.delete(f"/api/percentage_discount_promotions/{promotion.public_id}")
    assert response.status_code == 204, response.content
    assert not SkuListPromotionRule.objects.exists()
    assert not OrderAmountPromotionRule.objects.exists()


# --- who may reach them --------------------------------------------------------------------


@pytest.mark.parametrize("type_name", RULES)
def test_integration_only(sales_channel, customer_token, anonymous, market, type_name):
    model, factory = RULES[type_name]
    rule = factory(promotion=PercentageDiscountPromotionFactory(market=market))
    customer = customer_token(market, "ada@example.com")
    for client in (sales_channel, customer):
        attempts = [
            client.get(f"/api/{type_name}"),
            client.get(f"/api/{type_name}/{rule.public_id}"),
            client.get(f"/api/{type_name}/{rule.public_id}/promotion"),
            client.create(
                type_name,
                relationships={"promotion": rel(rule.promotion.kind, rule.promotion.public_id)},
            ),
            client.update(type_name, rule.public_id, {}),
            client.delete(f"/api/{type_name}/{rule.public_id}"),
        ]
        for response in attempts:
            assert error(response, 401)["code"] == "UNAUTHORIZED"
    assert error(anonymous.get(f"/api/{type_name}"), 401)["code"] == "INVALID_TOKEN"
    assert model.objects.filter(pk=rule.pk).exists()
