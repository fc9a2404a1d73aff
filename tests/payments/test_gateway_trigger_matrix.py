"""Every order trigger from every order state (tests/orders/test_order_triggers.py's matrix)
with the order paid through Stripe (the fake) and through an external gateway (a loopback
receiver) instead of the manual gateway (issue 17 item 6): the same moves, transactions,
stock, shipments and events, where the gateway's own rule does not change them. Stripe
captures once and releases the rest, so after a partial capture nothing is left to capture
and a refund has no remainder to void. Each trigger's database work is undone afterwards, and
the fake Stripe's with it."""

import pytest
from django.db import transaction

from markets.models import ExternalGateway
from orders.models import Order
from tests import factories as f
from tests.conftest import rel
from tests.orders import test_order_triggers as matrix
from tests.payments.external_receiver import Receiver
from tests.shop import build_shop, ok
from tests.shop import make_cart as make_manual_cart

pytestmark = [pytest.mark.django_db]

# Where Stripe's partial capture (the rest released) changes the outcome.
STRIPE_ALLOWED = {
    ("placed_partially_paid", "_refund"): ("cancelled", "refunded", ["refunds"], matrix.REFUND),
    ("placed_partially_paid", "_cancel"): ("cancelled", "refunded", ["refunds"], matrix.CANCEL),
}
STRIPE_REFUSED = {("placed_partially_paid", "_capture"): "/data/attributes/_capture"}


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    service = Receiver()
    yield service
    service.stop()


@pytest.fixture(params=["stripe", "external"])
def gateway_kind(request, monkeypatch, market, integration, sales_channel):
    """The matrix's carts pay through this gateway: (kind, the fake Stripe or None)."""
    if request.param == "stripe":
        fake = request.getfixturevalue("fake_stripe")
        gateway = f.StripeGatewayFactory(login=fake.key)
        source_type = "stripe_payments"
        for key, expected in STRIPE_ALLOWED.items():
            monkeypatch.setitem(matrix.ALLOWED, key, expected)
        for key, pointer in STRIPE_REFUSED.items():
            monkeypatch.delitem(matrix.ALLOWED, key)
            monkeypatch.setitem(matrix.NOT_STATUS, key, pointer)
    else:
        fake = None
        receiver = request.getfixturevalue("receiver")
        urls = {
            f"{op}_url": f"{receiver.url}/{op}" for op in ("authorize", "capture", "void", "refund")
        }
        data = ok(integration.create("external_gateways", {"name": "PSP", **urls}), 201)
        receiver.secret = data["attributes"]["shared_secret"]
        gateway = ExternalGateway.objects.get(public_id=data["id"])
        source_type = "external_payments"
    method = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type=source_type
    )

    def make_cart(shop, lines=None, **kwargs):
        cart = make_manual_cart(shop, lines, **kwargs)
        if not kwargs.get("ready", True):
            return cart
        cart.payment_method = method
        cart.payment_source = None
        cart.save()
        if cart.total_amount_with_taxes_cents == 0:  # nothing to pay: no source needed
            return Order.objects.get(pk=cart.pk)
        attributes = {} if fake else {"payment_source_token": "psp_tok"}
        created = sales_channel.create(
            source_type, attributes, {"order": rel("orders", cart.public_id)}
        )
        payment = ok(created, 201)
        if fake is not None:
            fake.confirm(payment["attributes"]["stripe_id"])
        return Order.objects.get(pk=cart.pk)

    monkeypatch.setattr(matrix, "make_cart", make_cart)
    return request.param, fake


@pytest.mark.parametrize("state", matrix.STATES)
def test_every_order_trigger_from_every_state_through_the_gateway(
    integration, market, gateway_kind, state, subtests
):
    _, fake = gateway_kind
    shop = build_shop(market, "ORD", free=True)
    order = matrix.to_state(integration, shop, state)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == matrix.STATUS_OF[state]
    for trigger in matrix.TRIGGERS:
        with subtests.test(trigger=trigger):
            saved = fake.snapshot() if fake else None
            try:
                with transaction.atomic():
                    matrix.check_trigger(integration, order, state, trigger)
                    raise matrix._Undo
            except matrix._Undo:
                pass
            finally:
                if fake:
                    fake.restore(saved)
