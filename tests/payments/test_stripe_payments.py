"""Stripe payments (payments.md "Stripe"), against the fake Stripe: a storefront creates a
stripe_payments for its cart (a manual-capture PaymentIntent, its client_secret handed back),
Stripe.js confirms it (the fake's `confirm`), and `_place` records the authorization only for
an intent in `requires_capture` for the order's amount; `mismatched_amounts`, `_update` and
`_refresh` keep the intent and the cart in step."""

import pytest

from orders.models import Order, PaymentSource, Transaction
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def stripe_shop(market, fake_stripe):
    shop = build_shop(market, "STR")
    gateway = f.StripeGatewayFactory(login=fake_stripe.key, publishable_key="pk_test_shop")
    shop["gateway"] = gateway
    shop["stripe_method"] = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type="stripe_payments"
    )
    return shop


def stripe_cart(shop) -> Order:
    """A ready cart paying with Stripe, no payment source yet."""
    cart = make_cart(shop)
    cart.payment_method = shop["stripe_method"]
    cart.payment_source = None
    cart.save()
    return cart


def pay(api, cart, **attributes):
    return api.create("stripe_payments", attributes, {"order": rel("orders", cart.public_id)})


def place(api, cart):
    return api.update("orders", cart.public_id, {"_place": True})


def test_a_payment_creates_a_manual_capture_intent_for_the_order(
    stripe_shop, sales_channel, fake_stripe
):
    cart = stripe_cart(stripe_shop)
    payment = ok(pay(sales_channel, cart, receipt_email="ada@example.com"), 201)
    attributes = payment["attributes"]
    intent = fake_stripe.get(attributes["stripe_id"])
    assert attributes["client_secret"] == intent["client_secret"]
    assert attributes["publishable_key"] == "pk_test_shop"
    assert attributes["mismatched_amounts"] is False
    assert (intent["amount"], intent["currency"], intent["capture_method"]) == (
        cart.total_amount_with_taxes_cents,
        "usd",
        "manual",
    )
    assert intent["metadata"] == {
        "order_number": str(cart.number),
        "order_id": cart.public_id,
        "stripe_payment_id": payment["id"],
    }
    assert intent["payment_method_types"] == ["card"]
    assert intent["receipt_email"] == "ada@example.com"
    (call,) = fake_stripe.calls("payment_intents.create")
    assert call.headers["Idempotency-Key"] == f"{payment['id']}-create-1"
    cart.refresh_from_db()
    assert cart.payment_source.public_id == payment["id"]


def test_an_auto_payments_gateway_lets_stripe_choose_the_methods(
    stripe_shop, sales_channel, fake_stripe
):
    stripe_shop["gateway"].auto_payments = True
    stripe_shop["gateway"].save()
    payment = ok(pay(sales_channel, stripe_cart(stripe_shop)), 201)
    intent = fake_stripe.get(payment["attributes"]["stripe_id"])
    assert intent["automatic_payment_methods"]["enabled"] is True
    assert "payment_method_types" not in fake_stripe.calls("payment_intents.create")[0].params


def test_place_waits_for_the_confirmation_then_records_the_authorization(
    stripe_shop, sales_channel, fake_stripe
):
    cart = stripe_cart(stripe_shop)
    intent_id = ok(pay(sales_channel, cart), 201)["attributes"]["stripe_id"]

    refused = place(sales_channel, cart)
    assert refused.status_code == 422, refused.json()
    (error,) = refused.json()["errors"]
    assert error["source"]["pointer"] == "/data/relationships/payment_source"
    assert error["detail"] == (
        "payment_source - the payment intent is requires_payment_method: confirm it before placing"
    )
    assert error["meta"]["error"] == "not_authorized"
    cart.refresh_from_db()
    assert (cart.status, cart.payment_status) == ("pending", "unpaid")
    assert not Transaction.objects.filter(order=cart).exists()

    fake_stripe.confirm(intent_id, card="visa")  # what Stripe.js does in the browser
    placed = ok(place(sales_channel, cart))
    assert (placed["attributes"]["status"], placed["attributes"]["payment_status"]) == (
        "placed",
        "authorized",
    )
    (authorization,) = Transaction.objects.filter(order=cart)
    assert (authorization.kind, authorization.amount_cents) == (
        "authorizations",
        cart.total_amount_with_taxes_cents,
    )
    assert authorization.token == authorization.gateway_transaction_id == intent_id


def test_a_cart_changed_after_the_payment_needs_an_update(stripe_shop, sales_channel, fake_stripe):
    cart = stripe_cart(stripe_shop)
    payment = ok(pay(sales_channel, cart), 201)
    ok(
        sales_channel.create(
            "line_items",
            {"sku_code": stripe_shop["sku"].code, "quantity": 1},
            {"order": rel("orders", cart.public_id)},
        ),
        201,
    )
    cart.refresh_from_db()
    shown = ok(sales_channel.get(f"/api/stripe_payments/{payment['id']}"))
    assert shown["attributes"]["mismatched_amounts"] is True

    fake_stripe.confirm(payment["attributes"]["stripe_id"])
    refused = place(sales_channel, cart)
    assert refused.status_code == 422, refused.json()
    assert refused.json()["errors"][0]["meta"]["error"] == "mismatched_amounts"

    # Confirmed for the old amount, the intent can't be updated: a new payment it is.
    stale = sales_channel.update("stripe_payments", payment["id"], {"_update": True})
    assert stale.status_code == 422, stale.json()
    assert stale.json()["errors"][0]["source"]["pointer"] == "/data/attributes/_update"

    fresh = ok(pay(sales_channel, cart), 201)
    fake_stripe.confirm(fresh["attributes"]["stripe_id"])
    assert ok(place(sales_channel, cart))["attributes"]["status"] == "placed"


