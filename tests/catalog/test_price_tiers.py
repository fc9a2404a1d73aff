"""Price volume tiers (catalog.md "Price volume tiers"): up to 5 per price, `up_to` an integer
>= 1 unique per price or null once, `price_amount` in the price list's currency; `price_tiers`
their read-only list; prices' relationships to them; who may read them."""

import pytest

from markets.models import PriceVolumeTier
from tests import factories as f
from tests.catalog.conftest import PriceVolumeTierFactory
from tests.conftest import assert_not_found, assert_unauthorized, rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


@pytest.fixture
def price(market):
    return f.PriceFactory(price_list=market.price_list, amount_cents=1000)


def _create(api, price, **attributes):
    attributes = {"name": "Ten or less", "price_amount_cents": 900, **attributes}
    return api.create("price_volume_tiers", attributes, {"price": rel("prices", price.public_id)})


def test_a_tier_is_created_read_updated_and_deleted(integration, price):
    response = _create(integration, price, up_to=10)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    expected = {
        "name": "Ten or less",
        "up_to": 10,
        "price_amount_cents": 900,
        "price_amount_float": 9.0,
        "formatted_price_amount": "$9.00",
    }
    assert {k: data["attributes"][k] for k in expected} == expected
    body = integration.get(f"/api/price_volume_tiers/{data['id']}?include=price").json()
    assert body["data"]["relationships"]["price"]["data"]["id"] == price.public_id
    assert _ids(integration.get("/api/price_volume_tiers")) == [data["id"]]

    response = integration.update(
        "price_volume_tiers", data["id"], {"up_to": None, "price_amount_cents": 800}
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["up_to"] is None
    assert response.json()["data"]["attributes"]["formatted_price_amount"] == "$8.00"

    assert integration.delete(f"/api/price_volume_tiers/{data['id']}").status_code == 204
    assert not PriceVolumeTier.objects.exists()


def test_price_amount_is_in_the_price_lists_currency(integration):
    price = f.PriceFactory(price_list=f.PriceListFactory(currency_code="EUR"))
    tier = PriceVolumeTierFactory(price=price, price_amount_cents=1250)
    attributes = integration.get(f"/api/price_volume_tiers/{tier.public_id}").json()["data"][
        "attributes"
    ]
    assert attributes["formatted_price_amount"] == "€12,50"


def test_up_to_is_unique_per_price_and_null_once(integration, price):
    PriceVolumeTierFactory(price=price, up_to=10)
    PriceVolumeTierFactory(price=price, up_to=None)
    for up_to in (10, None):
        error = _error(_create(integration, price, up_to=up_to))
        assert error["source"] == {"pointer": "/data/attributes/up_to"}, up_to
    # Another price may have the same.
    other = f.PriceFactory(price_list=price.price_list)
    assert _create(integration, other, up_to=10).status_code == 201
    assert _create(integration, other, up_to=None).status_code == 201
    # An update onto a taken `up_to` too.
    tier = PriceVolumeTierFactory(price=price, up_to=20)
    error = _error(integration.update("price_volume_tiers", tier.public_id, {"up_to": None}))
    assert error["source"] == {"pointer": "/data/attributes/up_to"}
    tier.refresh_from_db()
    assert tier.up_to == 20


@pytest.mark.parametrize("up_to", [0, -3, 1.5, "9"])
def test_up_to_is_an_integer_of_at_least_one(integration, price, up_to):
    error = _error(_create(integration, price, up_to=up_to))
    assert error["source"] == {"pointer": "/data/attributes/up_to"}


def test_a_price_has_at_most_five_tiers(integration, price):
    for up_to in (1, 2, 3, 4, 5):
        PriceVolumeTierFactory(price=price, up_to=up_to)
    error = _error(_create(integration, price, up_to=None))
    assert error["source"] == {"pointer": "/data/relationships/price"}
    # Moving a tier onto a full price too.
    tier = PriceVolumeTierFactory(price=f.PriceFactory(price_list=price.price_list), up_to=9)
    response = integration.update(
        "price_volume_tiers",
        tier.public_id,
        relationships={"price": rel("prices", price.public_id)},
    )
    assert _error(response)["source"] == {"pointer": "/data/relationships/price"}
    assert PriceVolumeTier.objects.filter(price=price).count() == 5


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"name": "No amount"}, "/data/attributes/price_amount_cents"),
        ({"price_amount_cents": 100}, "/data/attributes/name"),
        ({"name": "Negative", "price_amount_cents": -1}, "/data/attributes/price_amount_cents"),
    ],
)
def test_name_and_price_amount_are_required(integration, price, attributes, pointer):
    response = integration.create(
        "price_volume_tiers", attributes, {"price": rel("prices", price.public_id)}
    )
    assert _error(response)["source"] == {"pointer": pointer}


