"""Editing a placed order (aftersale.md §1): an operator reopens it, changes its lines as a
cart's, and closes it again. Kept lines keep their price, the total may not grow past what was
placed, the order's reservations stay held while editing and are swapped at `_stop_editing`
under the same locks as `_place`, and what the total shrank by is released as §1 says."""

import pytest

from inventory.models import StockItem, StockReservation
from markets.models import Price
from orders.models import Customer, LineItem, Order, Shipment, Transaction
from tests import factories as f
from tests.conftest import rel
from tests.orders.conftest import events_since, last_event_id, snapshot
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def shop(market):
    # 10.00 a unit, 5.00 shipping, no tax: 2 units place at 25.00.
    return build_shop(market, "ED", skus=2, price_cents=1000, quantity=50)


def placed(api, shop, lines=None, *, capture=False) -> Order:
    order = make_cart(shop, lines)
    ok(api.update("orders", order.public_id, {"_place": True}))
    if capture:
        ok(api.update("orders", order.public_id, {"_capture": True}))
    order.refresh_from_db()
    return order


def trigger(api, order, name):
    return api.update("orders", order.public_id, {name: True})


def sku_line(order, sku) -> LineItem:
    return LineItem.objects.get(order=order, item_type="skus", sku=sku)


def set_quantity(api, order, sku, quantity):
    return api.update("line_items", sku_line(order, sku).public_id, {"quantity": quantity})


def add_line(api, order, sku, quantity):
    return api.create(
        "line_items",
        {"sku_code": sku.code, "quantity": quantity},
        {"order": rel("orders", order.public_id)},
    )


def held(order) -> int:
    """Units reserved for the order, whether its stock line items hold them or it kept them
    while editing."""
    linked = StockReservation.objects.filter(stock_line_item__shipment__order=order)
    kept = StockReservation.objects.filter(held_by__order=order)
    return sum(r.quantity for r in (linked | kept).distinct())


def kinds(order) -> list[tuple[str, int]]:
    return list(
        Transaction.objects.filter(order=order, succeeded=True)
        .order_by("pk")
        .values_list("kind", "amount_cents")
    )


def test_an_edit_down_keeps_the_placed_price_and_captures_the_new_total_later(integration, shop):
    order = placed(integration, shop)
    assert order.total_amount_with_taxes_cents == 2500
    # The price list moves on after the order was placed: the kept line keeps its price.
    Price.objects.filter(sku=shop["sku"]).update(amount_cents=9999)
    mark = last_event_id()

    editing = ok(trigger(integration, order, "_start_editing"))
    assert editing["attributes"]["status"] == "editing"
    assert editing["attributes"]["editable"] is True
    line = ok(set_quantity(integration, order, shop["sku"], 1))
    assert line["attributes"]["unit_amount_cents"] == 1000
    assert line["attributes"]["total_amount_cents"] == 1000
    answer = ok(trigger(integration, order, "_stop_editing"))

    attributes = answer["attributes"]
    assert attributes["status"] == "placed"
    assert attributes["total_amount_with_taxes_cents"] == 1500
    assert attributes["place_total_amount_cents"] == 1500
    # Nothing was sent to the gateway: the authorization of 25.00 is still open and covers it.
    assert attributes["payment_status"] == "authorized"
    assert kinds(order) == [("authorizations", 2500)]
    assert held(order) == 1
    topics = [t for t, _ in events_since(mark) if t.startswith("orders.")]
    assert topics[0] == "orders.start_editing" and topics[-1] == "orders.stop_editing"

    # `_capture` takes the new total and releases the rest, as a partial capture does.
    captured = ok(trigger(integration, order, "_capture"))
    assert captured["attributes"]["payment_status"] == "paid"
    assert kinds(order) == [("authorizations", 2500), ("captures", 1500), ("voids", 1000)]
    order.refresh_from_db()
    assert order.placed_at is not None


