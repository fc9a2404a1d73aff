"""Buying a gift card (catalog.md "Gift cards"): a line `item_type` `gift_cards` whose `item` is a
draft card in the order's currency that no other order holds; quantity 1, unit = its balance;
in the subtotal, never discounted, shipping and reserving nothing, taxed only when
`gift_card_taxable` (the order's, else the tax rule's; default no). `_place` makes it
`inactive`."""

import pytest

from inventory.models import StockReservation
from orders.models import GiftCard, LineItem, Order
from tests.conftest import rel
from tests.gift_cards.conftest import (
    attributes_of,
    balance,
    buy,
    card,
    cart,
    empty_cart,
    errors,
    place,
    redeem,
    taxed,
)
from tests.markets_tax_promotions.conftest import (
    FixedAmountPromotionFactory,
    PercentageDiscountPromotionFactory,
)
from tests.shop import ok

pytestmark = pytest.mark.django_db


def draft(**values) -> GiftCard:
    return card(status="draft", **values)


def test_a_storefront_buys_a_card_it_made_in_a_cart_of_nothing_else(sales_channel, shop):
    made = ok(sales_channel.create("gift_cards", {"balance_cents": 2500}), 201)
    gift_card = GiftCard.objects.get(public_id=made["id"])
    order = empty_cart(shop)
    line = buy(sales_channel, order, gift_card)["attributes"]
    assert (line["item_type"], line["quantity"], line["name"]) == (
        "gift_cards",
        1,
        "Gift card $25.00",
    )
    assert (line["unit_amount_cents"], line["total_amount_cents"], line["tax_amount_cents"]) == (
        2500,
        2500,
        0,
    )
    figures = attributes_of(sales_channel, order)
    assert (figures["status"], figures["skus_count"], figures["shipments_count"]) == (
        "pending",
        0,
        0,
    )
    assert (figures["subtotal_amount_cents"], figures["total_amount_with_taxes_cents"]) == (
        2500,
        2500,
    )
    placed = place(sales_channel, order)["attributes"]
    assert (placed["status"], placed["payment_status"]) == ("placed", "authorized")
    assert balance(gift_card) == (2500, "inactive")  # the operator activates it once paid
    assert not StockReservation.objects.exists()
    assert not order.shipments.exists()
    line_item = LineItem.objects.get(order=order, item_type="gift_cards")
    assert (line_item.gift_card, line_item.item_type) == (gift_card, "gift_cards")


@pytest.mark.parametrize(
    ("order_flag", "rule_flag", "tax"),
    [
        (None, False, 0),  # the default: untaxed
        (None, True, 206),  # the rule's: 2500 x 8.25 % = 206.25
        (False, True, 0),  # the order's wins
        (True, False, 206),
    ],
)
def test_a_card_is_taxed_only_when_gift_card_taxable(integration, shop, order_flag, rule_flag, tax):
    taxed(shop["market"], gift_card_taxable=rule_flag)
    order = cart(shop)  # 2 x $10.00 + $5.00 shipping: 165 of tax on the SKUs
    if order_flag is not None:
        ok(integration.update("orders", order.public_id, {"gift_card_taxable": order_flag}))
    line = buy(integration, order, draft(balance_cents=2500))["attributes"]
    assert (line["tax_amount_cents"], line["tax_rate"]) == (tax, 0.0825 if tax else 0.0)
    figures = attributes_of(integration, order)
    assert figures["subtotal_tax_amount_cents"] == 165 + tax
    assert figures["subtotal_amount_cents"] == 4500


def test_a_card_bought_is_never_discounted(integration, shop):
    PercentageDiscountPromotionFactory(market=shop["market"], percentage=10)
    order = cart(shop)
    line = buy(integration, order, draft(balance_cents=5000))
    figures = attributes_of(integration, order)
    assert (figures["subtotal_amount_cents"], figures["discount_amount_cents"]) == (7000, -200)
    assert ok(integration.get(f"/api/line_items/{line['id']}"))["attributes"]["discount_cents"] == 0
    # A fixed amount larger than the SKUs takes only what they cost.
    FixedAmountPromotionFactory(market=shop["market"], fixed_amount_cents=10000)
    ok(integration.update("orders", order.public_id, {"_refresh": True}))
    figures = attributes_of(integration, order)
    assert figures["discount_amount_cents"] == -2000
    assert figures["total_amount_cents"] == 5000 + 500  # the card, and the shipping


def _refusal(api, order, item, **attributes):
    return api.create(
        "line_items",
        {"item_type": "gift_cards", **attributes},
        {"order": rel("orders", order.public_id), "item": item},
    )


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (
            lambda m: card(),
            "item - is a gift card that is active: only a draft one can be bought",
        ),
        (
            lambda m: draft(currency_code="EUR"),
            "item - is a gift card in EUR, the order is in USD",
        ),
        (lambda m: draft(market=m), "item - is a gift card of another market"),
        (lambda m: draft(balance_cents=0), "item - is a gift card without balance"),
    ],
)
def test_cards_a_cart_can_not_buy(integration, shop, other_market, make, detail):
    order = cart(shop)
    gift_card = make(other_market)
    response = _refusal(integration, order, rel("gift_cards", gift_card.public_id))
    assert errors(response) == [("/data/relationships/item", detail)]
    assert not order.line_items.filter(item_type="gift_cards").exists()


