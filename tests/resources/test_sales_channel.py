"""What a sales-channel token (a storefront, scoped to market `usa`) may and may not do with the
catalog, market and stock resources (auth.md, "Who may do what")."""

import pytest

from tests import factories as f
from tests.conftest import assert_not_found, assert_unauthorized
from tests.resources.cases import BY_TYPE, WRITABLE, body

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    data = response.json()["data"]
    return [item["id"] for item in data] if isinstance(data, list) else [data["id"]]


# --- allowed ----------------------------------------------------------------------------------


@pytest.mark.sqlite
def test_lists_and_reads_every_sku(sales_channel, other_market):
    skus = [f.SkuFactory(), f.SkuFactory(shipping_category=None)]
    response = sales_channel.get("/api/skus")
    assert response.status_code == 200
    assert ids(response) == [s.public_id for s in skus]
    assert sales_channel.get(f"/api/skus/{skus[1].public_id}").status_code == 200


def test_lists_only_the_prices_of_its_market(sales_channel, market, other_market):
    sku = f.SkuFactory()
    own = f.PriceFactory(sku=sku, price_list=market.price_list, amount_cents=3200)
    other = f.PriceFactory(sku=sku, price_list=other_market.price_list, amount_cents=3000)
    f.PriceFactory(sku=sku)  # a price list no market uses
    response = sales_channel.get("/api/prices")
    assert response.status_code == 200
    assert ids(response) == [own.public_id]
    assert response.json()["meta"]["record_count"] == 1
    assert sales_channel.get(f"/api/prices/{own.public_id}").status_code == 200
    assert_not_found(sales_channel.get(f"/api/prices/{other.public_id}"), "other market's price")
    filtered = sales_channel.get(f"/api/prices?filter[q][sku_code_eq]={sku.code}")
    assert ids(filtered) == [own.public_id], "a filter never widens access"


def test_sku_includes_only_its_market_prices_and_price_list(sales_channel, market, other_market):
    sku = f.SkuFactory()
    own = f.PriceFactory(sku=sku, price_list=market.price_list)
    f.PriceFactory(sku=sku, price_list=other_market.price_list)
    response = sales_channel.get(f"/api/skus/{sku.public_id}?include=prices.price_list")
    assert response.status_code == 200
    document = response.json()
    assert document["data"]["relationships"]["prices"]["data"] == [
        {"type": "prices", "id": own.public_id}
    ]
    assert {(i["type"], i["id"]) for i in document["included"]} == {
        ("prices", own.public_id),
        ("price_lists", market.price_list.public_id),
    }
    related = sales_channel.get(f"/api/skus/{sku.public_id}/prices")
    assert ids(related) == [own.public_id]


def _own_and_other(type_name, market, other_market):
    if type_name == "markets":
        return market, other_market
    if type_name == "price_lists":
        return market.price_list, other_market.price_list
    if type_name == "shipping_methods":
        return (
            f.ShippingMethodFactory(market=market),
            f.ShippingMethodFactory(market=other_market),
        )
    return f.PaymentMethodFactory(market=market), f.PaymentMethodFactory(market=other_market)


@pytest.mark.parametrize(
    "type_name", ["markets", "price_lists", "shipping_methods", "payment_methods"]
)
def test_reads_its_own_market_settings_by_id_only(sales_channel, market, other_market, type_name):
    own, other = _own_and_other(type_name, market, other_market)
    response = sales_channel.get(f"/api/{type_name}/{own.public_id}")
    assert response.status_code == 200, f"{type_name}: own by id"
    assert ids(response) == [own.public_id]
    assert_not_found(
        sales_channel.get(f"/api/{type_name}/{other.public_id}"),
        f"{type_name}: another market's by id",
    )
    assert_unauthorized(sales_channel.get(f"/api/{type_name}"), f"{type_name}: list")