def test_an_edit_down_of_a_paid_order_refunds_the_excess(integration, shop):
    order = placed(integration, shop, capture=True)
    assert order.payment_status == "paid"
    ok(trigger(integration, order, "_start_editing"))
    ok(set_quantity(integration, order, shop["sku"], 1))
    answer = ok(trigger(integration, order, "_stop_editing"))
    assert answer["attributes"]["payment_status"] == "partially_refunded"
    assert kinds(order) == [("authorizations", 2500), ("captures", 2500), ("refunds", 1000)]
    refund = Transaction.objects.get(order=order, kind="refunds")
    assert refund.reference_capture.kind == "captures"
    # What is captured and not refunded covers the new total: approved, it goes to picking.
    ok(trigger(integration, order, "_approve"))
    assert list(Shipment.objects.filter(order=order).values_list("status", flat=True)) == [
        "picking"
    ]


def test_a_free_order_stays_free(integration, market):
    shop = build_shop(market, "EDF", free=True)
    order = placed(integration, shop, [(shop["free_sku"], 1)])
    assert order.payment_status == "free"
    ok(trigger(integration, order, "_start_editing"))
    ok(set_quantity(integration, order, shop["free_sku"], 3))
    answer = ok(trigger(integration, order, "_stop_editing"))
    assert (answer["attributes"]["payment_status"], kinds(order)) == ("free", [])


def test_the_total_may_not_exceed_what_was_placed(integration, shop):
    order = placed(integration, shop)
    ok(trigger(integration, order, "_start_editing"))
    ok(set_quantity(integration, order, shop["sku"], 3))  # 35.00 > 25.00
    before = snapshot(order)
    response = trigger(integration, order, "_stop_editing")
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/total_amount_with_taxes_cents"
    assert "can't exceed the amount placed ($25.00)" in error["detail"]
    assert snapshot(order) == before  # still editing, its reservations untouched
    # Brought back under the amount, it closes.
    ok(set_quantity(integration, order, shop["sku"], 2))
    assert ok(trigger(integration, order, "_stop_editing"))["attributes"]["status"] == "placed"


def test_new_lines_take_todays_price_and_removed_lines_go(integration, shop):
    sku, other = shop["skus"]
    other.shipping_category = sku.shipping_category  # one parcel
    other.save()
    order = placed(integration, shop, [(sku, 2)])
    shipment = Shipment.objects.get(order=order)
    ok(trigger(integration, order, "_start_editing"))
    Price.objects.filter(sku=other).update(amount_cents=400)
    ok(add_line(integration, order, other, 1), 201)
    ok(set_quantity(integration, order, sku, 1))
    answer = ok(trigger(integration, order, "_stop_editing"))
    assert answer["attributes"]["total_amount_with_taxes_cents"] == 1000 + 400 + 500
    lines = {li.sku_code: li.unit_amount_cents for li in order.line_items.filter(item_type="skus")}
    assert lines == {sku.code: 1000, other.code: 400}
    # The shipment still needed keeps its id and its status; every unit is reserved again.
    (kept,) = Shipment.objects.filter(order=order)
    assert (kept.pk, kept.status) == (shipment.pk, "upcoming")
    assert held(order) == 2

    ok(trigger(integration, order, "_start_editing"))
    response = integration.delete(f"/api/line_items/{sku_line(order, other).public_id}")
    assert response.status_code == 204
    ok(trigger(integration, order, "_stop_editing"))
    assert held(order) == 1
    assert StockItem.objects.get(sku=other).stock_reservations.count() == 0


def test_a_new_shipment_starts_draft_and_is_upcoming_once_editing_stops(integration, shop):
    sku = shop["sku"]
    other = f.SkuFactory(code="ED-BULKY")  # another shipping category: another shipment
    f.PriceFactory(price_list=shop["market"].price_list, sku=other, amount_cents=100)
    f.StockItemFactory(stock_location=shop["location"], sku=other, quantity=5)
    order = placed(integration, shop, [(sku, 2)])
    ok(trigger(integration, order, "_start_editing"))
    ok(set_quantity(integration, order, sku, 1))  # 15.00, room for the new parcel's 6.00
    ok(add_line(integration, order, other, 1), 201)
    statuses = sorted(Shipment.objects.filter(order=order).values_list("status", flat=True))
    assert statuses == ["draft", "upcoming"]
    ok(trigger(integration, order, "_stop_editing"))
    statuses = sorted(Shipment.objects.filter(order=order).values_list("status", flat=True))
    assert statuses == ["upcoming", "upcoming"]


