"""promotion_rules: the read-only list of every rule, whatever its kind, each row its own type
(a UNION of the three rule tables, paged and sorted by the database); integration only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from markets.models import CouponCodesPromotionRule, OrderAmountPromotionRule
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.promotions.conftest import (
    BuyXPayYPromotionFactory,
    OrderAmountPromotionRuleFactory,
    SkuListPromotionRuleFactory,
)
from tests.promotions.helpers import error, ids

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def rules():
    """A rule of each kind, created a minute apart in this order: order amount, coupon codes,
    SKU list (so that creation order is not the kinds' order)."""
    made = [
        OrderAmountPromotionRuleFactory(),
        CouponCodesPromotionRuleFactory(promotion=BuyXPayYPromotionFactory()),
        SkuListPromotionRuleFactory(),
    ]
    start = timezone.now() - timedelta(hours=1)
    for minutes, rule in enumerate(made):
        type(rule).objects.filter(pk=rule.pk).update(created_at=start + timedelta(minutes=minutes))
    return made


TYPES = ["order_amount_promotion_rules", "coupon_codes_promotion_rules", "sku_list_promotion_rules"]


def _typed(body) -> list[tuple[str, str]]:
    return [(d["type"], d["id"]) for d in body["data"]]


def test_the_list_holds_every_kind_each_as_its_own_type(integration, rules):
    body = integration.get("/api/promotion_rules").json()
    assert _typed(body) == [(t, r.public_id) for t, r in zip(TYPES, rules, strict=True)]
    assert body["meta"] == {"record_count": 3, "page_count": 1}
    order_amount, coupons, sku_list = body["data"]
    assert order_amount["attributes"]["order_amount_cents"] == 5000
    assert set(sku_list["relationships"]) == {"promotion", "sku_list", "skus"}
    assert coupons["links"]["self"].endswith(
        f"/api/coupon_codes_promotion_rules/{rules[1].public_id}"
    )


def test_sorted_paged_and_filtered(integration, rules):
    newest_first = integration.get("/api/promotion_rules?sort=-created_at").json()
    assert _typed(newest_first) == list(
        reversed(_typed(integration.get("/api/promotion_rules").json()))
    )
    by_id = ids(integration.get("/api/promotion_rules?sort=id"))
    assert by_id == sorted(r.public_id for r in rules)

    first = integration.get("/api/promotion_rules?page[size]=2").json()
    assert ids_of(first) == [rules[0].public_id, rules[1].public_id]
    assert first["meta"] == {"record_count": 3, "page_count": 2}
    assert "next" in first["links"]
    second = integration.get("/api/promotion_rules?page[size]=2&page[number]=2").json()
    assert ids_of(second) == [rules[2].public_id]
    assert "next" not in second["links"]
    past = integration.get("/api/promotion_rules?page[number]=9").json()
    assert past["data"] == [] and past["meta"]["record_count"] == 3

    one = integration.get(f"/api/promotion_rules?filter[q][id_eq]={rules[2].public_id}")
    assert _typed(one.json()) == [("sku_list_promotion_rules", rules[2].public_id)]
    CouponCodesPromotionRule.objects.filter(pk=rules[1].pk).update(reference="ERP-1")
    OrderAmountPromotionRule.objects.filter(pk=rules[0].pk).update(reference="ERP-2")
    start = ids(
        integration.get("/api/promotion_rules?filter[q][reference_start]=ERP&sort=-reference")
    )
    assert start == [rules[0].public_id, rules[1].public_id]
    bad = integration.get("/api/promotion_rules?sort=min_quantity")
    assert error(bad, 400)["code"] == "INVALID_SORT_CRITERIA"


def ids_of(body) -> list[str]:
    return [d["id"] for d in body["data"]]


def test_include_the_promotions(integration, rules):
    body = integration.get("/api/promotion_rules?include=promotion").json()
    promotions = [d["relationships"]["promotion"]["data"] for d in body["data"]]
    assert promotions == [{"type": r.promotion.kind, "id": r.promotion.public_id} for r in rules]
    assert {(i["type"], i["id"]) for i in body["included"]} == {
        (r.promotion.kind, r.promotion.public_id) for r in rules
    }


def test_members_their_promotion_and_linkage(integration, rules):
    for type_name, rule in zip(TYPES, rules, strict=True):
        read = integration.get(f"/api/promotion_rules/{rule.public_id}?include=promotion")
        assert read.status_code == 200, read.content
        assert (read.json()["data"]["type"], read.json()["data"]["id"]) == (
            type_name,
            rule.public_id,
        )
        assert read.json()["included"][0]["id"] == rule.promotion.public_id
        related = integration.get(f"/api/promotion_rules/{rule.public_id}/promotion")
        assert related.json()["data"] == {**related.json()["data"], "type": rule.promotion.kind}
        linkage = integration.get(f"/api/promotion_rules/{rule.public_id}/relationships/promotion")
        assert linkage.json()["data"] == {
            "type": rule.promotion.kind,
            "id": rule.promotion.public_id,
        }
    assert error(integration.get("/api/promotion_rules/nope123456"), 404)["code"] == (
        "RECORD_NOT_FOUND"
    )
    assert integration.create("promotion_rules").status_code == 405
    assert integration.delete(f"/api/promotion_rules/{rules[0].public_id}").status_code == 405


def test_a_promotions_rules_listed_from_it(integration, rules):
    promotion = PercentageDiscountPromotionFactory()
    own = [
        SkuListPromotionRuleFactory(promotion=promotion),
        CouponCodesPromotionRuleFactory(promotion=promotion),
    ]
    url = f"/api/percentage_discount_promotions/{promotion.public_id}/promotion_rules"
    body = integration.get(f"{url}?sort=-created_at").json()
    assert ids_of(body) == [own[1].public_id, own[0].public_id]
    assert body["meta"]["record_count"] == 2
    assert {d["type"] for d in body["data"]} == {
        "sku_list_promotion_rules",
        "coupon_codes_promotion_rules",
    }
    assert (
        integration.get(f"/api/promotions/{promotion.public_id}/promotion_rules").json()["meta"][
            "record_count"
        ]
        == 2
    )


def test_integration_only(sales_channel, anonymous, market, rules):
    promotion = PercentageDiscountPromotionFactory(market=market)
    rule = CouponCodesPromotionRuleFactory(promotion=promotion)
    for url in (
        "/api/promotion_rules",
        f"/api/promotion_rules/{rule.public_id}",
        f"/api/promotion_rules/{rule.public_id}/promotion",
        f"/api/percentage_discount_promotions/{promotion.public_id}/promotion_rules",
        f"/api/promotions/{promotion.public_id}/relationships/promotion_rules",
    ):
        assert error(sales_channel.get(url), 401)["code"] == "UNAUTHORIZED", url
    assert error(anonymous.get("/api/promotion_rules"), 401)["code"] == "INVALID_TOKEN"


def _queries(api, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), len(response.json()["data"])


def _one_of_each(count):
    for _ in range(count):
        promotion = BuyXPayYPromotionFactory()
        CouponFactory.create_batch(
            2, promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion)
        )
        SkuListPromotionRuleFactory(promotion=promotion)
        OrderAmountPromotionRuleFactory(promotion=promotion)


@pytest.mark.parametrize("include", ["", "promotion", "promotion.market"])
def test_the_list_costs_the_same_for_3_and_24_rules(integration, include):
    url = "/api/promotion_rules?page[size]=25" + (f"&include={include}" if include else "")
    _one_of_each(1)
    few, few_rows = _queries(integration, url)
    _one_of_each(7)
    many, many_rows = _queries(integration, url)
    assert (few_rows, many_rows) == (3, 24)
    assert few == many


def test_promotion_lists_with_every_rule_cost_the_same(integration):
    include = (
        "sku_list,skus,promotion_rules,coupon_codes_promotion_rule,sku_list_promotion_rule,"
        "order_amount_promotion_rule,coupons"
    )
    url = f"/api/buy_x_pay_y_promotions?page[size]=25&include={include}"
    _one_of_each(1)
    few, _ = _queries(integration, url)
    _one_of_each(9)
    many, rows = _queries(integration, url)
    assert rows == 10
    assert few == many
