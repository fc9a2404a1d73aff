"""The webhooks and event_callbacks resources: integration only, validated, SSRF-guarded."""

import pytest

from commerce.webhooks.models import EventCallback, Webhook
from tests.webhooks.conftest import PUBLIC_IP

pytestmark = pytest.mark.django_db


def webhook_attributes(**overrides):
    return {
        "name": "Placed orders to the ERP",
        "topic": "stock_items.update",
        "callback_url": "https://hooks.example.com/commerce",
        "include_resources": ["sku", "stock_location"],
        **overrides,
    }


def test_integration_creates_a_webhook_and_reads_its_shared_secret(integration, dns):
    dns["hooks.example.com"] = PUBLIC_IP
    response = integration.create("webhooks", webhook_attributes())
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    attributes = data["attributes"]
    assert attributes["topic"] == "stock_items.update"
    assert attributes["include_resources"] == ["sku", "stock_location"]
    assert attributes["circuit_state"] == "closed"
    assert attributes["circuit_failure_count"] == 0
    assert attributes["disabled_at"] is None
    webhook = Webhook.objects.get(public_id=data["id"])
    assert attributes["shared_secret"] == webhook.shared_secret
    assert len(webhook.shared_secret) == 64
    assert "last_event_callbacks" in data["relationships"]

    fetched = integration.get(f"/api/webhooks/{data['id']}").json()["data"]
    assert fetched["attributes"]["shared_secret"] == webhook.shared_secret


def test_shared_secret_and_circuit_are_read_only(integration, dns):
    dns["hooks.example.com"] = PUBLIC_IP
    for name, value in (("shared_secret", "mine"), ("circuit_state", "open")):
        response = integration.create("webhooks", webhook_attributes(**{name: value}))
        assert response.status_code == 400, name
        assert response.json()["errors"][0]["source"]["pointer"] == f"/data/attributes/{name}"
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"topic": "nothing.here"}, "/data/attributes/topic"),
        ({"topic": "orders place"}, "/data/attributes/topic"),
        ({"include_resources": ["warehouse"]}, "/data/attributes/include_resources"),
        ({"include_resources": "sku"}, "/data/attributes/include_resources"),
        ({"include_resources": [1]}, "/data/attributes/include_resources"),
        ({"callback_url": "not a url"}, "/data/attributes/callback_url"),
        ({"callback_url": None}, "/data/attributes/callback_url"),
    ],
)
def test_bad_attributes_are_422_on_their_pointer(integration, dns, attributes, pointer):
    dns["hooks.example.com"] = PUBLIC_IP
    response = integration.create("webhooks", webhook_attributes(**attributes))
    assert response.status_code == 422, response.content
    assert pointer in [e["source"]["pointer"] for e in response.json()["errors"]]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://10.0.0.8/hooks",
        "http://192.168.1.20:8080/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://internal.example.com/hooks",  # a name that resolves to loopback
        "http://2130706433/hooks",  # 127.0.0.1 as one number
        "ftp://hooks.example.com/commerce",
        "file:///etc/passwd",
    ],
)
def test_ssrf_targets_are_refused_at_create(integration, dns, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    dns["internal.example.com"] = "127.0.0.1"
    dns["2130706433"] = "127.0.0.1"
    response = integration.create("webhooks", webhook_attributes(callback_url=url))
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/callback_url"
    assert not Webhook.objects.exists()


def test_localhost_is_refused_and_allowed_only_by_the_setting(integration, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = integration.create("webhooks", webhook_attributes(callback_url="http://localhost/"))
    assert response.status_code == 422
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    response = integration.create("webhooks", webhook_attributes(callback_url="http://localhost/"))
    assert response.status_code == 201


def test_ssrf_target_is_refused_on_update(integration, dns, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    dns["hooks.example.com"] = PUBLIC_IP
    webhook_id = integration.create("webhooks", webhook_attributes()).json()["data"]["id"]
    response = integration.update(
        "webhooks", webhook_id, {"callback_url": "http://169.254.169.254/"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/callback_url"
    assert Webhook.objects.get().callback_url == "https://hooks.example.com/commerce"


def test_disable_enable_and_reset_circuit_triggers(integration, dns):
    dns["hooks.example.com"] = PUBLIC_IP
    webhook_id = integration.create("webhooks", webhook_attributes()).json()["data"]["id"]
    disabled = integration.update("webhooks", webhook_id, {"_disable": True})
    assert disabled.json()["data"]["attributes"]["disabled_at"] is not None
    enabled = integration.update("webhooks", webhook_id, {"_enable": True})
    assert enabled.json()["data"]["attributes"]["disabled_at"] is None

    Webhook.objects.filter(public_id=webhook_id).update(
        circuit_state="open", circuit_failure_count=7
    )
    reset = integration.update("webhooks", webhook_id, {"_reset_circuit": True})
    assert reset.status_code == 200
    attributes = reset.json()["data"]["attributes"]
    assert (attributes["circuit_state"], attributes["circuit_failure_count"]) == ("closed", 0)

    on_create = integration.create("webhooks", webhook_attributes(_reset_circuit=True))
    assert on_create.status_code == 400


def test_webhooks_and_event_callbacks_are_integration_only(
    integration, sales_channel, anonymous, dns
):
    dns["hooks.example.com"] = PUBLIC_IP
    webhook_id = integration.create("webhooks", webhook_attributes()).json()["data"]["id"]
    for path in ("/api/webhooks", f"/api/webhooks/{webhook_id}", "/api/event_callbacks"):
        assert sales_channel.get(path).status_code == 401, path
        assert anonymous.get(path).status_code == 401, path
    assert sales_channel.create("webhooks", webhook_attributes()).status_code == 401
    assert sales_channel.update("webhooks", webhook_id, {"name": "x"}).status_code == 401
    assert sales_channel.delete(f"/api/webhooks/{webhook_id}").status_code == 401
    assert Webhook.objects.count() == 1


def test_event_callbacks_are_read_only_and_linked_to_their_webhook(integration, dns):
    dns["hooks.example.com"] = PUBLIC_IP
    webhook_id = integration.create("webhooks", webhook_attributes()).json()["data"]["id"]
    webhook = Webhook.objects.get(public_id=webhook_id)
    callback = EventCallback.objects.create(
        webhook=webhook,
        callback_url=webhook.callback_url,
        payload={"data": {"id": "abc", "type": "stock_items"}},
        response_code="500",
        response_message="Internal Server Error",
    )
    listed = integration.get("/api/event_callbacks?include=webhook").json()
    assert [d["id"] for d in listed["data"]] == [callback.public_id]
    attributes = listed["data"][0]["attributes"]
    assert attributes["response_code"] == "500"
    assert attributes["payload"] == {"data": {"id": "abc", "type": "stock_items"}}
    assert listed["included"][0]["id"] == webhook_id

    related = integration.get(f"/api/webhooks/{webhook_id}/last_event_callbacks").json()
    assert [d["id"] for d in related["data"]] == [callback.public_id]

    body = {"data": {"type": "event_callbacks", "attributes": {"callback_url": "x"}}}
    assert integration.post("/api/event_callbacks", body).status_code == 405
    assert integration.delete(f"/api/event_callbacks/{callback.public_id}").status_code == 405