def test_reservations_stay_held_while_editing_and_a_shortage_keeps_the_order_editing(
    integration, market
):
    shop = build_shop(market, "EDS", skus=2, quantity=3)
    sku, other = shop["skus"]
    order = placed(integration, shop, [(sku, 2), (other, 1)])
    ok(trigger(integration, order, "_start_editing"))
    # The removed line's unit stays held until the edit closes: nothing it holds is sold.
    integration.delete(f"/api/line_items/{sku_line(order, other).public_id}")
    assert held(order) == 3
    # It sees its own 2 units as its own: 3 fit while editing...
    ok(set_quantity(integration, order, sku, 3))
    # ...but another order takes the last free unit before the edit closes.
    rival = make_cart(shop, [(sku, 1)], email="rival@example.com")
    ok(integration.update("orders", rival.public_id, {"_place": True}))
    before = snapshot(order)
    response = trigger(integration, order, "_stop_editing")
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/relationships/line_items"
    assert error["meta"]["available"] == 2
    assert snapshot(order) == before
    assert Order.objects.get(pk=order.pk).status == "editing"

    # Cancelled while editing, it lets every unit go, the removed line's too.
    ok(trigger(integration, order, "_cancel"))
    assert held(order) == 0
    assert StockReservation.objects.filter(stock_item__sku=other).count() == 0


