"""Gift cards in the operators' admin: the list and the detail page (balance log, orders holding
the card), the trigger buttons and the balance change form calling the API's services (a
refusal shown with the service's reason, nothing changed), new cards and changes checked as over
the API, recipients, and the order page showing the card it redeems."""

import uuid

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import GiftCard, GiftCardRecipient
from tests import factories as f
from tests.admin.conftest import admin_url, logged_in, messages_of
from tests.admin.test_order_pages import text_of
from tests.gift_cards.conftest import balance, card, cart, place, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create(username="operator", is_staff=True, is_superuser=True)
    return logged_in(user)


def test_gift_cards_and_recipients_are_registered():
    assert GiftCard in admin.site._registry
    assert GiftCardRecipient in admin.site._registry


def test_the_list_shows_each_cards_balance(staff_client, market):
    card(code="LIST-CARD-0001", balance_cents=2500, market=market)
    card(code="LIST-CARD-0002", currency_code="EUR", balance_cents=100000)
    page = text_of(staff_client.get(admin_url(GiftCard, "changelist")))
    assert "LIST-CARD-0001 active $25.00 $25.00 usa" in page
    assert "LIST-CARD-0002 active €1.000,00 €1.000,00" in page
    for label in ("Purchase", "Activate", "Deactivate"):
        assert f"{label}: selected gift cards" in page


def test_a_list_costs_the_same_for_1_and_20_cards(staff_client):
    card(gift_card_recipient=f.GiftCardRecipientFactory(), market=f.MarketFactory())
    staff_client.get(admin_url(GiftCard, "changelist"))
    with CaptureQueriesContext(connection) as one:
        staff_client.get(admin_url(GiftCard, "changelist"))
    for _ in range(19):
        card(gift_card_recipient=f.GiftCardRecipientFactory(), market=f.MarketFactory())
    with CaptureQueriesContext(connection) as twenty:
        staff_client.get(admin_url(GiftCard, "changelist"))
    assert len(twenty) == len(one)


def test_the_page_shows_the_balance_log_and_the_orders_holding_the_card(
    staff_client, sales_channel, shop
):
    gift_card = card(balance_cents=1000)
    order = cart(shop)
    redeem(sales_channel, order, gift_card.code)
    place(sales_channel, order)
    page = text_of(staff_client.get(admin_url(gift_card)))
    gift_card.refresh_from_db()
    assert "Status: redeemed Balance: $0.00 Initial balance: $10.00 Balance max: -" in page
    when = gift_card.balance_log[0]["datetime"]
    assert f"Balance log: when change by {when} -$10.00 #{order.number}" in page
    assert f"Orders holding it: #{order.number} holds $10.00" in page
    order_page = text_of(staff_client.get(admin_url(order)))
    assert f"Gift card: {gift_card.code} (pays $10.00)" in order_page
    assert "Gift card amount: -$10.00" in order_page


def test_the_buttons_run_the_triggers(staff_client):
    gift_card = card(status="draft")
    page = staff_client.post(admin_url(gift_card, "trigger", "activate"), follow=True)
    assert messages_of(page) == ["Activate: 1 done."]
    assert balance(gift_card) == (5000, "active")
    page = staff_client.post(admin_url(gift_card, "trigger", "purchase"), follow=True)
    assert messages_of(page) == [
        f"{gift_card}: Purchase refused — status - cannot transition from active to inactive"
    ]
    assert balance(gift_card) == (5000, "active")


def test_the_balance_change_form_calls_the_service(staff_client):
    gift_card = card(balance_cents=5000)
    url = admin_url(gift_card, "balance_change")
    page = staff_client.post(url, {"balance_change_cents": "-1250"}, follow=True)
    assert messages_of(page) == ["Balance change: 1 done."]
    assert balance(gift_card) == (3750, "active")
    assert gift_card.balance_log[0]["balance_change_cents"] == -1250
    assert "-$12.50 operator" in text_of(page)
    page = staff_client.post(url, {"balance_change_cents": "-9999"}, follow=True)
    assert messages_of(page) == [
        f"{gift_card}: Balance change refused — _balance_change_cents - can't take more than "
        "the balance, $37.50"
    ]
    page = staff_client.post(url, {"balance_change_cents": "ten"}, follow=True)
    assert messages_of(page) == ["Balance change: give a whole number of cents."]
    assert balance(gift_card) == (3750, "active")
    assert staff_client.get(url).status_code == 405


def test_a_new_card_is_made_by_the_service(staff_client, market):
    add = reverse("admin:orders_giftcard_add")
    page = staff_client.post(
        add,
        {"currency_code": "", "balance_cents": "4000", "market": market.pk, "metadata": "{}"},
        follow=True,
    )
    assert page.status_code == 200
    made = GiftCard.objects.get()
    assert str(uuid.UUID(made.code)) == made.code
    assert (made.status, made.currency_code, made.initial_balance_cents) == ("draft", "USD", 4000)
    refused = staff_client.post(
        add,
        {"currency_code": "EUR", "balance_cents": "100", "market": market.pk, "metadata": "{}"},
    )
    assert refused.status_code == 200  # the form again, with the API's reason
    assert refused.context["adminform"].form.errors == {
        "currency_code": ["must be the market's currency, USD"]
    }
    assert GiftCard.objects.count() == 1


def test_a_change_is_checked_as_over_the_api(staff_client):
    gift_card = card(balance_cents=5000)
    form = {"currency_code": "USD", "balance_max_cents": "4000", "metadata": "{}"}
    refused = staff_client.post(admin_url(gift_card), form)
    assert refused.context["adminform"].form.errors == {
        "balance_max_cents": ["must be greater than or equal to the balance, 5000"]
    }
    changed = staff_client.post(
        admin_url(gift_card), {**form, "balance_max_cents": "8000", "single_use": "on"}
    )
    assert changed.status_code == 302
    gift_card.refresh_from_db()
    assert (gift_card.balance_max_cents, gift_card.single_use, gift_card.balance_cents) == (
        8000,
        True,
        5000,
    )


def test_recipients_list_their_cards(staff_client):
    recipient = f.GiftCardRecipientFactory(email="grace@example.com")
    card(gift_card_recipient=recipient)
    card(gift_card_recipient=recipient)
    page = staff_client.get(admin_url(GiftCardRecipient, "changelist"))
    assert "grace@example.com" in text_of(page)
    assert "?q=grace%40example.com" in page.content.decode()
    assert staff_client.get(admin_url(recipient)).status_code == 200
    found = staff_client.get(admin_url(GiftCard, "changelist"), {"q": "grace@example.com"})
    assert found.context["cl"].result_count == 2
