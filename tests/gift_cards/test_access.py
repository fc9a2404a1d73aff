"""Who may do what with gift cards (auth.md: "create a `draft` card and read it by id", the rest
is integration only), per token kind: integration, sales channel (guest) and customer."""

import pytest

from orders.models import GiftCard
from tests import factories as f
from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.gift_cards.conftest import card, cart, place, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["sales_channel", "customer"])
def storefront(request, market, sales_channel, customer_token):
    """A guest's token or a signed-in customer's, both in market `usa`."""
    if request.param == "sales_channel":
        return sales_channel
    return customer_token(market, "ada@example.com")


def test_a_storefront_creates_a_draft_card_of_its_market_and_reads_it(storefront, market):
    response = storefront.create(
        "gift_cards",
        {"balance_cents": 2500, "recipient_email": "Friend@Example.com", "image_url": None},
    )
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["attributes"]["status"] == "draft"
    assert data["attributes"]["currency_code"] == "USD"  # the market's
    assert data["attributes"]["formatted_initial_balance"] == "$25.00"
    stored = GiftCard.objects.get(public_id=data["id"])
    assert stored.market_id == market.pk
    assert stored.gift_card_recipient.email == "Friend@Example.com"
    again = storefront.get(f"/api/gift_cards/{data['id']}?include=market")
    assert again.status_code == 200
    assert again.json()["data"]["relationships"]["market"]["data"]["id"] == market.public_id


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "attribute",
    [
        ("code", "MY-OWN-CODE-1"),
        ("single_use", True),
        ("rechargeable", False),
        ("balance_max_cents", 9000),
        ("distribute_discount", True),
        ("expires_at", "2030-01-01T00:00:00.000Z"),
        ("_activate", True),
    ],
)
def test_what_only_the_back_office_sets_on_a_card(sales_channel, attribute):
    name, value = attribute
    response = sales_channel.create("gift_cards", {"balance_cents": 2500, name: value})
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        f"/data/attributes/{name}",
    )
    assert not GiftCard.objects.exists()


def test_a_storefront_card_is_in_its_markets_currency(sales_channel):
    response = sales_channel.create("gift_cards", {"balance_cents": 2500, "currency_code": "EUR"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == (
        "currency_code - must be the market's currency, USD"
    )


def test_a_storefront_reads_cards_of_its_market_or_of_none_by_id_only(
    storefront, market, other_market
):
    own, anywhere = card(market=market), card()
    elsewhere = card(market=other_market, currency_code="EUR")
    for readable in (own, anywhere):
        assert storefront.get(f"/api/gift_cards/{readable.public_id}").status_code == 200
    assert_not_found(storefront.get(f"/api/gift_cards/{elsewhere.public_id}"), "other market")
    assert_unauthorized(storefront.get("/api/gift_cards"), "list")


def test_a_storefront_changes_nothing_of_a_card(storefront, integration):
    gift_card = card(status="draft")
    before = integration.get(f"/api/gift_cards/{gift_card.public_id}").json()["data"]
    for attributes in ({"image_url": "https://img.example.com/x.png"}, {"_activate": True}):
        assert_unauthorized(
            storefront.update("gift_cards", gift_card.public_id, attributes), str(attributes)
        )
    assert_unauthorized(storefront.delete(f"/api/gift_cards/{gift_card.public_id}"), "delete")
    after = integration.get(f"/api/gift_cards/{gift_card.public_id}").json()["data"]
    assert after["attributes"] == before["attributes"]


def test_recipients_are_the_back_offices(storefront, integration):
    recipient = f.GiftCardRecipientFactory()
    assert_unauthorized(storefront.get("/api/gift_card_recipients"), "list")
    assert_unauthorized(
        storefront.get(f"/api/gift_card_recipients/{recipient.public_id}"), "read by id"
    )
    assert_unauthorized(
        storefront.create("gift_card_recipients", {"email": "x@example.com"}), "create"
    )
    listed = integration.get("/api/gift_card_recipients").json()["data"]
    assert [r["id"] for r in listed] == [recipient.public_id]


def test_a_storefront_names_no_recipient_it_can_not_read(sales_channel):
    recipient = f.GiftCardRecipientFactory()
    response = sales_channel.create(
        "gift_cards",
        {"balance_cents": 2500},
        {"gift_card_recipient": rel("gift_card_recipients", recipient.public_id)},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == (
        "/data/relationships/gift_card_recipient"
    )


def test_a_storefront_reads_the_logs_without_the_orders_ids(sales_channel, integration, shop):
    """A guest order's id is the key to it: whoever reads the card by id (its buyer, say) does
    not learn which orders spent it; the back office does."""
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    place(sales_channel, order)
    gift_card.refresh_from_db()
    seen = sales_channel.get(f"/api/gift_cards/{gift_card.public_id}").json()["data"]
    assert seen["attributes"]["balance_log"] == [
        {
            "datetime": gift_card.balance_log[0]["datetime"],
            "balance_change_cents": -1000,
            "order_id": None,
        }
    ]
    assert seen["attributes"]["usage_log"] == {}
    full = integration.get(f"/api/gift_cards/{gift_card.public_id}").json()["data"]
    assert full["attributes"]["balance_log"][0]["order_id"] == order.public_id
    assert full["attributes"]["usage_log"][order.public_id]["amount_cents"] == 1000


def test_the_card_of_a_line_is_read_through_the_order(sales_channel, shop):
    """The card a shopper's cart redeems is its line item's `gift_card` and `item`."""
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    line = order.line_items.get(item_type="gift_cards")
    response = sales_channel.get(f"/api/line_items/{line.public_id}?include=gift_card,item")
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["data"]["relationships"]["gift_card"]["data"] == {
        "type": "gift_cards",
        "id": gift_card.public_id,
    }
    assert document["data"]["relationships"]["item"]["data"]["type"] == "gift_cards"
    assert [i["id"] for i in document["included"]] == [gift_card.public_id]
