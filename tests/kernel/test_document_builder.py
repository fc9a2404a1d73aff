"""The document builder (field plans, one-pass `included`) on what clients see: lists and single
resources, nested and looping includes, sparse fieldsets, context-dependent attributes (a SKU's
inventory for a storefront) and types that keep their own serializer code (promotions)."""

import orjson
import pytest

from commerce.jsonapi import document
from commerce.jsonapi.document import AttributePlan
from markets.serializers import PromotionSerializer
from orders.models import LineItem
from orders.serializers import LineItemSerializer, OrderSerializer
from tests import factories as f
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.shop import build_shop, make_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(market):
    shop = build_shop(market, "FAST", free=True)
    second = f.SkuFactory(code="FAST-2", shipping_category=shop["sku"].shipping_category)
    f.PriceFactory(price_list=market.price_list, sku=second, amount_cents=123_456)
    f.StockItemFactory(stock_location=shop["location"], sku=second, quantity=7)
    shop["second_sku"] = second
    return shop


@pytest.fixture
def orders(shop, integration):
    carts = [
        make_cart(shop, [(shop["sku"], 2), (shop["second_sku"], 1)]),
        make_cart(shop, [(shop["second_sku"], 3)], email="other@example.com"),
        make_cart(shop, [(shop["sku"], 1)], email="third@example.com"),
    ]
    placed = integration.update("orders", carts[0].public_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    return carts


def read(api, url) -> dict:
    response = api.get(url)
    assert response.status_code == 200, (url, response.json())
    return response.json()


def test_orders_list_with_line_items_shipments_and_market(integration, orders):
    doc = read(integration, "/api/orders?include=line_items,shipments,market")
    assert len(doc["data"]) == 3
    types = {i["type"] for i in doc["included"]}
    assert {"line_items", "shipments", "markets"} <= types
    first = doc["data"][0]
    assert first["attributes"]["formatted_total_amount"].startswith("$")
    assert first["relationships"]["line_items"]["data"]
    assert "data" not in first["relationships"]["customer"]


def test_one_order_with_every_include(integration, orders):
    order = orders[0]
    include = (
        "line_items.sku,line_items.stock_line_items,shipments.stock_line_items,"
        "shipments.shipping_method,market.price_list,transactions,authorizations,"
        "available_payment_methods,payment_method,payment_source,billing_address,shipping_address"
    )
    doc = read(integration, f"/api/orders/{order.public_id}?include={include}")
    types = {i["type"] for i in doc["included"]}
    assert {"skus", "shipments", "stock_line_items", "price_lists", "addresses"} <= types
    keys = [(i["type"], i["id"]) for i in doc["included"]]
    assert len(keys) == len(set(keys))  # each resource once


def test_looping_includes(integration, orders):
    """Paths that turn back to a record already walked (each line's order, then its lines) are
    walked once per level by both builders, with the same linkage."""
    url = "/api/orders?include=line_items.order.line_items,line_items.sku,market.price_list"
    doc = read(integration, url)
    lines = [i for i in doc["included"] if i["type"] == "line_items"]
    assert lines and all(line["relationships"]["order"]["data"] for line in lines)
    line = orders[0].line_items.first().public_id
    url = f"/api/line_items/{line}?include=order.line_items.order,order.market,sku"
    doc = read(integration, url)
    (order,) = [i for i in doc["included"] if i["type"] == "orders"]
    assert order["relationships"]["line_items"]["data"]
    assert order["relationships"]["market"]["data"]


def test_sparse_fieldsets_and_nested_includes(integration, orders):
    url = (
        "/api/orders?include=line_items.sku,market&fields[orders]=number,status,"
        "formatted_total_amount,subtotal_amount_float,line_items,market"
        "&fields[line_items]=sku_code,quantity,unit_amount_cents,formatted_unit_amount,sku"
        "&fields[skus]=code&sort=-number"
    )
    doc = read(integration, url)
    attributes = doc["data"][0]["attributes"]
    assert set(attributes) == {
        "number",
        "status",
        "formatted_total_amount",
        "subtotal_amount_float",
    }
    assert set(doc["data"][0]["relationships"]) == {"line_items", "market"}
    # The same types unfiltered in the same process: plans are per fieldset.
    read(integration, "/api/orders?include=line_items.sku,market")


def test_id_and_type_may_be_listed_in_a_fieldset_and_change_nothing(integration, shop):
    """drop-in.js lists SKUs with `fields[skus]=id,code`: `id` and `type` always stay, so
    listing them is allowed (as on CL) and only the other names pick members."""
    doc = read(integration, "/api/skus?fields[skus]=id,code&sort=code")
    assert {s["attributes"]["code"] for s in doc["data"]} >= {shop["sku"].code, "FAST-2"}
    assert {(s["type"], frozenset(s["attributes"])) for s in doc["data"]} == {
        ("skus", frozenset({"code"}))
    }
    assert all(s["id"] and "relationships" not in s for s in doc["data"])
    only = read(integration, "/api/skus?fields[skus]=type,id")
    assert {frozenset(s.get("attributes", {})) for s in only["data"]} == {frozenset()}


def test_skus_with_prices_for_the_back_office_and_a_storefront(
    integration, sales_channel, shop, orders
):
    doc = read(integration, "/api/skus?include=prices")
    assert {i["type"] for i in doc["included"]} == {"prices"}
    sku = shop["second_sku"].public_id
    single = read(sales_channel, f"/api/skus/{sku}?include=prices")
    # Read from the request's context (the storefront's market, a single GET): 7 in stock, one
    # reserved by the placed order.
    assert single["data"]["attributes"]["inventory"]["quantity"] == 6
    listed = read(sales_channel, "/api/skus?include=prices&fields[prices]=formatted_amount")
    assert listed["data"][0]["attributes"]["inventory"] is None


def test_related_endpoints_render_the_same_resources(integration, shop, orders):
    order = orders[1].public_id
    doc = read(integration, f"/api/orders/{order}/line_items?include=sku")
    skus = [line for line in doc["data"] if line["attributes"]["item_type"] == "skus"]
    assert [line["attributes"]["quantity"] for line in skus] == [3]
    assert skus[0]["relationships"]["sku"]["data"]["id"] == shop["second_sku"].public_id
    assert [i["attributes"]["code"] for i in doc["included"]] == ["FAST-2"]
    doc = read(integration, f"/api/orders/{order}/market")
    assert (doc["data"]["type"], doc["data"]["id"]) == ("markets", shop["market"].public_id)
    assert doc["data"]["links"]["self"].endswith(f"/api/markets/{shop['market'].public_id}")


def test_types_with_serializer_code_of_their_own_render_as_written(integration, market):
    for _ in range(2):
        rule = CouponCodesPromotionRuleFactory(
            promotion=PercentageDiscountPromotionFactory(market=market)
        )
        CouponFactory.create_batch(2, promotion_rule=rule)
    doc = read(integration, "/api/promotions?include=market,coupon_codes_promotion_rule")
    assert doc["data"][0]["attributes"]["coupons_count"] == 2
    assert AttributePlan.build(PromotionSerializer, None) is False


def test_order_and_line_item_attributes_are_planned_not_delegated():
    """The list the bench measures takes the fast path: every stored column of an order and a
    line item with a plain type is read directly; computed ones (model properties, a Decimal
    rate) call their DRF field."""
    for serializer_class in (OrderSerializer, LineItemSerializer):
        plan = AttributePlan.build(serializer_class, None)
        model = serializer_class.Meta.model
        columns = {c.name for c in model._meta.concrete_fields if not c.is_relation}
        stored = {name for name, _, _, field in plan.steps if field.source in columns}
        planned = {name for name, column, _, _ in plan.steps if column is not None}
        assert stored - planned == {"tax_rate"}
        assert {"created_at", "metadata", "quantity" if model is LineItem else "number"} <= planned
        assert plan.money


def test_attribute_plans_stay_bounded_whatever_fieldsets_clients_ask_for(monkeypatch):
    from commerce.jsonapi import document
    from orders.serializers import OrderSerializer

    monkeypatch.setattr(document, "_PLANS_KEPT", 3)
    document._plans.by_key = {}
    names = ["number", "status", "currency_code", "customer_email", "payment_status"]
    for name in names:
        document.render_attributes(OrderSerializer, [], {}, {name})
    assert len(document._plans.by_key) <= 3


@pytest.mark.parametrize(
    "url",
    [
        "/api/orders?include=line_items,shipments,market",
        "/api/orders?include=line_items.order.line_items,line_items.sku,market.price_list",
        "/api/orders?include=line_items.sku,market&fields[orders]=number,line_items,market"
        "&fields[line_items]=quantity,order&fields[markets]=name",
        "/api/orders?fields[orders]=number,status,market",
        "/api/skus?include=prices",
        "/api/orders/{order}?include=line_items,shipments.stock_line_items,billing_address",
        "/api/orders/{order}/line_items?include=sku",
    ],
)
def test_answers_hold_links_as_text_with_the_same_bytes_as_dicts(
    integration, orders, monkeypatch, url
):
    """A view's document holds the relationships of a resource whose relationships carry links
    only as one JSON text per resource (orjson.Fragment), and those whose included relationships
    carry linkage as dicts: the answer is byte for byte the document built of dicts throughout."""
    url = url.format(order=orders[0].public_id)
    texts = []  # the resources written with their relationships as one text
    resource = document._resource

    def spy(obj, type_name, self_url, attributes, relationships, meta):
        if isinstance(relationships, orjson.Fragment):
            texts.append(self_url)
        return resource(obj, type_name, self_url, attributes, relationships, meta)

    monkeypatch.setattr(document, "_resource", spy)
    answer = integration.get(url)
    assert answer.status_code == 200, answer.json()
    relationships = [r.get("relationships") for r in _resources(answer.json())]
    # Every resource with relationships but no linkage was written from one text.
    assert len(texts) == sum(1 for r in relationships if r and not _has_linkage(r)) > 0

    built = document.DocumentBuilder.__init__
    monkeypatch.setattr(
        document.DocumentBuilder,
        "__init__",
        lambda self, *args, wire=False: built(self, *args, wire=False),
    )
    texts.clear()
    as_dicts = integration.get(url)
    assert texts == []
    assert answer.content == as_dicts.content


def _resources(doc: dict) -> list[dict]:
    data = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
    return data + doc.get("included", [])


def _has_linkage(relationships: dict) -> bool:
    return any("data" in member for member in relationships.values())