def test_while_editing_the_authorization_and_the_customer_stay_frozen(integration, shop):
    order = placed(integration, shop)
    ok(trigger(integration, order, "_start_editing"))
    response = integration.update(
        "orders", order.public_id, {"customer_email": "other@example.com"}
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/customer_email"
    # The coupon's counted use is the placed order's (catalog.md "During order editing").
    response = integration.update("orders", order.public_id, {"coupon_code": "SAVE10OFF"})
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    assert error["code"] == "PARAM_NOT_ALLOWED"
    assert error["source"]["pointer"] == "/data/attributes/coupon_code"
    method = f.PaymentMethodFactory(market=shop["market"])
    response = integration.update(
        "orders", order.public_id, {}, {"payment_method": rel("payment_methods", method.public_id)}
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/relationships/payment_method"
    # The shipping address may change.
    address = f.AddressFactory(line_1="1 New Street")
    answer = integration.update(
        "orders",
        order.public_id,
        {},
        {"shipping_address": rel("addresses", address.public_id)},
    )
    ok(answer)
    assert Order.objects.get(pk=order.pk).shipping_address_id == address.pk


def test_money_and_stock_wait_while_editing(integration, shop):
    order = placed(integration, shop)
    ok(trigger(integration, order, "_start_editing"))
    for name in ("_capture", "_approve", "_refund", "_place", "_start_editing"):
        before = snapshot(order)
        response = trigger(integration, order, name)
        assert response.status_code == 422, (name, response.json())
        assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
        assert snapshot(order) == before
    capture = integration.update(
        "authorizations",
        Transaction.objects.get(order=order, kind="authorizations").public_id,
        {"_capture": True},
    )
    assert capture.status_code == 422, capture.json()


def test_only_operators_edit(integration, sales_channel, customer_token, shop):
    buyer = customer_token(shop["market"], "buyer@example.com")
    own = make_cart(shop, customer=Customer.objects.get(email="buyer@example.com"))
    guest = make_cart(shop)  # a sales channel reaches guest orders only
    for api, order in ((sales_channel, guest), (buyer, own)):
        ok(integration.update("orders", order.public_id, {"_place": True}))
        response = trigger(api, order, "_start_editing")
        assert response.status_code == 400, response.json()
        assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"
        ok(trigger(integration, order, "_start_editing"))
        before = snapshot(order)
        response = set_quantity(api, order, shop["sku"], 1)
        assert response.status_code == 422, response.json()
        assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
        response = add_line(api, order, shop["skus"][1], 1)
        assert response.status_code == 422, response.json()
        response = trigger(api, order, "_stop_editing")
        assert response.status_code == 400, response.json()
        assert snapshot(order) == before
        # Reading it is fine: it is the shopper's order.
        assert ok(api.get(f"/api/orders/{order.public_id}"))["attributes"]["editable"]


def test_an_operator_may_change_a_shipping_method_while_editing(integration, sales_channel, market):
    shop = build_shop(market, "EDM", express=True, shipping_cents=500)
    order = placed(integration, shop)
    shipment = Shipment.objects.get(order=order)
    express = rel("shipping_methods", shop["express"].public_id)
    standard = rel("shipping_methods", shop["standard"].public_id)
    # Placed: frozen for everyone.
    response = integration.update("shipments", shipment.public_id, {}, {"shipping_method": express})
    assert response.status_code == 422, response.json()
    ok(trigger(integration, order, "_start_editing"))
    response = sales_channel.update(
        "shipments", shipment.public_id, {}, {"shipping_method": express}
    )
    assert response.status_code == 422, response.json()
    assert (
        response.json()["errors"][0]["source"]["pointer"] == "/data/relationships/shipping_method"
    )
    # Express costs 10.00 more than the placed total allows; Standard again fits.
    ok(integration.update("shipments", shipment.public_id, {}, {"shipping_method": express}))
    assert Order.objects.get(pk=order.pk).total_amount_with_taxes_cents == 2000 + 1500
    assert trigger(integration, order, "_stop_editing").status_code == 422
    ok(integration.update("shipments", shipment.public_id, {}, {"shipping_method": standard}))
    assert ok(trigger(integration, order, "_stop_editing"))["attributes"]["status"] == "placed"


def test_an_adjustment_added_while_editing_lowers_what_is_captured(integration, shop):
    """aftersale.md §2: adjustments go on draft, pending or editing orders."""
    order = placed(integration, shop)
    ok(trigger(integration, order, "_start_editing"))
    goodwill = ok(
        integration.create(
            "adjustments", {"name": "Goodwill", "currency_code": "USD", "amount_cents": -500}
        ),
        201,
    )
    ok(
        integration.create(
            "line_items",
            {"item_type": "adjustments", "quantity": 1},
            {"order": rel("orders", order.public_id), "item": rel("adjustments", goodwill["id"])},
        ),
        201,
    )
    closed = ok(trigger(integration, order, "_stop_editing"))["attributes"]
    assert (closed["adjustment_amount_cents"], closed["total_amount_with_taxes_cents"]) == (
        -500,
        2000,
    )
    ok(trigger(integration, order, "_capture"))
    assert kinds(order) == [("authorizations", 2500), ("captures", 2000), ("voids", 500)]


def test_a_promotion_this_order_used_up_still_applies_while_it_is_edited(integration, shop):
    """Its use was counted at `_place`: editing the order doesn't lose the discount."""
    from tests.markets_tax_promotions.conftest import PercentageDiscountPromotionFactory

    promotion = PercentageDiscountPromotionFactory(market=shop["market"], total_usage_limit=1)
    order = placed(integration, shop)
    promotion.refresh_from_db()
    assert promotion.total_usage_reached
    assert order.discount_amount_cents == -200  # 10 % of 20.00
    ok(trigger(integration, order, "_start_editing"))
    ok(set_quantity(integration, order, shop["sku"], 1))
    closed = ok(trigger(integration, order, "_stop_editing"))["attributes"]
    assert (closed["discount_amount_cents"], closed["total_amount_with_taxes_cents"]) == (
        -100,
        1000 - 100 + 500,
    )
