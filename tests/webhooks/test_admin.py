"""Admin: webhooks with circuit state and their latest callbacks; "reset circuit" sends what
waited."""

import pytest
from django.urls import reverse

from commerce.webhooks.admin import RECENT_CALLBACKS
from commerce.webhooks.models import Delivery, EventCallback, Webhook
from tests import factories as f
from tests.webhooks.conftest import PUBLIC_IP, committed, drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create(username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def callback(webhook, code, message):
    return EventCallback.objects.create(
        webhook=webhook,
        callback_url=webhook.callback_url,
        response_code=code,
        response_message=message,
    )


def test_changelist_shows_circuit_state_and_change_page_the_latest_callbacks(admin_client, dns):
    dns["erp.example.com"] = PUBLIC_IP
    webhook = Webhook.objects.create(
        topic="orders.place", callback_url="https://erp.example.com/hooks", circuit_state="open"
    )
    callback(webhook, "500", "oldest callback")
    for i in range(RECENT_CALLBACKS):
        callback(webhook, "503", f"recent callback {i}")

    changelist = admin_client.get(reverse("admin:webhooks_webhook_changelist"))
    assert changelist.status_code == 200
    assert b"erp.example.com" in changelist.content and b">open<" in changelist.content

    change = admin_client.get(reverse("admin:webhooks_webhook_change", args=[webhook.pk]))
    page = change.content.decode()
    assert change.status_code == 200
    assert f"recent callback {RECENT_CALLBACKS - 1}" in page
    assert "oldest callback" not in page
    assert webhook.shared_secret in page

    # Saving the webhook with its (read-only, sliced) inline goes through.
    data = {
        "name": "ERP",
        "topic": "orders.place",
        "callback_url": "https://erp.example.com/v2",
        "include_resources": "null",
        "metadata": "{}",
    }
    formset = change.context["inline_admin_formsets"][0].formset
    data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
    for i, form in enumerate(formset.forms):
        data[f"{formset.prefix}-{i}-id"] = form.instance.pk
        data[f"{formset.prefix}-{i}-webhook"] = webhook.pk
    url = reverse("admin:webhooks_webhook_change", args=[webhook.pk])
    refused = admin_client.post(url, {**data, "callback_url": "http://169.254.169.254/"})
    assert refused.status_code == 200
    assert "callback_url" in refused.context["adminform"].form.errors
    saved = admin_client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    webhook.refresh_from_db()
    assert (webhook.name, webhook.callback_url) == ("ERP", "https://erp.example.com/v2")

    for name in ("eventcallback", "delivery"):
        assert admin_client.get(reverse(f"admin:webhooks_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:webhooks_{name}_add")).status_code == 403


@pytest.mark.usefixtures("fast_webhooks")
def test_reset_circuit_action_closes_it_and_sends_what_waited(admin_client, receiver):
    from inventory.services import update_stock_item

    webhook = Webhook.objects.create(
        topic="stock_items.update",
        callback_url=receiver.url,
        circuit_state="open",
        circuit_failure_count=30,
    )
    with committed():
        update_stock_item(f.StockItemFactory(), {"quantity": 5})
    drain()
    assert receiver.requests == []

    with committed():
        response = admin_client.post(
            reverse("admin:webhooks_webhook_changelist"),
            {"action": "reset_circuit", "_selected_action": [webhook.pk]},
        )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.circuit_state, webhook.circuit_failure_count) == ("closed", 0)
    drain()
    assert len(receiver.processed) == 1
    assert Delivery.objects.get().status == Delivery.DELIVERED
