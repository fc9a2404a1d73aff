"""Golden figures C9 of catalog.md (a gift card) through the HTTP API, on both databases: a
market of 8.25 % tax excluded (freight taxable), shipping 0; a card of $50.00 bought (its line
untaxed), placed, activated; then redeemed by B (1 x $20.00) and C (1 x $30.00), each placed;
C and B cancelled give the balance back. Every figure in its cents, float and formatted forms."""

import pytest

from orders.models import GiftCard
from tests.conftest import rel
from tests.scenarios.test_catalog_golden import _address_and_pay, _cart, _line
from tests.scenarios.test_golden_figures import _assert_figures, _market, _sku

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _place(api, order_id) -> dict:
    placed = api.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    return placed.json()["data"]["attributes"]


def _card(card_id) -> tuple[int, str, str]:
    card = GiftCard.objects.get(public_id=card_id)
    return card.balance_cents, card.status, card.currency_code


def _redeemed(api, market, sku, code) -> str:
    order_id, _ = _cart(api, market, [(sku, 1)])
    _address_and_pay(api, market, order_id)
    patched = api.update("orders", order_id, {"gift_card_code": code})
    assert patched.status_code == 200, patched.json()
    return order_id


def test_c9_gift_card_tax_excluded(integration):
    market = _market("USD", tax_included=False, rate="0.0825", shipping_cents=0)
    b_sku, c_sku = _sku(market, 2000), _sku(market, 3000)

    # A: the card bought, its line untaxed; placed, the card is inactive; then activated.
    created = integration.create("gift_cards", {"currency_code": "USD", "balance_cents": 5000})
    assert created.status_code == 201, created.json()
    card_id, code = created.json()["data"]["id"], created.json()["data"]["attributes"]["code"]
    a_id, _ = _cart(integration, market, [])
    _address_and_pay(integration, market, a_id)
    line = integration.create(
        "line_items",
        {"item_type": "gift_cards"},
        {"order": rel("orders", a_id), "item": rel("gift_cards", card_id)},
    )
    assert line.status_code == 201, line.json()
    bought = _line(integration, line.json()["data"]["id"])
    assert (bought["total_amount_cents"], bought["tax_amount_cents"]) == (5000, 0)
    a = _place(integration, a_id)
    _assert_figures(
        a,
        "USD",
        {
            "subtotal_amount": 5000,
            "total_tax_amount": 0,
            "total_amount": 5000,
            "total_amount_with_taxes": 5000,
        },
    )
    assert _card(card_id) == (5000, "inactive", "USD")
    activated = integration.update("gift_cards", card_id, {"_activate": True})
    assert activated.json()["data"]["attributes"]["status"] == "active"

    # B: 1 x $20.00, 165 of tax; the card pays it all.
    b_id = _redeemed(integration, market, b_sku, code)
    b = _place(integration, b_id)
    _assert_figures(
        b,
        "USD",
        {
            "subtotal_amount": 2000,
            "total_tax_amount": 165,
            "gift_card_amount": -2165,
            "total_amount": 2000,
            "total_amount_with_taxes": 0,
        },
    )
    assert b["payment_status"] == "free"
    assert _card(card_id) == (2835, "active", "USD")

    # C: 1 x $30.00, 247.5 -> 248 of tax; the card pays what is left of it.
    c_id = _redeemed(integration, market, c_sku, code)
    c = _place(integration, c_id)
    _assert_figures(
        c,
        "USD",
        {
            "subtotal_amount": 3000,
            "total_tax_amount": 248,
            "gift_card_amount": -2835,
            "total_amount": 3000,
            "total_amount_with_taxes": 413,
        },
    )
    assert c["formatted_gift_card_amount"] == "-$28.35"
    assert _card(card_id) == (0, "redeemed", "USD")

    # Cancelled, each gives back what it took.
    assert integration.update("orders", c_id, {"_cancel": True}).status_code == 200
    assert _card(card_id) == (2835, "active", "USD")
    assert integration.update("orders", b_id, {"_cancel": True}).status_code == 200
    assert _card(card_id) == (5000, "active", "USD")
    log = GiftCard.objects.get(public_id=card_id).balance_log
    assert [(e["balance_change_cents"], e["order_id"]) for e in log] == [
        (-2165, b_id),
        (-2835, c_id),
        (2835, c_id),
        (2165, b_id),
    ]
