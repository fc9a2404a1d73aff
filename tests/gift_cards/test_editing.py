"""A placed order paid in part by a gift card, edited (catalog.md "During order editing",
aftersale.md §1): its `gift_card_code` can't change (400 PARAM_NOT_ALLOWED); what the card pays
stays what `_place` took, capped by the new amount to pay; `_stop_editing` gives the difference
back to the card; a cancel gives back all it took. A return's refund gives nothing back."""

import pytest

from tests.gift_cards.conftest import attributes_of, balance, card, cart, errors, place, redeem
from tests.returns.conftest import return_with
from tests.shop import ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(integration, shop):
    """An order of 3 x $10.00 + $5.00 shipping, $35.00 all paid by a card of $50.00 (free),
    being edited: (order, its sku line, the card)."""
    gift_card = card(balance_cents=5000)
    order = cart(shop, [(shop["sku"], 3)])
    redeem(integration, order, gift_card.code)
    placed = place(integration, order)["attributes"]
    assert (placed["payment_status"], placed["gift_card_amount_cents"]) == ("free", -3500)
    assert balance(gift_card) == (1500, "active")
    ok(integration.update("orders", order.public_id, {"_start_editing": True}))
    return order, order.line_items.get(item_type="skus"), gift_card


def test_the_code_is_not_a_parameter_while_editing(integration, edited):
    order, _, gift_card = edited
    for code in (card().code, gift_card.code, None):
        response = integration.update("orders", order.public_id, {"gift_card_code": code})
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert (error["code"], error["source"]["pointer"]) == (
            "PARAM_NOT_ALLOWED",
            "/data/attributes/gift_card_code",
        )


def test_an_edit_down_gives_the_difference_back_at_stop_editing(integration, edited):
    order, line, gift_card = edited
    ok(integration.update("line_items", line.public_id, {"quantity": 1}))
    figures = attributes_of(integration, order)
    assert (figures["gift_card_amount_cents"], figures["total_amount_with_taxes_cents"]) == (
        -1500,
        0,
    )
    assert balance(gift_card) == (1500, "active")  # given back only when the edit is closed
    closed = ok(integration.update("orders", order.public_id, {"_stop_editing": True}))
    assert (closed["attributes"]["status"], closed["attributes"]["payment_status"]) == (
        "placed",
        "free",
    )
    assert balance(gift_card) == (3500, "active")
    assert [e["balance_change_cents"] for e in gift_card.balance_log] == [-3500, 2000]
    assert gift_card.usage_log[order.public_id]["amount_cents"] == 1500
    # Cancelled later, the order gives back what it still holds.
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert balance(gift_card) == (5000, "active")


def test_an_edit_up_does_not_take_more_of_the_card(integration, edited):
    """The card has $15.00 left, yet pays no more than the $35.00 `_place` took: the new
    total to pay is more than the amount placed (0), and the edit can't be closed."""
    order, line, gift_card = edited
    ok(integration.update("line_items", line.public_id, {"quantity": 4}))
    figures = attributes_of(integration, order)
    assert (figures["gift_card_amount_cents"], figures["total_amount_with_taxes_cents"]) == (
        -3500,
        1000,
    )
    response = integration.update("orders", order.public_id, {"_stop_editing": True})
    assert [pointer for pointer, _ in errors(response)] == [
        "/data/attributes/total_amount_with_taxes_cents"
    ]
    assert balance(gift_card) == (1500, "active")


def test_a_cancel_while_editing_gives_back_all_it_took(integration, edited):
    order, line, gift_card = edited
    ok(integration.update("line_items", line.public_id, {"quantity": 1}))  # pays 1500 for now
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert balance(gift_card) == (5000, "active")
    assert gift_card.usage_log[order.public_id]["amount_cents"] == 0


def test_a_single_use_card_stays_redeemed_when_an_edit_gives_part_back(integration, shop):
    gift_card = card(balance_cents=5000, single_use=True)
    order = cart(shop, [(shop["sku"], 3)])
    redeem(integration, order, gift_card.code)
    place(integration, order)
    assert balance(gift_card) == (1500, "redeemed")
    ok(integration.update("orders", order.public_id, {"_start_editing": True}))
    line = order.line_items.get(item_type="skus")
    ok(integration.update("line_items", line.public_id, {"quantity": 2}))
    ok(integration.update("orders", order.public_id, {"_stop_editing": True}))
    assert balance(gift_card) == (2500, "redeemed")  # its one use is still this order's


@pytest.fixture
def returns_desk(market):
    from returns.models import InventoryReturnLocation
    from tests import factories as f

    desk = f.StockLocationFactory(name="Returns desk")
    InventoryReturnLocation.objects.create(
        inventory_model=market.inventory_model, stock_location=desk, priority=1
    )
    return desk


def test_a_returns_refund_gives_nothing_back(integration, shop, returns_desk):
    """aftersale.md §3: only the order's own `_refund`/`_cancel` give the balance back."""
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(integration, order, gift_card.code)
    place(integration, order)
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    line = order.line_items.get(item_type="skus")
    return_with(integration, order, [(line, 1)], status="refunded")  # $10.00 of the $15.00 paid
    order.refresh_from_db()
    assert order.status == "approved"
    assert balance(gift_card) == (0, "redeemed")
    assert [e["balance_change_cents"] for e in gift_card.balance_log] == [-1000]
