"""coupon_codes_promotion_rules and coupons: integration only."""

import pytest

from markets.models import Coupon, CouponCodesPromotionRule
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    FixedAmountPromotionFactory,
    FreeShippingPromotionFactory,
    PercentageDiscountPromotionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


# --- coupon_codes_promotion_rules ----------------------------------------------------------


@pytest.mark.parametrize(
    "factory,kind",
    [
        (PercentageDiscountPromotionFactory, "percentage_discount_promotions"),
        (FixedAmountPromotionFactory, "fixed_amount_promotions"),
        (FreeShippingPromotionFactory, "free_shipping_promotions"),
    ],
)
def test_rule_crud_over_every_promotion_kind(integration, factory, kind):
    promotion = factory()
    created = integration.create(
        "coupon_codes_promotion_rules", relationships={"promotion": rel(kind, promotion.public_id)}
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert set(data["relationships"]) == {"promotion", "coupons"}
    rule_id = data["id"]

    read = integration.get(f"/api/coupon_codes_promotion_rules/{rule_id}?include=promotion")
    body = read.json()
    assert body["data"]["relationships"]["promotion"]["data"] == {
        "type": kind,
        "id": promotion.public_id,
    }
    assert body["included"][0]["type"] == kind
    assert body["included"][0]["attributes"]["coupons_count"] == 0

    related = integration.get(f"/api/{kind}/{promotion.public_id}/coupon_codes_promotion_rule")
    assert related.json()["data"]["id"] == rule_id

    assert integration.delete(f"/api/coupon_codes_promotion_rules/{rule_id}").status_code == 204
    assert not CouponCodesPromotionRule.objects.exists()


def test_rule_linkage_type_must_be_the_promotion_kind(integration):
    promotion = PercentageDiscountPromotionFactory()
    wrong = integration.create(
        "coupon_codes_promotion_rules",
        relationships={"promotion": rel("fixed_amount_promotions", promotion.public_id)},
    )
    assert _error(wrong)["source"]["pointer"] == "/data/relationships/promotion"
    generic = integration.create(
        "coupon_codes_promotion_rules",
        relationships={"promotion": rel("promotions", promotion.public_id)},
    )
    assert _error(generic)["source"]["pointer"] == "/data/relationships/promotion"
    missing = integration.create("coupon_codes_promotion_rules")
    assert _error(missing)["source"]["pointer"] == "/data/relationships/promotion"


def test_one_rule_per_promotion(integration):
    rule = CouponCodesPromotionRuleFactory()
    again = integration.create(
        "coupon_codes_promotion_rules",
        relationships={"promotion": rel(rule.promotion.kind, rule.promotion.public_id)},
    )
    error = _error(again)
    assert error["source"]["pointer"] == "/data/relationships/promotion"
    assert error["meta"]["error"] == "taken"


def test_moving_a_rule_moves_its_coupons(integration):
    rule = CouponCodesPromotionRuleFactory()
    coupons = [CouponFactory(promotion_rule=rule) for _ in range(2)]
    target = FreeShippingPromotionFactory()
    moved = integration.update(
        "coupon_codes_promotion_rules",
        rule.public_id,
        relationships={"promotion": rel("free_shipping_promotions", target.public_id)},
    )
    assert moved.status_code == 200, moved.json()
    body = integration.get(f"/api/free_shipping_promotions/{target.public_id}?include=coupons")
    assert body.json()["data"]["attributes"]["coupons_count"] == 2
    assert {c["id"] for c in body.json()["data"]["relationships"]["coupons"]["data"]} == {
        c.public_id for c in coupons
    }
    assert (
        integration.get(f"/api/percentage_discount_promotions/{rule.promotion.public_id}").json()[
            "data"
        ]["attributes"]["coupons_count"]
        == 0
    )


def test_rules_list_include_coupons_and_filter(integration):
    first = CouponCodesPromotionRuleFactory()
    second = CouponCodesPromotionRuleFactory()
    coupon = CouponFactory(promotion_rule=second, code="WELCOME10")
    body = integration.get(
        "/api/coupon_codes_promotion_rules?include=coupons,promotion&sort=-created_at"
    ).json()
    assert [d["id"] for d in body["data"]] == [second.public_id, first.public_id]
    assert body["data"][0]["relationships"]["coupons"]["data"] == [
        {"type": "coupons", "id": coupon.public_id}
    ]
    assert {i["type"] for i in body["included"]} == {"coupons", "percentage_discount_promotions"}
    assert _ids(
        integration.get("/api/coupon_codes_promotion_rules?filter[q][coupons_code_eq]=WELCOME10")
    ) == [second.public_id]


# --- coupons -------------------------------------------------------------------------------


def test_coupon_crud(integration):
    rule = CouponCodesPromotionRuleFactory()
    created = integration.create(
        "coupons",
        {
            "code": "SPRING2026",
            "customer_single_use": True,
            "usage_limit": 10,
            "recipient_email": "ada@example.com",
            "expires_at": "2030-01-01T00:00:00.000Z",
        },
        {"promotion_rule": rel("coupon_codes_promotion_rules", rule.public_id)},
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["attributes"] == {
        **data["attributes"],
        "code": "SPRING2026",
        "customer_single_use": True,
        "usage_limit": 10,
        "usage_count": 0,
        "recipient_email": "ada@example.com",
        "expires_at": "2030-01-01T00:00:00.000Z",
    }
    assert set(data["relationships"]) == {"promotion_rule", "tags", "events"}
    coupon = Coupon.objects.get(public_id=data["id"])
    assert coupon.promotion_id == rule.promotion_id

    read = integration.get(f"/api/coupons/{data['id']}?include=promotion_rule.promotion")
    body = read.json()
    assert body["data"]["relationships"]["promotion_rule"]["data"]["id"] == rule.public_id
    assert {i["type"] for i in body["included"]} == {
        "coupon_codes_promotion_rules",
        "percentage_discount_promotions",
    }

    other_rule = CouponCodesPromotionRuleFactory()
    updated = integration.update(
        "coupons",
        data["id"],
        {"code": "SUMMER2026", "usage_limit": None},
        {"promotion_rule": rel("coupon_codes_promotion_rules", other_rule.public_id)},
    )
    assert updated.status_code == 200, updated.json()
    coupon.refresh_from_db()
    assert coupon.code == "SUMMER2026"
    assert coupon.usage_limit is None
    assert coupon.promotion_id == other_rule.promotion_id

    assert integration.delete(f"/api/coupons/{data['id']}").status_code == 204
    assert not Coupon.objects.exists()


def test_coupon_code_is_unique(integration):
    existing = CouponFactory(code="TAKEN2026")
    response = integration.create(
        "coupons",
        {"code": "TAKEN2026"},
        {"promotion_rule": rel("coupon_codes_promotion_rules", existing.promotion_rule.public_id)},
    )
    error = _error(response)
    assert error["source"]["pointer"] == "/data/attributes/code"
    assert error["meta"]["error"] == "taken"
    assert error["detail"] == "code - has already been taken"

    other = CouponFactory(code="OTHER2026")
    renamed = integration.update("coupons", other.public_id, {"code": "TAKEN2026"})
    assert _error(renamed)["meta"]["error"] == "taken"


def test_coupon_validations(integration):
    rule = CouponCodesPromotionRuleFactory()
    no_rule = integration.create("coupons", {"code": "SPRING-X1"})
    assert _error(no_rule)["source"]["pointer"] == "/data/relationships/promotion_rule"
    no_code = integration.create(
        "coupons", {}, {"promotion_rule": rel("coupon_codes_promotion_rules", rule.public_id)}
    )
    assert _error(no_code)["source"]["pointer"] == "/data/attributes/code"
    bad_email = integration.create(
        "coupons",
        {"code": "SPRING-X2", "recipient_email": "nope"},
        {"promotion_rule": rel("coupon_codes_promotion_rules", rule.public_id)},
    )
    assert _error(bad_email)["source"]["pointer"] == "/data/attributes/recipient_email"
    read_only = integration.create(
        "coupons",
        {"code": "SPRING-X3", "usage_count": 4},
        {"promotion_rule": rel("coupon_codes_promotion_rules", rule.public_id)},
    )
    assert _error(read_only, 400)["code"] == "PARAM_NOT_ALLOWED"


def test_coupons_list_filter_sort_fields(integration):
    a = CouponFactory(code="AAAA2026", usage_limit=5)
    b = CouponFactory(code="BBBB2026", usage_limit=1)
    assert _ids(integration.get("/api/coupons?sort=usage_limit")) == [b.public_id, a.public_id]
    assert _ids(integration.get("/api/coupons?filter[q][code_start]=AA")) == [a.public_id]
    assert _ids(
        integration.get(
            f"/api/coupons?filter[q][promotion_rule_id_eq]={b.promotion_rule.public_id}"
        )
    ) == [b.public_id]
    sparse = integration.get("/api/coupons?fields[coupons]=code")
    assert set(sparse.json()["data"][0]["attributes"]) == {"code"}
    assert "relationships" not in sparse.json()["data"][0]


# --- who may reach them --------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["coupons", "coupon_codes_promotion_rules"])
def test_integration_only(sales_channel, anonymous, market, type_name):
    coupon = CouponFactory(promotion_rule__promotion__market=market)
    record_id = coupon.public_id if type_name == "coupons" else coupon.promotion_rule.public_id
    attempts = [
        sales_channel.get(f"/api/{type_name}"),
        sales_channel.get(f"/api/{type_name}/{record_id}"),
        sales_channel.create(type_name, {"code": "X"}),
        sales_channel.update(type_name, record_id, {}),
        sales_channel.delete(f"/api/{type_name}/{record_id}"),
    ]
    for response in attempts:
        assert _error(response, 401)["code"] == "UNAUTHORIZED"
    assert _error(anonymous.get(f"/api/{type_name}"), 401)["code"] == "INVALID_TOKEN"
    assert Coupon.objects.filter(pk=coupon.pk).exists()
