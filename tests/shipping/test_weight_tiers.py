"""Shipping weight tiers as resources (shipping.md "What a method costs for a shipment",
"Access and events"): `shipping_weight_tiers` CRUD for integration tokens (at most 5 per method,
`up_to` > 0, unique per method, one null at most, `price_amount` in the method's currency, an
event per write), `shipping_method_tiers` their read-only list, a method's tiers by `up_to`
(null last) through its relationships; storefronts read them only through the methods they can
read."""

import pytest

from commerce.models import Event
from markets.models import ShippingWeightTier
from tests import factories as f
from tests.conftest import assert_unauthorized, rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def heavy(market):
    return f.ShippingMethodFactory(
        market=market, name="Heavy", scheme="weight_tiered", unit_of_weight="lb"
    )


def create(api, method, **attributes):
    attributes = {"name": "Tier", "price_amount_cents": 900, **attributes}
    return api.create(
        "shipping_weight_tiers",
        attributes,
        {"shipping_method": rel("shipping_methods", method.public_id)},
    )


def error(response, status=422):
    assert response.status_code == status, response.content
    (only,) = response.json()["errors"]
    return only


def ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


def topics(tier_id):
    return list(
        Event.objects.filter(resource_id=tier_id).order_by("id").values_list("topic", flat=True)
    )


