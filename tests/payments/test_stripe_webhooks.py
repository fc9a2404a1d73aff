"""Stripe's webhooks (payments.md "Webhooks"), signed as Stripe signs them by the fake:
`POST /webhook_callbacks/stripe_gateways/<id>` records what Stripe did (a capture, void or
refund made in Stripe's dashboard, an authorization before `_place`) as the difference from
what is recorded, so events delivered twice or out of order record each movement once; a
forged or stale signature is a 400, an unknown gateway a 404."""

import time

import pytest
import stripe

from orders.models import Order, StripeEvent, Transaction
from tests.payments.conftest import stripe_cart_with_payment
from tests.payments.test_stripe_money import transactions
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def stripe_client(fake_stripe):
    """Stripe's dashboard, as far as these tests go."""
    return stripe.StripeClient(fake_stripe.key, base_addresses={"api": fake_stripe.url})


def deliver(client, gateway, body: bytes, signature: str):
    return client.post(
        f"/webhook_callbacks/stripe_gateways/{gateway.public_id}",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def send(client, fake, gateway, event_type: str, object_id: str):
    body = fake.event(event_type, object_id)
    response = deliver(client, gateway, body, fake.sign(body, gateway.webhook_endpoint_secret))
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True}
    return body


def gateway_of(order):
    return order.payment_source.payment_gateway


def test_a_capture_made_at_stripe_is_recorded_once(placed, client, fake_stripe, stripe_client):
    order, _, intent_id = placed
    gateway = gateway_of(order)
    stripe_client.v1.payment_intents.capture(intent_id)
    body = send(client, fake_stripe, gateway, "payment_intent.succeeded", intent_id)
    total = order.total_amount_with_taxes_cents
    assert transactions(order)[1:] == [("captures", total, True, None)]
    order.refresh_from_db()
    assert order.payment_status == "paid"

    # Delivered again, and another event showing the same state: nothing more.
    signature = fake_stripe.sign(body, gateway.webhook_endpoint_secret)
    assert deliver(client, gateway, body, signature).status_code == 200
    send(client, fake_stripe, gateway, "payment_intent.succeeded", intent_id)
    assert transactions(order)[1:] == [("captures", total, True, None)]
    assert StripeEvent.objects.filter(gateway=gateway).count() == 2


def test_a_refund_arriving_before_its_capture_records_both(
    placed, client, fake_stripe, stripe_client
):
    order, _, intent_id = placed
    gateway = gateway_of(order)
    stripe_client.v1.payment_intents.capture(intent_id)
    stripe_client.v1.refunds.create(params={"payment_intent": intent_id})
    charge_id = fake_stripe.get(intent_id)["latest_charge"]
    send(client, fake_stripe, gateway, "charge.refunded", charge_id)  # before the capture's
    send(client, fake_stripe, gateway, "payment_intent.succeeded", intent_id)
    total = order.total_amount_with_taxes_cents
    assert transactions(order)[1:] == [
        ("captures", total, True, None),
        ("refunds", total, True, None),
    ]
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refunded")


def test_an_intent_canceled_at_stripe_is_a_void(placed, client, fake_stripe, stripe_client):
    order, _, intent_id = placed
    stripe_client.v1.payment_intents.cancel(intent_id)
    send(client, fake_stripe, gateway_of(order), "payment_intent.canceled", intent_id)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("placed", "voided")


def test_an_authorization_before_place_is_used_by_place(market, client, fake_stripe, sales_channel):
    cart, intent_id = stripe_cart_with_payment(market, fake_stripe, sales_channel)
    fake_stripe.confirm(intent_id)
    gateway = gateway_of(cart)
    send(client, fake_stripe, gateway, "payment_intent.amount_capturable_updated", intent_id)
    cart.refresh_from_db()
    assert (cart.status, cart.payment_status) == ("pending", "authorized")
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert placed["attributes"]["payment_status"] == "authorized"
    assert Transaction.objects.filter(order=cart, kind="authorizations").count() == 1


def test_forged_stale_and_unknown_are_refused(placed, client, fake_stripe, stripe_client):
    order, _, intent_id = placed
    gateway = gateway_of(order)
    stripe_client.v1.payment_intents.capture(intent_id)
    body = fake_stripe.event("payment_intent.succeeded", intent_id)
    forged = fake_stripe.sign(body, "whsec_someone_else")
    stale = fake_stripe.sign(body, gateway.webhook_endpoint_secret, int(time.time()) - 301)
    tampered = body.replace(b'"amount_received"', b'"amount_received_"')
    good = fake_stripe.sign(body, gateway.webhook_endpoint_secret)
    for data, signature in ((body, forged), (body, stale), (tampered, good), (body, "")):
        response = deliver(client, gateway, data, signature)
        assert response.status_code == 400, response.content
    unknown = client.post(
        "/webhook_callbacks/stripe_gateways/nosuchgate",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=good,
    )
    assert unknown.status_code == 404
    assert Order.objects.get(pk=order.pk).payment_status == "authorized"
    assert not StripeEvent.objects.exists()


def test_events_of_other_objects_are_acknowledged_and_ignored(
    placed, client, fake_stripe, stripe_client
):
    order, _, intent_id = placed
    gateway = gateway_of(order)
    stripe_client.v1.payment_intents.capture(intent_id)
    refund = stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 100})
    send(client, fake_stripe, gateway, "charge.refund.updated", refund.id)  # a refund object
    assert transactions(order) == transactions(order)[:1]  # the authorization only
    assert StripeEvent.objects.filter(type="charge.refund.updated").count() == 1