def test_update_sets_the_intent_to_the_orders_amount(stripe_shop, sales_channel, fake_stripe):
    cart = stripe_cart(stripe_shop)
    payment = ok(pay(sales_channel, cart), 201)
    cart.authorization_amount_cents = 1234
    cart.save()
    shown = ok(sales_channel.get(f"/api/stripe_payments/{payment['id']}"))
    assert shown["attributes"]["mismatched_amounts"] is True
    updated = ok(sales_channel.update("stripe_payments", payment["id"], {"_update": True}))
    assert updated["attributes"]["mismatched_amounts"] is False
    assert fake_stripe.get(payment["attributes"]["stripe_id"])["amount"] == 1234


def test_refresh_reads_the_card_and_the_charge(stripe_shop, sales_channel, fake_stripe):
    cart = stripe_cart(stripe_shop)
    payment = ok(pay(sales_channel, cart), 201)
    fake_stripe.confirm(payment["attributes"]["stripe_id"], card="visa")
    refreshed = ok(sales_channel.update("stripe_payments", payment["id"], {"_refresh": True}))
    attributes = refreshed["attributes"]
    assert attributes["payment_instrument"]["issuer_type"] == "card"
    assert (
        attributes["payment_instrument"]["brand"],
        attributes["payment_instrument"]["last4"],
    ) == (
        "visa",
        "4242",
    )
    assert attributes["payment_method"]["id"].startswith("pm_")
    assert attributes["charge_id"].startswith("ch_")


@pytest.mark.parametrize(
    ("mode", "error"), [("decline", "gateway_error"), ("500", "gateway_unavailable")]
)
def test_stripe_refusing_or_failing_the_create_saves_nothing(
    stripe_shop, sales_channel, fake_stripe, mode, error
):
    cart = stripe_cart(stripe_shop)
    fake_stripe.fail_next("payment_intents.create", mode)
    response = pay(sales_channel, cart)
    assert response.status_code == 422, response.json()
    (problem,) = response.json()["errors"]
    assert problem["source"]["pointer"] == "/data/relationships/order"
    assert problem["meta"]["error"] == error
    assert not PaymentSource.objects.filter(kind="stripe_payments").exists()
    cart.refresh_from_db()
    assert cart.payment_source_id is None


def test_a_given_intent_is_adopted_not_created(stripe_shop, sales_channel, fake_stripe):
    import stripe

    client = stripe.StripeClient(fake_stripe.key, base_addresses={"api": fake_stripe.url})
    cart = stripe_cart(stripe_shop)
    intent = client.v1.payment_intents.create(
        params={
            "amount": cart.total_amount_with_taxes_cents,
            "currency": "usd",
            "capture_method": "manual",
        }
    )
    before = len(fake_stripe.calls("payment_intents.create"))
    payment = ok(
        pay(sales_channel, cart, stripe_id=intent.id, client_secret=intent.client_secret), 201
    )
    assert payment["attributes"]["stripe_id"] == intent.id
    assert len(fake_stripe.calls("payment_intents.create")) == before


def test_an_order_paying_by_wire_transfer_takes_no_stripe_payment(stripe_shop, sales_channel):
    cart = make_cart(stripe_shop)  # its method takes wire transfers
    response = pay(sales_channel, cart)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["detail"] == (
        "order - pays by wire_transfers, not stripe_payments"
    )


def test_a_new_payment_cancels_the_intent_it_replaces(
    stripe_shop, sales_channel, fake_stripe, django_capture_on_commit_callbacks
):
    cart = stripe_cart(stripe_shop)
    first = ok(pay(sales_channel, cart), 201)
    with django_capture_on_commit_callbacks(execute=True):  # as a committed request runs them
        second = ok(pay(sales_channel, cart), 201)
    assert fake_stripe.get(first["attributes"]["stripe_id"])["status"] == "canceled"
    assert fake_stripe.get(second["attributes"]["stripe_id"])["status"] == (
        "requires_payment_method"
    )
    cart.refresh_from_db()
    assert cart.payment_source.public_id == second["id"]


def test_place_says_when_stripe_does_not_answer_and_records_nothing(
    stripe_shop, sales_channel, fake_stripe
):
    cart = stripe_cart(stripe_shop)
    payment = ok(pay(sales_channel, cart), 201)
    fake_stripe.confirm(payment["attributes"]["stripe_id"])
    fake_stripe.fail_next("payment_intents.retrieve", "500")
    response = place(sales_channel, cart)
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert (error["source"]["pointer"], error["meta"]["error"]) == (
        "/data/relationships/payment_source",
        "gateway_unavailable",
    )
    assert not Transaction.objects.filter(order=cart).exists()
    assert ok(place(sales_channel, cart))["attributes"]["payment_status"] == "authorized"


def test_options_must_be_an_object(stripe_shop, sales_channel, fake_stripe):
    response = pay(sales_channel, stripe_cart(stripe_shop), options="customer=cus_1")
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert (error["source"]["pointer"], error["detail"]) == (
        "/data/attributes/options",
        "options - must be an object",
    )
    assert fake_stripe.calls("payment_intents.create") == []
