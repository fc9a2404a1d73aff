"""Redeeming a gift card (catalog.md "Gift cards"): the order's `gift_card_code` names it (whole,
or by its first 8 characters or more when only one card starts so); a card unknown, not active,
expired, in another currency or market, or without balance is a 422 on
`/data/attributes/gift_card_code`. The order pays G = min(balance, amount to pay) with it, a
system line item of -G (none when G is 0); `_place` takes G from the balance, `_cancel` and a
full refund give it back, a partial refund never."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import GiftCard, LineItem, Order
from tests.conftest import rel
from tests.gift_cards.conftest import (
    attributes_of,
    balance,
    card,
    cart,
    errors,
    place,
    redeem,
)
from tests.shop import ok

pytestmark = pytest.mark.django_db


def gift_lines(order) -> list[tuple[int, str]]:
    return [
        (li.total_amount_cents, li.gift_card.code)
        for li in LineItem.objects.filter(order=order, item_type="gift_cards")
    ]


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("card_cents", "paid", "left_to_pay"),
    [(1000, 1000, 1500), (2500, 2500, 0), (9000, 2500, 0)],
)
def test_a_card_pays_its_balance_up_to_the_amount_to_pay(
    sales_channel, shop, card_cents, paid, left_to_pay
):
    gift_card = card(balance_cents=card_cents)
    order = cart(shop)  # 2 x $10.00 + $5.00 shipping
    attributes = redeem(sales_channel, order, gift_card.code)["attributes"]
    assert (attributes["gift_card_amount_cents"], attributes["formatted_gift_card_amount"]) == (
        -paid,
        f"-${paid / 100:.2f}",
    )
    assert attributes["total_amount_cents"] == 2500  # the card pays, it discounts nothing
    assert attributes["total_amount_with_taxes_cents"] == left_to_pay
    assert gift_lines(order) == [(-paid, gift_card.code)]
    assert balance(gift_card) == (card_cents, "active")  # nothing taken before `_place`


def test_a_code_of_8_characters_or_more_names_the_only_card_starting_so(sales_channel, shop):
    gift_card = card(code="ABCDEFGH-1234-XYZ")
    card(code="ABCDEFGX-9999")
    order = cart(shop)
    attributes = redeem(sales_channel, order, "ABCDEFGH")["attributes"]
    assert attributes["gift_card_code"] == gift_card.code  # the whole code is kept
    assert gift_lines(order) == [(-2500, gift_card.code)]
    for code in ("ABCDEFG", "ABCDEFG-", "ABCDEFGH-1234-XYZW"):  # too short, two cards, no card
        response = sales_channel.update("orders", order.public_id, {"gift_card_code": code})
        assert errors(response) == [
            ("/data/attributes/gift_card_code", "gift_card_code - is not a known gift card code")
        ], code
    assert Order.objects.get(pk=order.pk).gift_card_code == gift_card.code


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("values", "detail"),
    [
        ({"status": "draft"}, "is a gift card that is draft, not active"),
        ({"status": "inactive"}, "is a gift card that is inactive, not active"),
        ({"status": "redeemed", "balance_cents": 0}, "is a gift card that is redeemed, not active"),
        (
            {"expires_at": timezone.now() - timedelta(minutes=1)},
            "is a gift card that has expired",
        ),
        ({"currency_code": "EUR"}, "is a gift card in EUR, the order is in USD"),
        ({"market": "other"}, "is a gift card of another market"),
        ({"balance_cents": 0}, "is a gift card without balance"),
    ],
)
def test_cards_an_order_can_not_redeem(sales_channel, shop, other_market, values, detail):
    if values.get("market") == "other":
        values = {**values, "market": other_market}
    gift_card = card(**values)
    order = cart(shop)
    response = sales_channel.update("orders", order.public_id, {"gift_card_code": gift_card.code})
    assert errors(response) == [("/data/attributes/gift_card_code", f"gift_card_code - {detail}")]
    order.refresh_from_db()
    assert (order.gift_card_code, order.gift_card_amount_cents) == (None, 0)
    assert gift_lines(order) == []


def test_a_card_of_the_orders_own_market_is_redeemed(sales_channel, shop):
    gift_card = card(market=shop["market"], expires_at=timezone.now() + timedelta(days=1))
    assert redeem(sales_channel, cart(shop), gift_card.code)["attributes"]["gift_card_code"]


def test_a_blank_code_removes_the_card(sales_channel, shop):
    order = cart(shop)
    redeem(sales_channel, order, card().code)
    for blank in ("", None):
        attributes = redeem(sales_channel, order, blank)["attributes"]
        assert (attributes["gift_card_code"], attributes["gift_card_amount_cents"]) == (None, 0)
        assert attributes["total_amount_with_taxes_cents"] == 2500
        assert gift_lines(order) == []


def test_a_card_that_pays_nothing_has_no_line(sales_channel, shop):
    """Chosen as for promotions: only a card that pays something is a line item; the order
    keeps its code (the next change of the cart may make it pay)."""
    free = shop["free_sku"]
    order = cart(shop, [(free, 1)])  # nothing to pay
    gift_card = card()
    attributes = redeem(sales_channel, order, gift_card.code)["attributes"]
    assert (attributes["gift_card_code"], attributes["gift_card_amount_cents"]) == (
        gift_card.code,
        0,
    )
    assert gift_lines(order) == []
    line = ok(
        sales_channel.create(
            "line_items",
            {"sku_code": shop["sku"].code, "quantity": 1},
            {"order": rel("orders", order.public_id)},
        ),
        201,
    )
    assert attributes_of(sales_channel, order)["gift_card_amount_cents"] == -1500
    assert gift_lines(order) == [(-1500, gift_card.code)]
    sales_channel.delete(f"/api/line_items/{line['id']}")
    assert gift_lines(order) == []
    placed = place(sales_channel, order)["attributes"]
    assert (placed["status"], placed["payment_status"]) == ("placed", "free")
    assert balance(gift_card) == (5000, "active")  # nothing taken, nothing logged
    assert GiftCard.objects.get(pk=gift_card.pk).balance_log == []


def test_place_takes_the_balance_and_logs_it(sales_channel, shop):
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    placed = place(sales_channel, order)["attributes"]
    assert (placed["payment_status"], placed["total_amount_with_taxes_cents"]) == (
        "authorized",
        1500,
    )
    assert order.transactions.get().amount_cents == 1500  # the rest, authorized
    assert balance(gift_card) == (0, "redeemed")
    (entry,) = gift_card.balance_log
    assert (entry["balance_change_cents"], entry["order_id"]) == (-1000, order.public_id)
    assert gift_card.usage_log[order.public_id]["amount_cents"] == 1000
    assert gift_card.usage_log[order.public_id]["order_number"] == order.number


def test_a_card_that_pays_it_all_makes_the_order_free(sales_channel, shop):
    gift_card = card(balance_cents=5000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    placed = place(sales_channel, order)["attributes"]
    assert (placed["payment_status"], placed["total_amount_with_taxes_cents"]) == ("free", 0)
    assert balance(gift_card) == (2500, "active")


def test_a_single_use_card_is_redeemed_once_used(sales_channel, shop):
    gift_card = card(balance_cents=5000, single_use=True)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    place(sales_channel, order)
    assert balance(gift_card) == (2500, "redeemed")
    other = cart(shop)
    response = sales_channel.update("orders", other.public_id, {"gift_card_code": gift_card.code})
    assert response.status_code == 422


def test_place_refuses_a_card_whose_balance_fell_below_what_the_cart_showed(
    sales_channel, integration, shop
):
    gift_card = card(balance_cents=2000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)  # shows -2000
    ok(integration.update("gift_cards", gift_card.public_id, {"_balance_change_cents": -500}))
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert errors(response) == [
        (
            "/data/attributes/gift_card_code",
            "gift_card_code - has a balance of $15.00, less than the $20.00 it was to pay",
        )
    ]
    order.refresh_from_db()
    assert (order.status, order.placed_at) == ("pending", None)
    assert balance(gift_card) == (1500, "active")
    # Refreshed, the cart shows what the card pays now, and is placed with it.
    ok(sales_channel.update("orders", order.public_id, {"_refresh": True}))
    place(sales_channel, order)
    assert balance(gift_card) == (0, "redeemed")


def test_place_refuses_a_card_no_longer_usable(sales_channel, integration, shop):
    gift_card = card()
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    ok(integration.update("gift_cards", gift_card.public_id, {"_deactivate": True}))
    # The cart shows its last refresh, the card paying; `_place` says why it no longer does.
    assert attributes_of(sales_channel, order)["gift_card_amount_cents"] == -2500
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert errors(response) == [
        (
            "/data/attributes/gift_card_code",
            "gift_card_code - is a gift card that is inactive, not active",
        )
    ]
    assert balance(gift_card) == (5000, "inactive")
    refreshed = ok(sales_channel.update("orders", order.public_id, {"_refresh": True}))
    assert refreshed["attributes"]["gift_card_amount_cents"] == 0  # it pays nothing now
    assert gift_lines(order) == []


def test_a_placed_orders_code_is_frozen(sales_channel, integration, shop):
    order = cart(shop)
    place(sales_channel, order)
    response = integration.update("orders", order.public_id, {"gift_card_code": card().code})
    assert errors(response) == [
        (
            "/data/attributes/gift_card_code",
            "gift_card_code - can't be changed once the order is placed",
        )
    ]


# --- giving balance back ------------------------------------------------------------------


def placed_with(api, shop, gift_card) -> Order:
    order = cart(shop)
    redeem(api, order, gift_card.code)
    place(api, order)
    return order


def test_cancel_gives_the_balance_back(integration, sales_channel, shop):
    gift_card = card(balance_cents=1000)
    order = placed_with(sales_channel, shop, gift_card)
    assert balance(gift_card) == (0, "redeemed")
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert balance(gift_card) == (1000, "active")
    assert [(e["balance_change_cents"], e["order_id"]) for e in gift_card.balance_log] == [
        (-1000, order.public_id),
        (1000, order.public_id),
    ]
    assert gift_card.usage_log[order.public_id]["amount_cents"] == 0


def test_a_cancelled_cart_took_nothing_and_gives_nothing(sales_channel, shop):
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    ok(sales_channel.update("orders", order.public_id, {"_cancel": True}))
    assert balance(gift_card) == (1000, "active")
    assert gift_card.balance_log == []


def test_a_full_refund_gives_the_balance_back(integration, sales_channel, shop):
    gift_card = card(balance_cents=1000, single_use=True)
    order = placed_with(sales_channel, shop, gift_card)
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    refunded = ok(integration.update("orders", order.public_id, {"_refund": True}))
    assert (refunded["attributes"]["status"], refunded["attributes"]["payment_status"]) == (
        "cancelled",
        "refunded",
    )
    assert balance(gift_card) == (1000, "active")  # a single-use card is usable again


def test_a_partial_refund_gives_nothing_back(integration, sales_channel, shop):
    gift_card = card(balance_cents=1000)
    order = placed_with(sales_channel, shop, gift_card)
    ok(integration.update("orders", order.public_id, {"_approve_and_capture": True}))
    capture = order.transactions.get(kind="captures")
    ok(
        integration.update(
            "captures", capture.public_id, {"_refund": True, "_refund_amount_cents": 500}
        )
    )
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("approved", "partially_refunded")
    assert balance(gift_card) == (0, "redeemed")
    # The rest of the capture refunded: the order's whole payment is, it is cancelled, and the
    # card gets its balance back then.
    ok(integration.update("captures", capture.public_id, {"_refund": True}))
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert balance(gift_card) == (1000, "active")


# --- what orders without a card cost ------------------------------------------------------


def test_an_order_without_a_card_never_reads_one(sales_channel, integration, shop):
    order = cart(shop)
    line = order.line_items.get(item_type="skus")
    with CaptureQueriesContext(connection) as captured:
        ok(sales_channel.update("line_items", line.public_id, {"quantity": 3}))
        place(sales_channel, order)
        ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert not [q for q in captured.captured_queries if "orders_giftcard" in q["sql"]]
