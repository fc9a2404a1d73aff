"""A gift card's statuses and balance (catalog.md "Gift cards"): the table from every state over
HTTP, the balance change trigger's rules, and the pure rules themselves."""

import pytest

from orders.models import GIFT_CARD_STATUSES
from orders.transitions import (
    GIFT_CARD_TRANSITIONS,
    gift_card_balance_move,
    next_gift_card_status,
)
from tests.gift_cards.conftest import balance, card, errors

pytestmark = pytest.mark.django_db

TRIGGERS = ("_purchase", "_activate", "_deactivate")
# (status, trigger) -> the status it moves to; every other pair is refused.
MOVES = {
    ("draft", "_purchase"): "inactive",
    ("draft", "_activate"): "active",
    ("inactive", "_activate"): "active",
    ("active", "_deactivate"): "inactive",
}


@pytest.mark.sqlite
@pytest.mark.parametrize("status", GIFT_CARD_STATUSES)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_trigger_from_every_state(integration, status, trigger):
    gift_card = card(status=status, balance_cents=0 if status == "redeemed" else 5000)
    response = integration.update("gift_cards", gift_card.public_id, {trigger: True})
    expected = MOVES.get((status, trigger))
    if expected is None:
        assert response.status_code == 422, response.json()
        assert errors(response)[0][0] == "/data/attributes/status"
        assert balance(gift_card) == (gift_card.balance_cents, status)  # left as it was
    else:
        assert response.status_code == 200, response.json()
        assert response.json()["data"]["attributes"]["status"] == expected
        assert balance(gift_card)[1] == expected


def test_a_card_without_balance_is_not_activated(integration):
    gift_card = card(status="inactive", balance_cents=0)
    response = integration.update("gift_cards", gift_card.public_id, {"_activate": True})
    assert errors(response) == [
        ("/data/attributes/_activate", "_activate - a gift card without balance can't be activated")
    ]
    assert balance(gift_card) == (0, "inactive")


def _change(api, gift_card, cents):
    return api.update("gift_cards", gift_card.public_id, {"_balance_change_cents": cents})


def test_a_balance_goes_down_to_redeemed_and_a_recharge_makes_it_active(integration):
    gift_card = card(balance_cents=5000)
    attributes = _change(integration, gift_card, -2000).json()["data"]["attributes"]
    assert (attributes["balance_cents"], attributes["formatted_balance"]) == (3000, "$30.00")
    assert attributes["initial_balance_cents"] == 5000
    assert balance(gift_card) == (3000, "active")
    assert _change(integration, gift_card, -3000).status_code == 200
    assert balance(gift_card) == (0, "redeemed")
    assert _change(integration, gift_card, 1500).status_code == 200
    assert balance(gift_card) == (1500, "active")
    assert [(e["balance_change_cents"], e["order_id"]) for e in gift_card.balance_log] == [
        (-2000, None),
        (-3000, None),
        (1500, None),
    ]
    assert gift_card.usage_log == {}


@pytest.mark.parametrize(
    ("values", "cents", "detail"),
    [
        ({}, -5001, "_balance_change_cents - can't take more than the balance, $50.00"),
        ({}, 0, "_balance_change_cents - must be other than 0"),
        (
            {"rechargeable": False},
            1,
            "_balance_change_cents - can't add balance to a card that is not rechargeable",
        ),
        (
            {"balance_max_cents": 6000},
            1001,
            "_balance_change_cents - would take the balance above its maximum, $60.00",
        ),
        ({}, "100", "_balance_change_cents - must be an integer of at most 13 digits"),
        ({}, 10**14, "_balance_change_cents - must be an integer of at most 13 digits"),
    ],
)
def test_balance_changes_that_are_refused(integration, values, cents, detail):
    gift_card = card(balance_cents=5000, **values)
    response = _change(integration, gift_card, cents)
    assert errors(response) == [("/data/attributes/_balance_change_cents", detail)]
    assert balance(gift_card) == (5000, "active")
    assert gift_card.balance_log == []


def test_a_recharge_up_to_the_maximum_is_taken(integration):
    gift_card = card(balance_cents=5000, balance_max_cents=6000)
    assert _change(integration, gift_card, 1000).status_code == 200
    assert balance(gift_card) == (6000, "active")


@pytest.mark.sqlite
def test_the_balance_is_not_an_attribute_to_patch(integration):
    gift_card = card(balance_cents=5000)
    response = integration.update("gift_cards", gift_card.public_id, {"balance_cents": 9000})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        "/data/attributes/balance_cents",
    )
    assert balance(gift_card) == (5000, "active")


# --- the pure rules -------------------------------------------------------------------------


def test_every_status_of_the_table_is_reachable_from_draft():
    named = {s for s, _ in GIFT_CARD_TRANSITIONS} | set(GIFT_CARD_TRANSITIONS.values())
    assert named == set(GIFT_CARD_STATUSES)
    seen, todo = {"draft"}, ["draft"]
    while todo:
        status = todo.pop()
        for (source, _), target in GIFT_CARD_TRANSITIONS.items():
            if source == status and target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(GIFT_CARD_STATUSES)


def test_a_move_not_in_the_table_is_refused():
    assert next_gift_card_status("redeemed", "restore") == "active"
    with pytest.raises(Exception) as refused:
        next_gift_card_status("redeemed", "deactivate")
    assert refused.value.detail == "status - cannot transition from redeemed to inactive"


@pytest.mark.parametrize(
    ("status", "balance_cents", "change", "spent", "move"),
    [
        ("active", 0, -500, False, "redeem"),  # nothing left
        ("active", 100, -500, True, "redeem"),  # a single-use card used
        ("active", 100, -500, False, None),
        ("redeemed", 500, 500, False, "restore"),  # a cancel, a refund, a recharge
        ("redeemed", 500, 500, True, None),  # an edit gave back part of a single use
        ("inactive", 0, -500, False, None),  # only an active card is redeemed
        ("inactive", 500, 500, False, None),
        ("draft", 500, 500, False, None),
    ],
)
def test_what_a_balance_change_moves(status, balance_cents, change, spent, move):
    assert gift_card_balance_move(status, balance_cents, change, spent_single_use=spent) == move