def test_a_card_is_bought_by_one_order_at_a_time(sales_channel, shop):
    gift_card = draft()
    first, second = cart(shop), cart(shop)
    buy(sales_channel, first, gift_card)
    held = "item - is a gift card another order is buying"
    for order in (first, second):  # this one again too
        response = _refusal(sales_channel, order, rel("gift_cards", gift_card.public_id))
        assert errors(response) == [("/data/relationships/item", held)]
    ok(sales_channel.update("orders", first.public_id, {"_cancel": True}))  # the cart abandoned
    buy(sales_channel, second, gift_card)


def test_a_line_buying_a_card_is_one_card(sales_channel, shop):
    order, gift_card = cart(shop), draft()
    response = _refusal(sales_channel, order, rel("gift_cards", gift_card.public_id), quantity=2)
    assert errors(response) == [("/data/attributes/quantity", "quantity - must be equal to 1")]
    response = _refusal(sales_channel, order, rel("skus", shop["sku"].public_id))
    assert response.status_code == 422
    assert errors(response)[0][0] == "/data/relationships/item"


def test_even_the_back_office_sells_a_card_at_its_balance(integration, shop):
    order, gift_card = cart(shop), draft()
    item = rel("gift_cards", gift_card.public_id)
    response = _refusal(integration, order, item, unit_amount_cents=100)
    assert errors(response) == [
        (
            "/data/attributes/unit_amount_cents",
            "unit_amount_cents - must be the gift card's balance",
        )
    ]
    line = ok(_refusal(integration, order, item, unit_amount_cents=5000), 201)
    response = integration.update("line_items", line["id"], {"unit_amount_cents": 1})
    assert errors(response) == [
        (
            "/data/attributes/unit_amount_cents",
            "unit_amount_cents - must be the gift card's balance",
        )
    ]


def test_a_line_buying_a_card_keeps_its_unit_and_goes_when_removed(sales_channel, shop):
    order, gift_card = cart(shop), draft()
    line = buy(sales_channel, order, gift_card)
    response = sales_channel.update("line_items", line["id"], {"quantity": 3})
    assert errors(response) == [("/data/attributes/quantity", "quantity - must be equal to 1")]
    renamed = ok(sales_channel.update("line_items", line["id"], {"name": "For Grace"}))
    assert renamed["attributes"]["name"] == "For Grace"
    assert attributes_of(sales_channel, order)["subtotal_amount_cents"] == 7000
    assert sales_channel.delete(f"/api/line_items/{line['id']}").status_code == 204
    assert attributes_of(sales_channel, order)["subtotal_amount_cents"] == 2000
    buy(sales_channel, cart(shop), gift_card)  # free to be bought again


def test_place_refuses_a_card_no_longer_for_sale(sales_channel, integration, shop):
    order, gift_card = cart(shop), draft()
    buy(sales_channel, order, gift_card)
    ok(integration.update("gift_cards", gift_card.public_id, {"_activate": True}))
    response = sales_channel.update("orders", order.public_id, {"_place": True})
    assert errors(response) == [
        (
            "/data/relationships/line_items",
            f"line_items - gift card {gift_card.public_id} is no longer for sale as the cart "
            "shows it",
        )
    ]
    order.refresh_from_db()
    assert order.status == "pending"
    assert balance(gift_card) == (5000, "active")


def test_an_order_being_edited_buys_no_card(integration, shop):
    order = cart(shop)
    place(integration, order)
    ok(integration.update("orders", order.public_id, {"_start_editing": True}))
    response = _refusal(integration, order, rel("gift_cards", draft().public_id))
    assert errors(response) == [
        (
            "/data/attributes/item_type",
            "item_type - a gift card is bought in a cart, not while the order is edited",
        )
    ]


def test_the_line_of_a_card_redeemed_follows_the_gift_card_code(sales_channel, shop):
    order = cart(shop)
    redeem(sales_channel, order, card(balance_cents=1000).code)
    line = order.line_items.get(item_type="gift_cards")
    for response in (
        sales_channel.delete(f"/api/line_items/{line.public_id}"),
        sales_channel.update("line_items", line.public_id, {"name": "mine"}),
    ):
        assert response.status_code == 422
        assert errors(response)[0][0] == "/data/attributes/item_type"
    assert Order.objects.get(pk=order.pk).gift_card_amount_cents == -1000


def test_a_draft_buying_a_card_lacks_only_an_email(sales_channel, shop):
    """A card bought is no unit, but it is a line: the draft is told what it lacks, an email."""
    order = ok(sales_channel.create("orders", {}), 201)
    buy(sales_channel, Order.objects.get(public_id=order["id"]), draft())
    response = sales_channel.update("orders", order["id"], {"_place": True})
    assert [pointer for pointer, _ in errors(response)] == [
        "/data/attributes/status",
        "/data/attributes/customer_email",
    ]
    pending = ok(sales_channel.update("orders", order["id"], {"customer_email": "a@example.com"}))
    assert pending["attributes"]["status"] == "pending"
