"""Gift cards as the back office writes them (resources.md `gift_cards`, catalog.md): the code,
the currency, the balances and their money triplets, the recipient found or created by email.
The generic CRUD (list, filters, sorts, includes, 423 on delete) is tests/resources'."""

import uuid

import pytest

from orders.models import GiftCard, GiftCardRecipient
from tests import factories as f
from tests.conftest import rel
from tests.gift_cards.conftest import card, errors

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def create(api, attributes, relationships=None):
    return api.create("gift_cards", attributes, relationships)


def test_a_card_without_a_code_gets_a_uuid_and_starts_a_draft(integration):
    data = create(integration, {"currency_code": "eur", "balance_cents": 123456}).json()["data"]
    attributes = data["attributes"]
    assert str(uuid.UUID(attributes["code"])) == attributes["code"]
    assert attributes["status"] == "draft"
    assert attributes["currency_code"] == "EUR"
    assert (
        attributes["initial_balance_cents"],
        attributes["initial_balance_float"],
        attributes["formatted_initial_balance"],
    ) == (123456, 1234.56, "€1.234,56")
    assert attributes["formatted_balance"] == "€1.234,56"
    assert (attributes["balance_max_cents"], attributes["formatted_balance_max"]) == (None, None)
    assert (attributes["balance_log"], attributes["usage_log"]) == ([], {})
    assert attributes["distribute_discount"] is False  # a payment after taxes (catalog.md)


def test_a_code_is_unique_and_set_at_creation_only(integration):
    taken = card(code="SUMMER-GIFT-0001")
    response = create(
        integration, {"code": "SUMMER-GIFT-0001", "currency_code": "USD", "balance_cents": 1}
    )
    assert errors(response) == [("/data/attributes/code", "code - has already been taken")]
    response = integration.update("gift_cards", taken.public_id, {"code": "OTHER-CODE-0001"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("attributes", "pointer", "detail"),
    [
        (
            {"balance_cents": 100},
            "/data/attributes/currency_code",
            "currency_code - can't be blank",
        ),
        (
            {"balance_cents": 100, "currency_code": "XYZ"},
            "/data/attributes/currency_code",
            "currency_code - is not a valid ISO 4217 currency code",
        ),
        (
            {"currency_code": "USD"},
            "/data/attributes/balance_cents",
            "balance_cents - can't be blank",
        ),
        (
            {"currency_code": "USD", "balance_cents": -1},
            "/data/attributes/balance_cents",
            "balance_cents - must be greater than or equal to 0",
        ),
        (
            {"currency_code": "USD", "balance_cents": 5000, "balance_max_cents": 4000},
            "/data/attributes/balance_cents",
            "balance_cents - must be less than or equal to balance_max_cents, 4000",
        ),
    ],
)
def test_what_a_new_card_needs(integration, attributes, pointer, detail):
    response = create(integration, attributes)
    assert response.status_code == 422
    assert (pointer, detail) in errors(response)
    assert not GiftCard.objects.exists()


def test_a_market_gives_its_currency_and_must_match_one_given(integration, other_market):
    market = rel("markets", other_market.public_id)  # EUR
    data = create(integration, {"balance_cents": 100}, {"market": market}).json()["data"]
    assert data["attributes"]["currency_code"] == "EUR"
    response = create(
        integration, {"balance_cents": 100, "currency_code": "USD"}, {"market": market}
    )
    assert errors(response) == [
        ("/data/attributes/currency_code", "currency_code - must be the market's currency, EUR")
    ]


def test_changes_of_a_card_that_is_not_a_draft_anymore(integration, other_market):
    gift_card = card(balance_cents=5000)  # active, USD
    refused = integration.update("gift_cards", gift_card.public_id, {"currency_code": "EUR"})
    assert errors(refused) == [
        (
            "/data/attributes/currency_code",
            "currency_code - can't be changed once the card is active",
        )
    ]
    other = integration.update(
        "gift_cards", gift_card.public_id, {}, {"market": rel("markets", other_market.public_id)}
    )
    assert errors(other) == [("/data/relationships/market", "market - sells in EUR")]
    lower = integration.update("gift_cards", gift_card.public_id, {"balance_max_cents": 4999})
    assert errors(lower) == [
        (
            "/data/attributes/balance_max_cents",
            "balance_max_cents - must be greater than or equal to the balance, 5000",
        )
    ]
    fine = integration.update(
        "gift_cards",
        gift_card.public_id,
        {"balance_max_cents": 10000, "single_use": True, "expires_at": "2031-01-01T00:00:00Z"},
    )
    attributes = fine.json()["data"]["attributes"]
    assert (attributes["formatted_balance_max"], attributes["single_use"]) == ("$100.00", True)
    assert attributes["expires_at"] == "2031-01-01T00:00:00.000Z"


def test_a_draft_card_changes_its_currency(integration):
    gift_card = card(status="draft")
    response = integration.update("gift_cards", gift_card.public_id, {"currency_code": "GBP"})
    assert response.json()["data"]["attributes"]["formatted_balance"] == "£50.00"


def test_recipient_email_finds_or_creates_the_recipient(integration):
    customer = f.CustomerFactory(email="grace@example.com")
    first = create(
        integration,
        {"currency_code": "USD", "balance_cents": 100, "recipient_email": "grace@example.com"},
    ).json()["data"]
    second = create(
        integration,
        {"currency_code": "USD", "balance_cents": 100, "recipient_email": "GRACE@example.com"},
    ).json()["data"]
    (recipient,) = GiftCardRecipient.objects.all()
    assert (recipient.email, recipient.customer) == ("grace@example.com", customer)
    for data in (first, second):
        assert GiftCard.objects.get(public_id=data["id"]).gift_card_recipient == recipient
    assert first["attributes"]["recipient_email"] == "grace@example.com"
    found = integration.get("/api/gift_cards?filter[q][recipient_email_eq]=grace@example.com")
    assert len(found.json()["data"]) == 2
    cleared = integration.update("gift_cards", first["id"], {"recipient_email": None})
    assert cleared.json()["data"]["attributes"]["recipient_email"] is None
    other = integration.update("gift_cards", second["id"], {"recipient_email": "ada@example.com"})
    assert other.json()["data"]["attributes"]["recipient_email"] == "ada@example.com"
    assert GiftCardRecipient.objects.count() == 2
