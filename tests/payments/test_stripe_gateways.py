"""Stripe gateways (payments.md "Stripe"), against the fake Stripe: created with their webhook
endpoint registered at Stripe, keys write-only, a refused key a 422 with nothing saved, Stripe
unreachable no obstacle to saving (`_check` registers later), and payment methods of the type
the gateway takes."""

import pytest

from markets.models import PaymentGateway
from tests import factories as f
from tests.conftest import rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

EVENTS = [
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.canceled",
    "charge.refunded",
]


def create(api, fake, **attributes):
    body = {"name": "Stripe", "login": fake.key, "publishable_key": "pk_test_123", **attributes}
    return api.create("stripe_gateways", body)


def test_a_gateway_is_created_with_its_webhook_endpoint_registered(integration, fake_stripe):
    response = create(integration, fake_stripe)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    attributes = data["attributes"]
    url = f"http://127.0.0.1:8000/webhook_callbacks/stripe_gateways/{data['id']}"
    assert attributes["webhook_endpoint_url"] == url
    assert attributes["webhook_endpoint_id"].startswith("we_")
    assert attributes["webhook_endpoint_secret"].startswith("whsec_")
    assert attributes["credential_keys"] == {"login": "********" + fake_stripe.key[-4:]}
    # Write-only: the keys are nowhere in the answer.
    assert "login" not in attributes and "publishable_key" not in attributes
    assert fake_stripe.key not in response.content.decode()

    (call,) = fake_stripe.calls("webhook_endpoints.create")
    assert call.params["url"] == url
    assert call.params["enabled_events"] == EVENTS
    assert (
        fake_stripe.webhook_secret(attributes["webhook_endpoint_id"])
        == (attributes["webhook_endpoint_secret"])
    )


def test_a_connected_account_is_sent_as_stripe_account(integration, fake_stripe):
    response = create(integration, fake_stripe, connected_account="acct_123")
    assert response.status_code == 201, response.json()
    (call,) = fake_stripe.calls("webhook_endpoints.create")
    assert call.headers.get("Stripe-Account") == "acct_123"


def test_a_key_stripe_refuses_is_a_422_on_login_and_nothing_is_saved(integration, fake_stripe):
    response = create(integration, fake_stripe, login="sk_test_unknown0000")
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/login"
    assert "sk_test_unknown0000" not in response.content.decode()  # Stripe masks it
    assert not PaymentGateway.objects.filter(kind="stripe_gateways").exists()


def test_a_login_that_is_no_secret_key_is_a_422(integration, fake_stripe):
    response = create(integration, fake_stripe, login="pk_test_public")
    assert response.status_code == 422, response.json()
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/data/attributes/login"]
    assert fake_stripe.requests == []


def test_stripe_unavailable_saves_the_gateway_and_check_registers_later(integration, fake_stripe):
    fake_stripe.fail_next("webhook_endpoints.create", "500")
    response = create(integration, fake_stripe)
    assert response.status_code == 201, response.json()
    gateway_id = response.json()["data"]["id"]
    attributes = response.json()["data"]["attributes"]
    assert (attributes["webhook_endpoint_id"], attributes["webhook_endpoint_secret"]) == (
        None,
        None,
    )

    checked = integration.update("stripe_gateways", gateway_id, {"_check": True})
    assert checked.status_code == 200, checked.json()
    assert checked.json()["data"]["attributes"]["webhook_endpoint_id"].startswith("we_")
    assert len(fake_stripe.calls("balance.retrieve")) == 1
    # Checked again: the key still works, nothing registered twice.
    again = integration.update("stripe_gateways", gateway_id, {"_check": True})
    assert again.status_code == 200, again.json()
    assert len(fake_stripe.calls("webhook_endpoints.create")) == 2  # the 500, then this one


def test_check_says_when_stripe_does_not_answer(integration, fake_stripe):
    gateway_id = create(integration, fake_stripe).json()["data"]["id"]
    fake_stripe.fail_next("balance.retrieve", "500")
    response = integration.update("stripe_gateways", gateway_id, {"_check": True})
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/_check"
    assert error["detail"] == "_check - Gateway unavailable: http 500"


def test_the_keys_can_not_be_changed(integration, fake_stripe):
    gateway_id = create(integration, fake_stripe).json()["data"]["id"]
    response = integration.update("stripe_gateways", gateway_id, {"login": "sk_test_other"})
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"


def test_only_an_integration_reaches_stripe_gateways(sales_channel, integration, fake_stripe):
    gateway_id = create(integration, fake_stripe).json()["data"]["id"]
    assert sales_channel.get(f"/api/stripe_gateways/{gateway_id}").status_code == 401
    assert sales_channel.get("/api/stripe_gateways").status_code == 401


@pytest.mark.parametrize(
    ("gateway", "source_type", "status"),
    [
        ("stripe_gateways", "stripe_payments", 201),
        ("stripe_gateways", "wire_transfers", 422),
        ("manual_gateways", "stripe_payments", 422),
        ("manual_gateways", "wire_transfers", 201),
    ],
)
def test_a_method_is_of_the_source_type_its_gateway_takes(
    integration, fake_stripe, market, gateway, source_type, status
):
    if gateway == "stripe_gateways":
        gateway_id = create(integration, fake_stripe).json()["data"]["id"]
    else:
        gateway_id = f.ManualGatewayFactory().public_id
    response = integration.create(
        "payment_methods",
        {"payment_source_type": source_type},
        {"payment_gateway": rel(gateway, gateway_id), "market": rel("markets", market.public_id)},
    )
    assert response.status_code == status, response.json()
    if status == 422:
        assert [e["source"]["pointer"] for e in response.json()["errors"]] == [
            "/data/attributes/payment_source_type"
        ]


def test_a_gateway_with_payment_methods_can_not_be_deleted(integration, fake_stripe, market):
    gateway_id = create(integration, fake_stripe).json()["data"]["id"]
    method = integration.create(
        "payment_methods",
        {"payment_source_type": "stripe_payments"},
        {"payment_gateway": rel("stripe_gateways", gateway_id)},
    )
    assert method.status_code == 201, method.json()
    assert integration.delete(f"/api/stripe_gateways/{gateway_id}").status_code == 423
    assert PaymentGateway.objects.filter(public_id=gateway_id).exists()
