"""SKU options (catalog.md "SKU options"): `price_amount` in their currency, else their market's;
`delay_days` derived; `sku_code_regex` checked; `market` optional; a SKU's options; who may do
what (auth.md: storefronts list and read those of their market or of none)."""

import pytest

from markets.models import SkuOption
from tests import factories as f
from tests.catalog.conftest import SkuOptionFactory
from tests.conftest import assert_not_found, assert_unauthorized, rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def _ids(response):
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


def test_an_option_is_created_read_updated_and_deleted(integration, market):
    response = integration.create(
        "sku_options",
        {"name": "Engraving", "price_amount_cents": 500, "delay_hours": 30},
        {"market": rel("markets", market.public_id)},
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    expected = {
        "name": "Engraving",
        "currency_code": None,
        "price_amount_cents": 500,
        "price_amount_float": 5.0,
        "formatted_price_amount": "$5.00",  # the market's price list's currency
        "delay_hours": 30,
        "delay_days": 2,
        "sku_code_regex": None,
    }
    assert {k: data["attributes"][k] for k in expected} == expected
    body = integration.get(f"/api/sku_options/{data['id']}?include=market").json()
    assert body["data"]["relationships"]["market"]["data"]["id"] == market.public_id
    assert _ids(integration.get("/api/sku_options")) == [data["id"]]

    response = integration.update(
        "sku_options",
        data["id"],
        {"currency_code": "eur", "delay_hours": 24, "sku_code_regex": "^MUG"},
        {"market": {"data": None}},
    )
    assert response.status_code == 200, response.content
    attributes = response.json()["data"]["attributes"]
    assert attributes["currency_code"] == "EUR"
    assert attributes["formatted_price_amount"] == "€5,00"
    assert attributes["delay_days"] == 1
    assert SkuOption.objects.get().market is None

    assert integration.delete(f"/api/sku_options/{data['id']}").status_code == 204
    assert not SkuOption.objects.exists()


def test_an_option_needs_only_a_name(integration):
    response = integration.create("sku_options", {"name": "Gift wrap"})
    assert response.status_code == 201, response.content
    attributes = response.json()["data"]["attributes"]
    assert (attributes["price_amount_cents"], attributes["delay_days"]) == (0, None)
    error = _error(integration.create("sku_options", {"price_amount_cents": 1}))
    assert error["source"] == {"pointer": "/data/attributes/name"}


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"sku_code_regex": "(unclosed"}, "sku_code_regex"),
        ({"currency_code": "XYZ"}, "currency_code"),
        ({"price_amount_cents": -5}, "price_amount_cents"),
        ({"delay_days": 3}, None),
    ],
    ids=["regex", "currency", "amount", "delay-days-read-only"],
)
def test_what_an_option_may_not_be(integration, attributes, pointer):
    response = integration.create("sku_options", {"name": "X", **attributes})
    if pointer is None:
        assert _error(response, 400)["code"] == "PARAM_NOT_ALLOWED"
    else:
        assert _error(response)["source"] == {"pointer": f"/data/attributes/{pointer}"}
    assert not SkuOption.objects.exists()


def test_a_skus_options_are_those_its_code_matches(integration):
    sku = f.SkuFactory(code="MUG-1")
    every = SkuOptionFactory()
    mugs = SkuOptionFactory(sku_code_regex="^MUG")
    SkuOptionFactory(sku_code_regex="^CUP")
    url = f"/api/skus/{sku.public_id}"
    assert _ids(integration.get(f"{url}/sku_options")) == [every.public_id, mugs.public_id]
    body = integration.get(f"{url}?include=sku_options").json()
    linkage = body["data"]["relationships"]["sku_options"]["data"]
    assert [d["id"] for d in linkage] == [every.public_id, mugs.public_id]


@pytest.mark.parametrize("kind", ["sales_channel", "customer"])
def test_storefronts_read_their_markets_options_and_those_of_none(
    request, market, other_market, customer_token, kind
):
    api = (
        request.getfixturevalue("sales_channel")
        if kind == "sales_channel"
        else customer_token(market, "buyer@example.com")
    )
    own = SkuOptionFactory(market=market)
    everywhere = SkuOptionFactory()
    other = SkuOptionFactory(market=other_market)
    assert _ids(api.get("/api/sku_options")) == [own.public_id, everywhere.public_id]
    assert api.get(f"/api/sku_options/{own.public_id}").status_code == 200
    assert_not_found(api.get(f"/api/sku_options/{other.public_id}"))
    sku = f.SkuFactory()
    assert _ids(api.get(f"/api/skus/{sku.public_id}/sku_options")) == [
        own.public_id,
        everywhere.public_id,
    ]
    assert_unauthorized(api.create("sku_options", {"name": "Mine"}), "create")
    assert_unauthorized(api.update("sku_options", own.public_id, {"name": "X"}), "update")
    assert_unauthorized(api.delete(f"/api/sku_options/{own.public_id}"), "delete")
