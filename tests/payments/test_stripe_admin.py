"""The admin and Stripe (issue 17 item 7): a transaction's page shows its gateway outcome and
its buttons capture, void, refund or forward through the API's services; a refusal is the
gateway's message on the page, the failed transaction kept; a Stripe payment's page refreshes
it from Stripe."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import Transaction

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def press(admin_client, obj, name):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_trigger", args=[obj.pk, name])
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_operator_captures_through_stripe(placed, admin_client, fake_stripe):
    order, authorization, intent_id = placed
    page = admin_client.get(reverse("admin:orders_transaction_change", args=[authorization.pk]))
    assert b"Capture" in page.content and b"Void" in page.content
    messages = press(admin_client, authorization, "capture")
    assert messages == ["Capture: 1 done."]
    assert fake_stripe.get(intent_id)["status"] == "succeeded"
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_a_refusal_shows_the_gateways_message_and_keeps_the_failed_call(
    placed, admin_client, fake_stripe
):
    order, authorization, _ = placed
    fake_stripe.fail_next("payment_intents.capture", "decline")
    (message,) = press(admin_client, authorization, "capture")
    failed = Transaction.objects.get(order=order, kind="captures")
    assert (failed.succeeded, failed.error_code) == (False, "card_declined")
    assert message == f"{authorization}: Capture refused — _capture - {failed.message}"
    listing = admin_client.get(reverse("admin:orders_transaction_changelist"))
    assert b"card_declined" in listing.content
    order.refresh_from_db()
    assert order.payment_status == "authorized"


def test_a_trigger_of_another_kind_is_refused(placed, admin_client, fake_stripe):
    order, authorization, _ = placed
    (message,) = press(admin_client, authorization, "refund")
    assert "is not a trigger of authorizations" in message
    assert fake_stripe.calls("refunds.create") == []


def test_an_operator_refreshes_a_stripe_payment(placed, admin_client, fake_stripe):
    order, _, intent_id = placed
    messages = press(admin_client, order.payment_source, "refresh")
    assert messages == ["Refresh from Stripe: 1 done."]
    order.payment_source.refresh_from_db()
    assert order.payment_source.card["last4"] == "4242"