def test_the_price_is_required(integration):
    response = integration.create("price_volume_tiers", {"name": "A", "price_amount_cents": 1})
    assert _error(response)["source"] == {"pointer": "/data/relationships/price"}


# --- price_tiers, and a price's relationships to its tiers -----------------------------------


def test_price_tiers_list_the_same_rows_read_only(integration, price):
    tiers = [PriceVolumeTierFactory(price=price, up_to=n) for n in (9, 49)]
    body = integration.get("/api/price_tiers?include=price").json()
    assert [d["id"] for d in body["data"]] == [t.public_id for t in tiers]
    assert {d["type"] for d in body["data"]} == {"price_tiers"}
    attributes = body["data"][0]["attributes"]
    assert {"name", "up_to", "price_amount_cents", "formatted_price_amount"} <= set(attributes)
    assert body["data"][0]["relationships"]["price"]["data"]["id"] == price.public_id
    one = integration.get(f"/api/price_tiers/{tiers[0].public_id}")
    assert one.json()["data"]["type"] == "price_tiers"
    response = integration.create(
        "price_tiers", {"name": "A", "price_amount_cents": 1}, {"price": rel("prices", "x")}
    )
    assert response.status_code == 405
    response = integration.update("price_tiers", tiers[0].public_id, {"name": "B"})
    assert response.status_code == 405
    assert integration.delete(f"/api/price_tiers/{tiers[0].public_id}").status_code == 405


def test_a_price_links_its_tiers_as_volume_tiers(integration, price):
    tiers = [PriceVolumeTierFactory(price=price, up_to=n) for n in (49, 9)]
    PriceVolumeTierFactory()  # another price's
    url = f"/api/prices/{price.public_id}"
    body = integration.get(f"{url}?include=price_tiers,price_volume_tiers").json()
    for name in ("price_tiers", "price_volume_tiers"):
        linkage = body["data"]["relationships"][name]["data"]
        assert {(d["type"], d["id"]) for d in linkage} == {
            ("price_volume_tiers", t.public_id) for t in tiers
        }
        assert set(_ids(integration.get(f"{url}/{name}"))) == {t.public_id for t in tiers}
    assert {i["type"] for i in body["included"]} == {"price_volume_tiers"}


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sales_channel", "customer"])
def test_storefronts_read_their_markets_tiers_only(
    request, market, other_market, customer_token, kind, price
):
    api = (
        request.getfixturevalue("sales_channel")
        if kind == "sales_channel"
        else customer_token(market, "buyer@example.com")
    )
    own = PriceVolumeTierFactory(price=price, up_to=9)
    other = PriceVolumeTierFactory(price=f.PriceFactory(price_list=other_market.price_list))
    for type_name in ("price_volume_tiers", "price_tiers"):
        assert _ids(api.get(f"/api/{type_name}")) == [own.public_id]
        assert api.get(f"/api/{type_name}/{own.public_id}").status_code == 200
        assert_not_found(api.get(f"/api/{type_name}/{other.public_id}"), type_name)
    body = api.get(f"/api/prices/{price.public_id}?include=price_volume_tiers").json()
    assert [i["id"] for i in body["included"]] == [own.public_id]
    assert_unauthorized(_create(api, price, up_to=20), "create")
    assert_unauthorized(api.update("price_volume_tiers", own.public_id, {"name": "X"}), "update")
    assert_unauthorized(api.delete(f"/api/price_volume_tiers/{own.public_id}"), "delete")
