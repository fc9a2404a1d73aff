"""The three promotion kinds, the polymorphic `promotions` list, and who may see them."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from markets.models import Promotion
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    FixedAmountPromotionFactory,
    FreeShippingPromotionFactory,
    PercentageDiscountPromotionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

KINDS = ["percentage_discount_promotions", "fixed_amount_promotions", "free_shipping_promotions"]
FACTORIES = {
    "percentage_discount_promotions": PercentageDiscountPromotionFactory,
    "fixed_amount_promotions": FixedAmountPromotionFactory,
    "free_shipping_promotions": FreeShippingPromotionFactory,
}
KIND_ATTRIBUTES = {
    "percentage_discount_promotions": {"percentage": 10},
    "fixed_amount_promotions": {"fixed_amount_cents": 500},
    "free_shipping_promotions": {},
}
# Every kind's relationships (resources.md); `skus` where the spec lists it.
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
LIST_SKUS_KINDS = {"percentage_discount_promotions", "fixed_amount_promotions"}
SHARED = {
    "name",
    "currency_code",
    "exclusive",
    "priority",
    "starts_at",
    "expires_at",
    "total_usage_limit",
    "total_usage_count",
    "total_usage_reached",
    "active",
    "status",
    "weight",
    "coupons_count",
    "disabled_at",
    "created_at",
    "updated_at",
    "reference",
    "reference_origin",
    "metadata",
}


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def _window(start_days=-1, end_days=30):
    now = timezone.now()
    return {
        "starts_at": _iso(now + timedelta(days=start_days)),
        "expires_at": _iso(now + timedelta(days=end_days)),
    }


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


# --- each kind: create / read / update / delete ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_promotion_crud(integration, market, kind):
    created = integration.create(
        kind,
        {
            "name": "Spring sale",
            "exclusive": True,
            "priority": 2,
            "total_usage_limit": 100,
            **_window(),
            **KIND_ATTRIBUTES[kind],
        },
        {"market": rel("markets", market.public_id)},
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["type"] == kind
    attributes = data["attributes"]
    expected = SHARED | set(KIND_ATTRIBUTES[kind])
    if kind == "fixed_amount_promotions":
        expected |= {"fixed_amount_float", "formatted_fixed_amount"}
    assert set(attributes) == expected
    assert attributes["status"] == "active"
    assert attributes["active"] is True
    assert attributes["total_usage_count"] == 0
    assert attributes["total_usage_reached"] is False
    assert attributes["coupons_count"] == 0
    assert attributes["weight"] == 0
    assert attributes["disabled_at"] is None
    assert attributes["exclusive"] is True
    assert set(data["relationships"]) == RELATIONSHIPS - (
        set() if kind in LIST_SKUS_KINDS else {"skus"}
    )
    promotion = Promotion.objects.get(public_id=data["id"])
    assert promotion.kind == kind
    assert promotion.market_id == market.pk

    read = integration.get(f"/api/{kind}/{data['id']}?include=market")
    assert read.json()["data"]["relationships"]["market"]["data"] == {
        "type": "markets",
        "id": market.public_id,
    }

    updated = integration.update(
        kind, data["id"], {"name": "Summer sale", "priority": 1}, {"market": {"data": None}}
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["name"] == "Summer sale"
    promotion.refresh_from_db()
    assert promotion.market_id is None

    assert integration.delete(f"/api/{kind}/{data['id']}").status_code == 204
    assert not Promotion.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_only_reaches_its_own_records(integration, kind):
    others = [FACTORIES[k]() for k in KINDS if k != kind]
    own = FACTORIES[kind]()
    assert _ids(integration.get(f"/api/{kind}")) == [own.public_id]
    for other in others:
        assert integration.get(f"/api/{kind}/{other.public_id}").status_code == 404


def test_percentage_attribute(integration):
    created = integration.create(
        "percentage_discount_promotions", {"name": "10%", "percentage": 12.5, **_window()}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["attributes"]["percentage"] == 12.5
    promotion_id = created.json()["data"]["id"]
    updated = integration.update(
        "percentage_discount_promotions", promotion_id, {"percentage": 100}
    )
    assert updated.json()["data"]["attributes"]["percentage"] == 100


@pytest.mark.parametrize("percentage", [150, -1])
def test_percentage_is_0_to_100(integration, percentage):
    response = integration.create(
        "percentage_discount_promotions", {"name": "x", "percentage": percentage, **_window()}
    )
    assert _error(response)["source"]["pointer"] == "/data/attributes/percentage"
    assert not Promotion.objects.exists()


def test_required_attributes(integration):
    response = integration.create("percentage_discount_promotions", {"name": "x"})
    assert response.status_code == 422
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {
        "/data/attributes/percentage",
        "/data/attributes/starts_at",
        "/data/attributes/expires_at",
    }
    fixed = integration.create("fixed_amount_promotions", {"name": "x", **_window()})
    assert _error(fixed)["source"]["pointer"] == "/data/attributes/fixed_amount_cents"


def test_expires_at_must_follow_starts_at(integration):
    response = integration.create(
        "free_shipping_promotions", {"name": "x", **_window(start_days=5, end_days=1)}
    )
    error = _error(response)
    assert error["source"]["pointer"] == "/data/attributes/expires_at"
    assert error["code"] == "VALIDATION_ERROR"

    promotion = FreeShippingPromotionFactory()
    # The check also holds against the stored value of the other end.
    moved = integration.update(
        "free_shipping_promotions",
        promotion.public_id,
        {"starts_at": _iso(promotion.expires_at + timedelta(hours=1))},
    )
    assert _error(moved)["source"]["pointer"] == "/data/attributes/expires_at"


def test_read_only_attributes_are_refused(integration):
    promotion = PercentageDiscountPromotionFactory()
    for name, value in (
        ("status", "disabled"),
        ("total_usage_count", 3),
        ("coupons_count", 2),
        ("active", False),
        ("disabled_at", _iso(timezone.now())),
    ):
        response = integration.update(
            "percentage_discount_promotions", promotion.public_id, {name: value}
        )
        assert _error(response, 400)["code"] == "PARAM_NOT_ALLOWED", name


def test_invalid_currency_code(integration):
    response = integration.create(
        "fixed_amount_promotions",
        {"name": "x", "fixed_amount_cents": 500, "currency_code": "XXXX", **_window()},
    )
    assert _error(response)["source"]["pointer"] == "/data/attributes/currency_code"


# --- money ---------------------------------------------------------------------------------


def test_fixed_amount_money_triplet_in_own_currency(integration):
    created = integration.create(
        "fixed_amount_promotions",
        {"name": "5 off", "fixed_amount_cents": 500, "currency_code": "EUR", **_window()},
    )
    attributes = created.json()["data"]["attributes"]
    assert attributes["fixed_amount_cents"] == 500
    assert attributes["fixed_amount_float"] == 5.0
    assert attributes["formatted_fixed_amount"] == "€5,00"


def test_fixed_amount_money_in_market_currency(integration, market, other_market):
    usd = FixedAmountPromotionFactory(market=market, fixed_amount_cents=191760)
    eur = FixedAmountPromotionFactory(market=other_market, fixed_amount_cents=500)
    bare = FixedAmountPromotionFactory(fixed_amount_cents=100)
    body = integration.get("/api/fixed_amount_promotions").json()
    by_id = {d["id"]: d["attributes"] for d in body["data"]}
    assert by_id[usd.public_id]["formatted_fixed_amount"] == "$1,917.60"
    assert by_id[eur.public_id]["formatted_fixed_amount"] == "€5,00"
    assert by_id[eur.public_id]["fixed_amount_float"] == 5.0
    assert by_id[bare.public_id]["fixed_amount_cents"] == 100
    assert by_id[bare.public_id]["formatted_fixed_amount"] is None

    sparse = integration.get(
        "/api/fixed_amount_promotions?fields[fixed_amount_promotions]=formatted_fixed_amount"
    )
    assert sparse.json()["data"][0]["attributes"] == {"formatted_fixed_amount": "$1,917.60"}


# --- triggers and status -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_disable_and_enable(integration, kind):
    promotion = FACTORIES[kind]()
    disabled = integration.update(kind, promotion.public_id, {"_disable": True})
    assert disabled.status_code == 200, disabled.json()
    attributes = disabled.json()["data"]["attributes"]
    assert attributes["status"] == "disabled"
    assert attributes["active"] is False
    assert attributes["disabled_at"] is not None
    assert "_disable" not in attributes

    enabled = integration.update(kind, promotion.public_id, {"_enable": True})
    attributes = enabled.json()["data"]["attributes"]
    assert attributes["status"] == "active"
    assert attributes["disabled_at"] is None


def test_created_disabled(integration):
    created = integration.create(
        "free_shipping_promotions", {"name": "later", "_disable": True, **_window()}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["attributes"]["status"] == "disabled"


def test_statuses(integration):
    now = timezone.now()
    pending = FreeShippingPromotionFactory(starts_at=now + timedelta(days=1))
    expired = FreeShippingPromotionFactory(
        starts_at=now - timedelta(days=3), expires_at=now - timedelta(days=1)
    )
    used_up = FreeShippingPromotionFactory(total_usage_limit=2, total_usage_count=2)
    body = integration.get("/api/free_shipping_promotions").json()
    by_id = {d["id"]: d["attributes"] for d in body["data"]}
    assert by_id[pending.public_id]["status"] == "pending"
    assert by_id[expired.public_id]["status"] == "expired"
    assert by_id[used_up.public_id]["status"] == "inactive"
    assert by_id[used_up.public_id]["total_usage_reached"] is True
    assert not any(a["active"] for a in by_id.values())


# --- list, filter, sort, include, sparse fields --------------------------------------------


def test_list_filter_sort(integration, market, other_market):
    a = PercentageDiscountPromotionFactory(name="A", market=market, priority=3)
    b = PercentageDiscountPromotionFactory(name="B", market=other_market, priority=1)
    c = PercentageDiscountPromotionFactory(name="C", priority=2)
    assert _ids(integration.get("/api/percentage_discount_promotions?sort=priority")) == [
        b.public_id,
        c.public_id,
        a.public_id,
    ]
    assert _ids(integration.get("/api/percentage_discount_promotions?sort=-name")) == [
        c.public_id,
        b.public_id,
        a.public_id,
    ]
    assert _ids(
        integration.get("/api/percentage_discount_promotions?filter[q][market_code_eq]=usa")
    ) == [a.public_id]
    assert _ids(
        integration.get("/api/percentage_discount_promotions?filter[q][name_in]=A,C&sort=name")
    ) == [a.public_id, c.public_id]
    assert _ids(
        integration.get("/api/percentage_discount_promotions?filter[q][market_id_null]=true")
    ) == [c.public_id]


def test_coupons_through_the_rule(integration):
    promotion = PercentageDiscountPromotionFactory()
    rule = CouponCodesPromotionRuleFactory(promotion=promotion)
    coupons = [CouponFactory(promotion_rule=rule, code=f"SPRING-{i:03d}") for i in range(3)]
    lonely = PercentageDiscountPromotionFactory()

    body = integration.get(
        "/api/percentage_discount_promotions?include=coupons,coupon_codes_promotion_rule"
    ).json()
    by_id = {d["id"]: d for d in body["data"]}
    with_rule = by_id[promotion.public_id]
    assert with_rule["attributes"]["coupons_count"] == 3
    assert with_rule["relationships"]["coupon_codes_promotion_rule"]["data"] == {
        "type": "coupon_codes_promotion_rules",
        "id": rule.public_id,
    }
    assert {c["id"] for c in with_rule["relationships"]["coupons"]["data"]} == {
        c.public_id for c in coupons
    }
    assert by_id[lonely.public_id]["attributes"]["coupons_count"] == 0
    assert by_id[lonely.public_id]["relationships"]["coupons"]["data"] == []
    assert by_id[lonely.public_id]["relationships"]["coupon_codes_promotion_rule"]["data"] is None
    assert {(i["type"], i["id"]) for i in body["included"]} == {
        ("coupon_codes_promotion_rules", rule.public_id),
        *{("coupons", c.public_id) for c in coupons},
    }

    assert _ids(
        integration.get("/api/percentage_discount_promotions?filter[q][coupons_code_eq]=SPRING-001")
    ) == [promotion.public_id]
    related = integration.get(f"/api/percentage_discount_promotions/{promotion.public_id}/coupons")
    assert {d["id"] for d in related.json()["data"]} == {c.public_id for c in coupons}
    linkage = integration.get(
        f"/api/percentage_discount_promotions/{promotion.public_id}/relationships/coupons"
    )
    assert len(linkage.json()["data"]) == 3


def test_sparse_fields(integration):
    PercentageDiscountPromotionFactory()
    body = integration.get(
        "/api/percentage_discount_promotions?fields"
        "[percentage_discount_promotions]=name,percentage,market"
    ).json()
    assert set(body["data"][0]["attributes"]) == {"name", "percentage"}
    assert set(body["data"][0]["relationships"]) == {"market"}


# --- the polymorphic promotions list -------------------------------------------------------


def test_promotions_lists_every_kind(integration, market):
    records = [FACTORIES[kind](market=market) for kind in KINDS]
    rule = CouponCodesPromotionRuleFactory(promotion=records[0])
    CouponFactory(promotion_rule=rule)
    body = integration.get("/api/promotions?include=market,coupons").json()
    assert [d["id"] for d in body["data"]] == [r.public_id for r in records]
    assert {d["type"] for d in body["data"]} == {"promotions"}
    assert set(body["data"][0]["attributes"]) == SHARED
    assert body["data"][0]["attributes"]["coupons_count"] == 1
    assert body["data"][0]["relationships"]["market"]["data"]["id"] == market.public_id

    one = integration.get(f"/api/promotions/{records[1].public_id}")
    assert one.status_code == 200
    assert integration.create("promotions", {"name": "x"}).status_code == 405
    assert integration.delete(f"/api/promotions/{records[1].public_id}").status_code == 405
    filtered = integration.get(f"/api/promotions?filter[q][name_eq]={quote(records[2].name)}")
    assert _ids(filtered) == [records[2].public_id]


# --- sales channels and customers: active promotions of their market -------------------------


@pytest.fixture
def visible_and_hidden(market, other_market):
    now = timezone.now()
    visible = {
        "own": PercentageDiscountPromotionFactory(market=market),
        "global": FreeShippingPromotionFactory(),
        "fixed": FixedAmountPromotionFactory(market=market),
    }
    hidden = {
        "other market": PercentageDiscountPromotionFactory(market=other_market),
        "expired": PercentageDiscountPromotionFactory(
            market=market, starts_at=now - timedelta(days=5), expires_at=now - timedelta(days=1)
        ),
        "pending": FreeShippingPromotionFactory(market=market, starts_at=now + timedelta(days=1)),
        "disabled": FixedAmountPromotionFactory(market=market, disabled_at=now),
        "used up": PercentageDiscountPromotionFactory(
            market=market, total_usage_limit=1, total_usage_count=1
        ),
    }
    return visible, hidden


def test_sales_channel_lists_active_promotions_of_its_market(sales_channel, visible_and_hidden):
    visible, hidden = visible_and_hidden
    assert set(_ids(sales_channel.get("/api/promotions"))) == {
        p.public_id for p in visible.values()
    }
    for kind in KINDS:
        expected = {p.public_id for p in visible.values() if p.kind == kind}
        assert set(_ids(sales_channel.get(f"/api/{kind}"))) == expected
    own = visible["own"]
    read = sales_channel.get(f"/api/percentage_discount_promotions/{own.public_id}")
    assert read.status_code == 200
    assert read.json()["data"]["attributes"]["status"] == "active"
    assert sales_channel.get(f"/api/promotions/{own.public_id}").status_code == 200
    fixed = sales_channel.get(f"/api/fixed_amount_promotions/{visible['fixed'].public_id}")
    assert fixed.json()["data"]["attributes"]["formatted_fixed_amount"] == "$5.00"


def test_sales_channel_does_not_reach_other_promotions(sales_channel, visible_and_hidden):
    _, hidden = visible_and_hidden
    for label, promotion in hidden.items():
        for type_name in ("promotions", promotion.kind):
            response = sales_channel.get(f"/api/{type_name}/{promotion.public_id}")
            assert _error(response, 404)["code"] == "RECORD_NOT_FOUND", label


def test_other_market_sales_channel_sees_its_own(other_sales_channel, visible_and_hidden):
    visible, hidden = visible_and_hidden
    assert set(_ids(other_sales_channel.get("/api/promotions"))) == {
        hidden["other market"].public_id,
        visible["global"].public_id,
    }


def test_sales_channel_does_not_see_coupons_or_rules(sales_channel, market):
    promotion = PercentageDiscountPromotionFactory(market=market)
    coupon = CouponFactory(promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion))
    body = sales_channel.get(
        f"/api/percentage_discount_promotions/{promotion.public_id}"
        "?include=coupons,coupon_codes_promotion_rule"
    ).json()
    relationships = body["data"]["relationships"]
    assert relationships["coupons"]["data"] == []
    assert relationships["coupon_codes_promotion_rule"]["data"] is None
    assert "included" not in body
    assert body["data"]["attributes"]["coupons_count"] == 1
    related = sales_channel.get(
        f"/api/percentage_discount_promotions/{promotion.public_id}/coupons"
    )
    assert _error(related, 401)["code"] == "UNAUTHORIZED"
    assert coupon.code not in str(body)


@pytest.mark.parametrize("kind", KINDS)
def test_sales_channel_may_not_write_promotions(sales_channel, market, kind):
    promotion = FACTORIES[kind](market=market)
    attempts = [
        sales_channel.create(kind, {"name": "x", **_window(), **KIND_ATTRIBUTES[kind]}),
        sales_channel.update(kind, promotion.public_id, {"name": "x"}),
        sales_channel.update(kind, promotion.public_id, {"_disable": True}),
        sales_channel.delete(f"/api/{kind}/{promotion.public_id}"),
    ]
    for response in attempts:
        assert _error(response, 401)["code"] == "UNAUTHORIZED"
    promotion.refresh_from_db()
    assert promotion.disabled_at is None and promotion.name != "x"


def test_anonymous_is_refused(anonymous):
    PercentageDiscountPromotionFactory()
    assert _error(anonymous.get("/api/promotions"), 401)["code"] == "INVALID_TOKEN"


def test_market_less_promotions_are_seen_by_every_market(sales_channel, other_sales_channel):
    promotion = FreeShippingPromotionFactory()
    for client in (sales_channel, other_sales_channel):
        assert _ids(client.get("/api/free_shipping_promotions")) == [promotion.public_id]


def test_market_relationship_via_include_for_sales_channel(sales_channel, market):
    promotion = PercentageDiscountPromotionFactory(market=market)
    body = sales_channel.get(
        f"/api/percentage_discount_promotions/{promotion.public_id}?include=market"
    ).json()
    assert body["included"][0]["id"] == market.public_id


def test_sales_channel_may_not_probe_coupons_through_filters(sales_channel, integration, market):
    promotion = PercentageDiscountPromotionFactory(market=market)
    CouponFactory(
        promotion_rule=CouponCodesPromotionRuleFactory(promotion=promotion), code="ABCD2026"
    )
    for key in ("coupons_code_start", "coupon_codes_promotion_rule_id_eq"):
        for type_name in ("promotions", "percentage_discount_promotions"):
            response = sales_channel.get(f"/api/{type_name}?filter[q][{key}]=A")
            error = _error(response, 400)
            assert error["code"] == "FILTER_NOT_ALLOWED"
            assert error["source"] == {"parameter": f"filter[q][{key}]"}
    allowed = sales_channel.get("/api/promotions?filter[q][name_eq]=" + quote(promotion.name))
    assert _ids(allowed) == [promotion.public_id]
    assert _ids(integration.get("/api/promotions?filter[q][coupons_code_start]=AB")) == [
        promotion.public_id
    ]
