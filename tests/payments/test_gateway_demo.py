"""`seed_demo` and the gateways that call out (payments.md "Settings and demo data"): a "Stripe"
gateway and a card method in usa and eu only when DEMO_STRIPE_SECRET_KEY and
DEMO_STRIPE_PUBLISHABLE_KEY are set, created as the API creates one (its webhook endpoint
registered); an "External" gateway and method only when DEMO_EXTERNAL_GATEWAY_URL is; both
idempotent by name."""

import pytest

from demo.data import seed_demo
from markets.models import PaymentGateway, PaymentMethod

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_no_keys_no_stripe(fake_stripe, monkeypatch):
    monkeypatch.delenv("DEMO_STRIPE_SECRET_KEY", raising=False)
    monkeypatch.delenv("DEMO_STRIPE_PUBLISHABLE_KEY", raising=False)
    seed_demo()
    assert not PaymentGateway.objects.filter(kind="stripe_gateways").exists()
    assert fake_stripe.requests == []


def test_with_keys_a_gateway_and_a_method_per_market_once(fake_stripe, monkeypatch):
    monkeypatch.setenv("DEMO_STRIPE_SECRET_KEY", fake_stripe.key)
    monkeypatch.setenv("DEMO_STRIPE_PUBLISHABLE_KEY", "pk_test_demo")
    seed_demo()
    seed_demo()
    (gateway,) = PaymentGateway.objects.filter(kind="stripe_gateways")
    assert (gateway.name, gateway.publishable_key) == ("Stripe", "pk_test_demo")
    assert gateway.webhook_endpoint_id.startswith("we_")
    assert len(fake_stripe.calls("webhook_endpoints.create")) == 1
    methods = PaymentMethod.objects.filter(payment_gateway=gateway).order_by("market__code")
    assert [(m.market.code, m.payment_source_type) for m in methods] == [
        ("eu", "stripe_payments"),
        ("usa", "stripe_payments"),
    ]


def test_an_external_gateway_only_with_its_url(monkeypatch):
    monkeypatch.delenv("DEMO_EXTERNAL_GATEWAY_URL", raising=False)
    seed_demo()
    assert not PaymentGateway.objects.filter(kind="external_gateways").exists()
    monkeypatch.setenv("DEMO_EXTERNAL_GATEWAY_URL", "https://psp.example.com/cl/")
    seed_demo()
    seed_demo()
    (gateway,) = PaymentGateway.objects.filter(kind="external_gateways")
    assert (gateway.name, gateway.authorize_url, gateway.token_url) == (
        "External",
        "https://psp.example.com/cl/authorize",
        "https://psp.example.com/cl/token",
    )
    methods = PaymentMethod.objects.filter(payment_gateway=gateway)
    assert sorted(m.market.code for m in methods) == ["eu", "usa"]
    assert {m.payment_source_type for m in methods} == {"external_payments"}
