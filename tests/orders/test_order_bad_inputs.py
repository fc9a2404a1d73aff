"""Bad input on the order endpoints (issue 3's classes, plus the cart's own): each is the right
4xx with a pointer (or a header/parameter) to what is wrong, and nothing is written — the
cart, its lines, shipments, reservations, stock and events are compared before and after."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import LineItem, Order
from tests import factories as f
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.orders.conftest import snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def assert_refused(response, status, pointer, *, code=None):
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert errors[0]["source"].get("pointer") == pointer, errors
    if code:
        assert errors[0]["code"] == code
    return errors


def unchanged(order, before):
    assert take(order) == before


def take(order):
    return snapshot(order) | {"orders": Order.objects.count()}


@pytest.fixture
def cart(shop):
    return make_cart(shop)


# --- line item quantities ---------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1, 10**9, 1.5, "3", None, True, [1], {"n": 1}], ids=repr)
@pytest.mark.parametrize("how", ["create", "update"])
def test_bad_quantities_are_422_on_quantity(sales_channel, cart, quantity, how):
    line = LineItem.objects.get(order=cart, item_type="skus")
    before = take(cart)
    if how == "create":
        response = sales_channel.create(
            "line_items",
            {"sku_code": "ORD-1", "quantity": quantity},
            {"order": rel("orders", cart.public_id)},
        )
    else:
        response = sales_channel.update("line_items", line.public_id, {"quantity": quantity})
    assert_refused(response, 422, "/data/attributes/quantity", code="VALIDATION_ERROR")
    unchanged(cart, before)


def test_the_largest_quantity_is_accepted_and_one_more_is_not(sales_channel, cart):
    line = LineItem.objects.get(order=cart, item_type="skus")
    assert ok(sales_channel.update("line_items", line.public_id, {"quantity": 100_000}))
    before = take(cart)
    response = sales_channel.update("line_items", line.public_id, {"quantity": 100_001})
    assert_refused(response, 422, "/data/attributes/quantity")
    unchanged(cart, before)


# --- what is added --------------------------------------------------------------------------


def test_a_sku_without_a_price_in_the_market_is_422_on_sku_code(sales_channel, cart, other_market):
    unpriced = f.SkuFactory(code="NO-PRICE")
    f.PriceFactory(price_list=other_market.price_list, sku=unpriced)  # priced elsewhere only
    before = take(cart)
    response = sales_channel.create(
        "line_items",
        {"sku_code": "NO-PRICE", "quantity": 1},
        {"order": rel("orders", cart.public_id)},
    )
    assert_refused(response, 422, "/data/attributes/sku_code")
    unchanged(cart, before)


def test_an_unknown_sku_code_is_422_on_sku_code(sales_channel, cart):
    before = take(cart)
    response = sales_channel.create(
        "line_items", {"sku_code": "NOPE", "quantity": 1}, {"order": rel("orders", cart.public_id)}
    )
    assert_refused(response, 422, "/data/attributes/sku_code")
    unchanged(cart, before)


def test_a_line_item_needs_a_sku_and_an_order(sales_channel, cart):
    before = take(cart)
    no_sku = sales_channel.create(
        "line_items", {"quantity": 1}, {"order": rel("orders", cart.public_id)}
    )
    assert_refused(no_sku, 422, "/data/attributes/sku_code")
    no_order = sales_channel.create("line_items", {"sku_code": "ORD-1", "quantity": 1})
    assert_refused(no_order, 422, "/data/relationships/order")
    unchanged(cart, before)


@pytest.mark.parametrize("status", ["placed", "approved", "cancelled"])
def test_nothing_is_added_to_changed_on_or_removed_from_a_placed_order(
    integration, sales_channel, cart, status
):
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    trigger = {"placed": None, "approved": "_approve", "cancelled": "_cancel"}[status]
    if trigger:
        ok(integration.update("orders", cart.public_id, {trigger: True}))
    line = LineItem.objects.get(order=cart, item_type="skus")
    before = take(cart)
    for api in (sales_channel, integration):
        added = api.create(
            "line_items",
            {"sku_code": "ORD-1", "quantity": 1},
            {"order": rel("orders", cart.public_id)},
        )
        assert_refused(added, 422, "/data/attributes/status")
        changed = api.update("line_items", line.public_id, {"quantity": 5})
        assert_refused(changed, 422, "/data/attributes/status")
        removed = api.delete(f"/api/line_items/{line.public_id}")
        assert_refused(removed, 422, "/data/attributes/status")
    unchanged(cart, before)


# --- coupons --------------------------------------------------------------------------------


@pytest.fixture
def coupons(shop, other_market):
    def coupon(code, *, market=shop["market"], **extra):
        promotion = PercentageDiscountPromotionFactory(market=market)
        rule = CouponCodesPromotionRuleFactory(promotion=promotion)
        return CouponFactory(code=code, promotion_rule=rule, **extra)

    return {
        "good": coupon("GOOD-10PCT"),
        "expired": coupon("OLD-10PCT", expires_at=timezone.now() - timedelta(minutes=1)),
        "exhausted": coupon("USED-10PCT", usage_limit=2, usage_count=2),
        "other_market": coupon("EU-10PCT", market=other_market),
    }


@pytest.mark.parametrize("code", ["NOPE", "OLD-10PCT", "USED-10PCT", "EU-10PCT"])
@pytest.mark.parametrize("how", ["update", "create"])
def test_unusable_coupons_are_422_on_coupon_code(sales_channel, cart, coupons, code, how):
    before = take(cart)
    if how == "update":
        response = sales_channel.update("orders", cart.public_id, {"coupon_code": code})
    else:
        response = sales_channel.create("orders", {"coupon_code": code})
    errors = assert_refused(response, 422, "/data/attributes/coupon_code", code="VALIDATION_ERROR")
    assert len(errors) == 1
    unchanged(cart, before)


def test_a_good_coupon_applies(sales_channel, cart, coupons):
    attributes = ok(sales_channel.update("orders", cart.public_id, {"coupon_code": "GOOD-10PCT"}))[
        "attributes"
    ]
    assert attributes["coupon_code"] == "GOOD-10PCT"
    assert attributes["discount_amount_cents"] == -200  # 10 % of 2 x $10.00


# --- issue 3's classes on the order endpoints ----------------------------------------------


@pytest.mark.parametrize("type_name", ["orders", "line_items"])
def test_foundation_bad_inputs_on_order_endpoints(sales_channel, cart, type_name):
    line = LineItem.objects.get(order=cart, item_type="skus")
    record = cart if type_name == "orders" else line
    url = f"/api/{type_name}/{record.public_id}"
    before = take(cart)
    # Unparsable JSON: 400 pointing at the document.
    assert_refused(sales_channel.patch(url, "{nope"), 400, "")
    # Not JSON:API: 415 naming the header.
    response = sales_channel.patch(url, "{}", content_type="application/json")
    assert response.status_code == 415
    assert response.json()["errors"][0]["source"] == {"header": "Content-Type"}
    # Documents that are not resource objects.
    assert_refused(sales_channel.patch(url, {}), 400, "/data")
    assert_refused(sales_channel.patch(url, {"data": []}), 400, "/data")
    wrong_type = {"data": {"type": "skus", "id": record.public_id, "attributes": {}}}
    assert_refused(sales_channel.patch(url, wrong_type), 400, "/data/type")
    other_id = {"data": {"type": type_name, "id": "x" * 10, "attributes": {}}}
    assert_refused(sales_channel.patch(url, other_id), 400, "/data/id")
    # Unknown attributes and relationships: 400 naming them.
    unknown = sales_channel.update(type_name, record.public_id, {"colour": "red"})
    assert_refused(unknown, 400, "/data/attributes/colour", code="PARAM_NOT_ALLOWED")
    unknown_rel = sales_channel.update(type_name, record.public_id, None, {"nope": {"data": None}})
    assert_refused(unknown_rel, 400, "/data/relationships/nope", code="PARAM_NOT_ALLOWED")
    # An id in a create is the server's to choose.
    with_id = {"data": {"type": type_name, "id": "abc", "attributes": {}}}
    assert_refused(sales_channel.post(f"/api/{type_name}", with_id), 400, "/data/id")
    # Wrong value types: 422 on the attribute.
    attribute = "customer_email" if type_name == "orders" else "name"
    for value in (5, True, ["a"], {"a": 1}):
        wrong = sales_channel.update(type_name, record.public_id, {attribute: value})
        assert_refused(wrong, 422, f"/data/attributes/{attribute}")
    if type_name == "orders":
        bad_email = sales_channel.update(
            "orders", cart.public_id, {"customer_email": "not-an-email"}
        )
        assert_refused(bad_email, 422, "/data/attributes/customer_email")
        bad_link = sales_channel.update(
            "orders",
            cart.public_id,
            None,
            {"billing_address": {"data": {"type": "skus", "id": "x"}}},
        )
        assert_refused(bad_link, 422, "/data/relationships/billing_address")
        bad_trigger = sales_channel.update("orders", cart.public_id, {"_place": "yes"})
        assert_refused(bad_trigger, 422, "/data/attributes/_place")
    # Unknown ids and query parameters.
    missing = sales_channel.get(f"/api/{type_name}/nothing-here")
    assert missing.status_code == 404
    bad_include = sales_channel.get(f"{url}?include=nope")
    assert bad_include.status_code == 400
    assert bad_include.json()["errors"][0]["source"] == {"parameter": "include"}
    unchanged(cart, before)