def test_a_tier_is_created_read_updated_and_deleted_with_its_events(integration, heavy):
    response = create(integration, heavy, name="Up to 2 lb", up_to=2, price_amount_cents=2500)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    expected = {
        "name": "Up to 2 lb",
        "up_to": 2,
        "price_amount_cents": 2500,
        "price_amount_float": 25.0,
        "formatted_price_amount": "$25.00",
    }
    assert {name: data["attributes"][name] for name in expected} == expected
    tier_id = data["id"]
    read = integration.get(f"/api/shipping_weight_tiers/{tier_id}?include=shipping_method")
    assert read.json()["data"]["relationships"]["shipping_method"]["data"]["id"] == heavy.public_id
    assert ids(integration.get("/api/shipping_weight_tiers")) == [tier_id]
    assert ids(integration.get("/api/shipping_method_tiers")) == [tier_id]
    as_method_tier = integration.get(f"/api/shipping_method_tiers/{tier_id}").json()["data"]
    assert as_method_tier["type"] == "shipping_method_tiers"
    assert as_method_tier["attributes"]["formatted_price_amount"] == "$25.00"

    response = integration.update(
        "shipping_weight_tiers", tier_id, {"up_to": None, "price_amount_cents": 4000}
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["up_to"] is None
    assert integration.delete(f"/api/shipping_weight_tiers/{tier_id}").status_code == 204
    assert not ShippingWeightTier.objects.exists()
    assert topics(tier_id) == [
        "shipping_weight_tiers.create",
        "shipping_weight_tiers.update",
        "shipping_weight_tiers.destroy",
    ]


def test_price_amount_is_in_the_methods_currency(integration, other_market):
    corriere = f.ShippingMethodFactory(
        market=other_market, scheme="weight_tiered", unit_of_weight="gr"
    )
    data = create(integration, corriere, up_to=500, price_amount_cents=123456).json()["data"]
    assert data["attributes"]["formatted_price_amount"] == "€1.234,56"
    own = f.ShippingMethodFactory(
        market=other_market, currency_code="GBP", scheme="weight_tiered", unit_of_weight="gr"
    )
    data = create(integration, own, up_to=500, price_amount_cents=450).json()["data"]
    assert data["attributes"]["formatted_price_amount"] == "£4.50"


def test_a_sixth_tier_is_refused_on_the_method(integration, heavy):
    for up_to in (1, 2, 3, 4, None):
        assert create(integration, heavy, up_to=up_to).status_code == 201
    problem = error(create(integration, heavy, up_to=5))
    assert problem["source"]["pointer"] == "/data/relationships/shipping_method"
    assert problem["detail"] == "shipping_method - can have at most 5 weight tiers"
    assert ShippingWeightTier.objects.count() == 5
    # Another method has its own five.
    other = f.ShippingMethodFactory(scheme="weight_tiered", unit_of_weight="lb")
    assert create(integration, other, up_to=5).status_code == 201


@pytest.mark.parametrize("up_to", [0, -1, -0.5])
def test_up_to_is_greater_than_zero(integration, heavy, up_to):
    problem = error(create(integration, heavy, up_to=up_to))
    assert problem["source"]["pointer"] == "/data/attributes/up_to"
    assert problem["detail"] == "up_to - must be greater than 0"


def test_up_to_is_unique_per_method_and_one_tier_at_most_is_null(integration, heavy):
    assert create(integration, heavy, up_to=2.5).status_code == 201
    problem = error(create(integration, heavy, up_to=2.5))
    assert (problem["source"]["pointer"], problem["meta"]["error"]) == (
        "/data/attributes/up_to",
        "taken",
    )
    assert create(integration, heavy, up_to=None).status_code == 201
    problem = error(create(integration, heavy))  # up_to omitted: null
    assert problem["detail"] == "up_to - is already null on a tier"
    other = f.ShippingMethodFactory(scheme="weight_tiered", unit_of_weight="lb")
    assert create(integration, other, up_to=2.5).status_code == 201


def test_an_update_is_checked_against_the_other_tiers(integration, heavy):
    first = create(integration, heavy, up_to=1).json()["data"]["id"]
    create(integration, heavy, up_to=2)
    problem = error(integration.update("shipping_weight_tiers", first, {"up_to": 2}))
    assert problem["meta"]["error"] == "taken"
    assert integration.update("shipping_weight_tiers", first, {"up_to": 3}).status_code == 200


def test_the_method_is_required(integration):
    response = integration.create("shipping_weight_tiers", {"name": "T", "price_amount_cents": 1})
    problem = error(response)
    assert problem["source"]["pointer"] == "/data/relationships/shipping_method"


def test_a_methods_tiers_are_listed_by_up_to_null_last(integration, heavy):
    made = {}
    for up_to in (10, None, 0.5, 2):
        made[up_to] = create(integration, heavy, up_to=up_to).json()["data"]["id"]
    expected = [made[0.5], made[2], made[10], made[None]]
    for name in ("shipping_weight_tiers", "shipping_method_tiers"):
        related = integration.get(f"/api/shipping_methods/{heavy.public_id}/{name}")
        assert ids(related) == expected, name
        document = integration.get(f"/api/shipping_methods/{heavy.public_id}?include={name}")
        linkage = document.json()["data"]["relationships"][name]["data"]
        assert [link["id"] for link in linkage] == expected, name
        assert {link["type"] for link in linkage} == {"shipping_weight_tiers"}


# --- storefronts --------------------------------------------------------------------------


@pytest.fixture
def tier(heavy, zones):
    heavy.shipping_zone = zones["us"]
    heavy.save()
    return ShippingWeightTier.objects.create(
        shipping_method=heavy, name="Up to 2 lb", up_to=2, price_amount_cents=2500
    )


def test_a_storefront_reads_tiers_and_zone_through_a_method_it_reads(sales_channel, heavy, tier):
    url = f"/api/shipping_methods/{heavy.public_id}"
    document = sales_channel.get(f"{url}?include=shipping_weight_tiers,shipping_zone")
    assert document.status_code == 200, document.json()
    kinds = {(r["type"], r["id"]) for r in document.json()["included"]}
    assert kinds == {
        ("shipping_weight_tiers", tier.public_id),
        ("shipping_zones", heavy.shipping_zone.public_id),
    }
    assert ids(sales_channel.get(f"{url}/shipping_weight_tiers")) == [tier.public_id]
    assert ids(sales_channel.get(f"{url}/shipping_method_tiers")) == [tier.public_id]
    zone = sales_channel.get(f"{url}/shipping_zone")
    assert zone.status_code == 200
    assert zone.json()["data"]["attributes"]["country_code_regex"] == "^US$"


def test_a_storefront_neither_lists_nor_reads_nor_writes_tiers(sales_channel, heavy, tier):
    for path in (
        "/api/shipping_weight_tiers",
        f"/api/shipping_weight_tiers/{tier.public_id}",
        "/api/shipping_method_tiers",
        f"/api/shipping_method_tiers/{tier.public_id}",
        "/api/shipping_zones",
        f"/api/shipping_zones/{heavy.shipping_zone.public_id}",
    ):
        assert_unauthorized(sales_channel.get(path), path)
    assert_unauthorized(create(sales_channel, heavy, up_to=3), "create")
    assert_unauthorized(
        sales_channel.update("shipping_weight_tiers", tier.public_id, {"name": "Mine"}), "update"
    )
    assert_unauthorized(
        sales_channel.delete(f"/api/shipping_weight_tiers/{tier.public_id}"), "delete"
    )


def test_a_storefront_does_not_reach_another_markets_method_tiers(sales_channel, other_market):
    abroad = f.ShippingMethodFactory(
        market=other_market, scheme="weight_tiered", unit_of_weight="gr"
    )
    ShippingWeightTier.objects.create(
        shipping_method=abroad, name="T", up_to=1, price_amount_cents=1
    )
    response = sales_channel.get(f"/api/shipping_methods/{abroad.public_id}/shipping_weight_tiers")
    assert response.status_code == 404
