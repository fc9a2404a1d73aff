import pytest

from tests.payments.fake_stripe import FakeStripe


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe on loopback that the app's Stripe calls go to (STRIPE_API_BASE)."""
    with FakeStripe() as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 2
        yield fake
