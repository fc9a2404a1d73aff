import pytest

from orders.models import Transaction
from tests import factories as f
from tests.conftest import rel
from tests.payments.fake_stripe import FakeStripe
from tests.shop import build_shop, make_cart, ok


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe on loopback that the app's Stripe calls go to (STRIPE_API_BASE)."""
    with FakeStripe() as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 2
        yield fake


def stripe_cart_with_payment(market, fake_stripe, sales_channel):
    """A ready cart paying with a fresh Stripe gateway, and the stripe_payments made for it:
    (the cart, its intent id), not yet confirmed."""
    shop = build_shop(market, "MNY")
    gateway = f.StripeGatewayFactory(login=fake_stripe.key)
    cart = make_cart(shop)
    cart.payment_method = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type="stripe_payments"
    )
    cart.payment_source = None
    cart.save()
    payment = ok(
        sales_channel.create("stripe_payments", {}, {"order": rel("orders", cart.public_id)}),
        201,
    )
    cart.refresh_from_db()
    return cart, payment["attributes"]["stripe_id"]


@pytest.fixture
def placed(market, fake_stripe, sales_channel):
    """An order placed with a confirmed PaymentIntent: (order, its authorization, the intent
    id)."""
    cart, intent_id = stripe_cart_with_payment(market, fake_stripe, sales_channel)
    fake_stripe.confirm(intent_id)
    ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    cart.refresh_from_db()
    return cart, Transaction.objects.get(order=cart, kind="authorizations"), intent_id