def test_lists_and_reads_its_market_delivery_lead_times(sales_channel, market, other_market):
    own = f.DeliveryLeadTimeFactory(shipping_method=f.ShippingMethodFactory(market=market))
    other = f.DeliveryLeadTimeFactory(shipping_method=f.ShippingMethodFactory(market=other_market))
    response = sales_channel.get("/api/delivery_lead_times?include=shipping_method")
    assert response.status_code == 200
    assert ids(response) == [own.public_id]
    assert [i["id"] for i in response.json()["included"]] == [own.shipping_method.public_id]
    assert sales_channel.get(f"/api/delivery_lead_times/{own.public_id}").status_code == 200
    assert_not_found(
        sales_channel.get(f"/api/delivery_lead_times/{other.public_id}"),
        "another market's delivery lead time",
    )


def test_another_market_channel_sees_the_other_side(other_sales_channel, market, other_market):
    own = f.PriceFactory(price_list=other_market.price_list)
    f.PriceFactory(price_list=market.price_list)
    assert ids(other_sales_channel.get("/api/prices")) == [own.public_id]
    assert_not_found(other_sales_channel.get(f"/api/markets/{market.public_id}"), "usa market")
    assert other_sales_channel.get(f"/api/markets/{other_market.public_id}").status_code == 200


# --- denied -------------------------------------------------------------------------------------

BACK_OFFICE = [
    "merchants",
    "shipping_categories",
    "stock_locations",
    "stock_items",
    "inventory_models",
    "inventory_stock_locations",
    "shipping_zones",
    "shipping_weight_tiers",  # read through the methods it reads (tests/shipping)
    "shipping_method_tiers",
    "payment_gateways",
    "manual_gateways",
    "tags",  # bulk.md: for integration tokens
]


@pytest.mark.parametrize("type_name", BACK_OFFICE)
def test_back_office_resources_are_unauthorized(sales_channel, type_name):
    record = BY_TYPE[type_name].make(0)
    assert_unauthorized(sales_channel.get(f"/api/{type_name}"), f"{type_name}: list")
    assert_unauthorized(
        sales_channel.get(f"/api/{type_name}/{record.public_id}"), f"{type_name}: read by id"
    )


# Addresses are the exception: storefronts create and edit guest addresses (the orders app);
# and gift cards, which they create as drafts (tests/gift_cards/test_access.py).
DENIED_WRITES = [case for case in WRITABLE if case.type not in ("addresses", "gift_cards")]


@pytest.mark.parametrize("case", DENIED_WRITES, ids=str)
def test_writes_are_unauthorized(sales_channel, integration, case):
    attributes, relationships = case.create()
    assert_unauthorized(
        sales_channel.post(f"/api/{case.type}", body(case.type, attributes, relationships)),
        f"{case}: create",
    )
    record = case.make(0)
    before = integration.get(f"/api/{case.type}/{record.public_id}").json()["data"]
    attributes, relationships = case.update(record)
    assert_unauthorized(
        sales_channel.patch(
            f"/api/{case.type}/{record.public_id}",
            body(case.type, attributes, relationships, record.public_id),
        ),
        f"{case}: update",
    )
    assert_unauthorized(
        sales_channel.delete(f"/api/{case.type}/{record.public_id}"), f"{case}: delete"
    )
    after = integration.get(f"/api/{case.type}/{record.public_id}")
    assert after.status_code == 200, f"{case}: still there"
    assert after.json()["data"]["attributes"] == before["attributes"], f"{case}: unchanged"


def test_own_market_cannot_be_disabled_by_its_sales_channel(sales_channel, market):
    response = sales_channel.update("markets", market.public_id, {"_disable": True})
    assert_unauthorized(response, "markets: _disable")
    market.refresh_from_db()
    assert market.disabled_at is None


def test_no_token_is_invalid_token_not_unauthorized(anonymous, market):
    response = anonymous.get(f"/api/markets/{market.public_id}")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "INVALID_TOKEN"
