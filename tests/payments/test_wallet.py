"""Customers' wallets (payments.md "Customer payment sources"): a signed-in customer saves the
payment source of an order (`_save_payment_source_to_customer_wallet`) and pays a later order
with it (`_customer_payment_source_id`); only its owner sees or uses it. Against the fake Stripe
(the card saved to the customer's Stripe Customer) and a loopback external gateway (its
`token_url`)."""

import pytest

from markets.models import PaymentGateway
from orders.models import CustomerPaymentSource, Order, Transaction
from tests import factories as f
from tests.admin.conftest import admin_url, logged_in
from tests.conftest import assert_unauthorized, rel
from tests.payments.external_receiver import Receiver
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

SAVE = "_save_payment_source_to_customer_wallet"
USE = "_customer_payment_source_id"


@pytest.fixture
def shop(market, fake_stripe):
    shop = build_shop(market, "WAL")
    gateway = f.StripeGatewayFactory(login=fake_stripe.key)
    shop["stripe_method"] = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type="stripe_payments", name="Card"
    )
    return shop


@pytest.fixture
def ada(market, customer_token):
    return customer_token(market, "ada@example.com")


def customer(email):
    return Order._meta.get_field("customer").related_model.objects.get(email=email)


def cart_of(shop, email, method) -> Order:
    cart = make_cart(shop, customer=customer(email))
    cart.payment_method = method
    cart.payment_source = None
    cart.save()
    return cart


def pay_with_stripe(api, cart, **options):
    return api.create("stripe_payments", {"options": options} if options else {}, order_rel(cart))


def order_rel(cart):
    return {"order": rel("orders", cart.public_id)}


def errors_of(response, status=422):
    assert response.status_code == status, response.json()
    return response.json()["errors"]


def place_saving_a_card(shop, ada, fake_stripe) -> Order:
    cart = cart_of(shop, "ada@example.com", shop["stripe_method"])
    payment = ok(pay_with_stripe(ada, cart, setup_future_usage="off_session"), 201)
    ok(ada.update("orders", cart.public_id, {SAVE: True}))
    fake_stripe.confirm(payment["attributes"]["stripe_id"], card="mastercard")
    ok(ada.update("orders", cart.public_id, {"_place": True}))
    cart.refresh_from_db()
    return cart


def test_a_card_saved_at_place_pays_the_next_order(shop, ada, fake_stripe):
    first = place_saving_a_card(shop, ada, fake_stripe)
    (entry,) = CustomerPaymentSource.objects.all()
    intent = fake_stripe.get(first.payment_source.stripe_id)
    (stripe_customer,) = fake_stripe.all("customer")
    assert stripe_customer["email"] == "ada@example.com"
    assert intent["customer"] == stripe_customer["id"]
    assert (entry.customer_token, entry.payment_source_token) == (
        stripe_customer["id"],
        intent["payment_method"],
    )
    assert entry.name == "XXXX-XXXX-XXXX-4444"  # the mastercard's last four
    assert entry.customer.email == "ada@example.com"
    first.refresh_from_db()
    assert first.save_source_to_wallet is False

    # The next cart: the entry is offered, and pays it without Stripe.js.
    second = cart_of(shop, "ada@example.com", None)
    document = ada.get(
        f"/api/orders/{second.public_id}?include=available_customer_payment_sources,customer"
    ).json()
    offered = document["data"]["relationships"]["available_customer_payment_sources"]["data"]
    assert offered == [{"type": "customer_payment_sources", "id": entry.public_id}]
    included = {r["type"]: r["attributes"] for r in document["included"]}
    assert included["customer_payment_sources"]["name"] == "XXXX-XXXX-XXXX-4444"
    assert included["customers"]["total_orders_count"] == 1  # the same customer row, whole
    ok(ada.update("orders", second.public_id, {USE: entry.public_id}))
    second.refresh_from_db()
    assert second.payment_method == shop["stripe_method"]
    source = second.payment_source
    assert (source.kind, source.wallet) == ("stripe_payments", entry)
    intent = fake_stripe.get(source.stripe_id)
    assert (intent["status"], intent["customer"], intent["payment_method"]) == (
        "requires_capture",
        entry.customer_token,
        entry.payment_source_token,
    )
    assert intent["amount"] == second.total_amount_with_taxes_cents
    placed = ok(ada.update("orders", second.public_id, {"_place": True}))
    assert placed["attributes"]["payment_status"] == "authorized"
    assert len(fake_stripe.all("customer")) == 1  # one Stripe Customer per customer and gateway


def test_the_same_card_saved_twice_is_one_entry(shop, ada, fake_stripe):
    first = place_saving_a_card(shop, ada, fake_stripe)
    ok(ada.update("orders", first.public_id, {SAVE: True}))  # on the placed order: at once
    assert CustomerPaymentSource.objects.count() == 1


def test_only_its_owner_sees_or_uses_an_entry(
    shop, ada, fake_stripe, market, customer_token, sales_channel, integration
):
    place_saving_a_card(shop, ada, fake_stripe)
    (entry,) = CustomerPaymentSource.objects.all()
    bob = customer_token(market, "bob@example.com")
    bobs_cart = cart_of(shop, "bob@example.com", shop["stripe_method"])

    assert [e["id"] for e in ok(ada.get("/api/customer_payment_sources"))] == [entry.public_id]
    assert ok(bob.get("/api/customer_payment_sources")) == []
    assert bob.get(f"/api/customer_payment_sources/{entry.public_id}").status_code == 404
    assert bob.delete(f"/api/customer_payment_sources/{entry.public_id}").status_code == 404
    assert_unauthorized(sales_channel.get("/api/customer_payment_sources"))
    assert ok(integration.get(f"/api/customer_payment_sources/{entry.public_id}"))

    # Another's entry and an id that does not exist are the same 422; nothing changes.
    for value in (entry.public_id, "nOtAnId"):
        (error,) = errors_of(bob.update("orders", bobs_cart.public_id, {USE: value}))
        assert error["source"]["pointer"] == f"/data/attributes/{USE}"
    bobs_cart.refresh_from_db()
    assert bobs_cart.payment_source is None
    offered = bob.get(f"/api/orders/{bobs_cart.public_id}/available_customer_payment_sources")
    assert ok(offered) == []

    # The owner forgets it: gone here, not at Stripe.
    assert ada.delete(f"/api/customer_payment_sources/{entry.public_id}").status_code == 204
    assert not CustomerPaymentSource.objects.exists()
    assert fake_stripe.get(entry.payment_source_token)["customer"] == entry.customer_token


def test_an_entry_of_a_method_the_order_cannot_use_is_not_offered(shop, ada, fake_stripe):
    place_saving_a_card(shop, ada, fake_stripe)
    (entry,) = CustomerPaymentSource.objects.all()
    method = shop["stripe_method"]
    method.currency_code = "EUR"  # the market sells in USD
    method.save()
    cart = cart_of(shop, "ada@example.com", None)
    assert ok(ada.get(f"/api/orders/{cart.public_id}/available_customer_payment_sources")) == []
    errors_of(ada.update("orders", cart.public_id, {USE: entry.public_id}))


def test_what_cannot_be_saved_is_a_422(shop, ada, fake_stripe, sales_channel):
    # A Stripe payment not made to be saved: Stripe would not keep the card.
    cart = cart_of(shop, "ada@example.com", shop["stripe_method"])
    ok(pay_with_stripe(ada, cart), 201)
    (error,) = errors_of(ada.update("orders", cart.public_id, {SAVE: True}))
    assert error["source"]["pointer"] == f"/data/attributes/{SAVE}"
    assert "setup_future_usage" in error["detail"]
    # A guest's order has no wallet.
    guest = make_cart(shop)
    errors_of(sales_channel.update("orders", guest.public_id, {SAVE: True}))
    # Wire transfers are not saved.
    wire = make_cart(shop, customer=customer("ada@example.com"))
    errors_of(ada.update("orders", wire.public_id, {SAVE: True}))
    assert not CustomerPaymentSource.objects.exists()
    assert not Order.objects.filter(save_source_to_wallet=True).exists()


def test_a_declined_saved_card_is_a_422_and_changes_nothing(shop, ada, fake_stripe):
    place_saving_a_card(shop, ada, fake_stripe)
    (entry,) = CustomerPaymentSource.objects.all()
    cart = cart_of(shop, "ada@example.com", shop["stripe_method"])
    fake_stripe.fail_next("payment_intents.create", "decline")
    (error,) = errors_of(ada.update("orders", cart.public_id, {USE: entry.public_id}))
    assert error["meta"]["error"] == "gateway_error"
    cart.refresh_from_db()
    assert cart.payment_source is None


def test_a_customer_creates_an_entry_of_its_own_only(shop, ada, fake_stripe, integration):
    method = shop["stripe_method"]
    me = customer("ada@example.com")
    other = f.CustomerFactory()
    relationships = {
        "customer": rel("customers", me.public_id),
        "payment_method": rel("payment_methods", method.public_id),
    }
    made = ok(
        ada.create(
            "customer_payment_sources",
            {"customer_token": "cus_1", "payment_source_token": "pm_1"},
            relationships,
        ),
        201,
    )
    assert made["attributes"]["name"] == method.name
    (error,) = errors_of(
        ada.create(
            "customer_payment_sources",
            {"payment_source_token": "pm_2"},
            {**relationships, "customer": rel("customers", other.public_id)},
        )
    )
    assert error["source"]["pointer"] == "/data/relationships/customer"
    # The same token again is refused, not a second row.
    twin = ada.create(
        "customer_payment_sources",
        {"customer_token": "cus_1", "payment_source_token": "pm_1"},
        relationships,
    )
    assert twin.status_code == 422, twin.json()
    assert CustomerPaymentSource.objects.count() == 1
    # Only integration tokens change an entry.
    assert_unauthorized(
        ada.update("customer_payment_sources", made["id"], {"payment_source_token": "pm_3"})
    )
    ok(integration.update("customer_payment_sources", made["id"], {"customer_token": "cus_2"}))


# --- external gateways -------------------------------------------------------------------


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on loopback
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 1
    service = Receiver()
    yield service
    service.stop()


def external_method(integration, receiver, market, *, token_url=True):
    ops = ("authorize", "capture", "void", "refund", *(("token",) if token_url else ()))
    data = ok(
        integration.create(
            "external_gateways",
            {"name": "PSP", **{f"{op}_url": f"{receiver.url}/{op}" for op in ops}},
        ),
        201,
    )
    receiver.secret = data["attributes"]["shared_secret"]
    return f.PaymentMethodFactory(
        market=market,
        payment_gateway=PaymentGateway.objects.get(public_id=data["id"]),
        payment_source_type="external_payments",
        name="PSP card",
    )


def place_external(api, cart, token="psp_tok_1", *, save=True):
    ok(api.create("external_payments", {"payment_source_token": token}, order_rel(cart)), 201)
    if save:
        ok(api.update("orders", cart.public_id, {SAVE: True}))
    return ok(api.update("orders", cart.public_id, {"_place": True}))


def test_an_external_payment_is_saved_with_the_gateways_tokens(
    shop, ada, integration, receiver, market
):
    method = external_method(integration, receiver, market)
    receiver.answer(
        "/token",
        body={
            "success": True,
            "data": {"customer_token": "psp_cus_9", "payment_source_token": "psp_saved_9"},
        },
    )
    first = cart_of(shop, "ada@example.com", method)
    place_external(ada, first)
    first.refresh_from_db()
    (call,) = receiver.at("/token")
    assert call.signed
    assert call.body["data"]["type"] == "external_payments"
    assert call.headers["Idempotency-Key"] == f"{first.payment_source.public_id}-token-1"
    (entry,) = CustomerPaymentSource.objects.all()
    assert (entry.customer_token, entry.payment_source_token, entry.name) == (
        "psp_cus_9",
        "psp_saved_9",
        "PSP card",
    )

    second = cart_of(shop, "ada@example.com", method)
    ok(ada.update("orders", second.public_id, {USE: entry.public_id}))
    second.refresh_from_db()
    source = second.payment_source
    assert (source.kind, source.payment_source_token, source.wallet) == (
        "external_payments",
        "psp_saved_9",
        entry,
    )
    payment = ok(ada.get(f"/api/external_payments/{source.public_id}?include=wallet"))
    assert payment["relationships"]["wallet"]["data"]["id"] == entry.public_id
    ok(ada.update("orders", second.public_id, {"_place": True}))
    authorize = receiver.at("/authorize")[-1]
    assert authorize.body["data"]["attributes"]["payment_source_token"] == "psp_saved_9"


def test_without_a_token_url_the_payments_own_token_is_saved(
    shop, ada, integration, receiver, market
):
    method = external_method(integration, receiver, market, token_url=False)
    place_external(ada, cart_of(shop, "ada@example.com", method), token="psp_tok_7")
    (entry,) = CustomerPaymentSource.objects.all()
    assert (entry.customer_token, entry.payment_source_token) == (None, "psp_tok_7")


def test_a_token_call_refused_at_place_keeps_the_order_placed(
    shop, ada, integration, receiver, market
):
    """The money is authorized: a failed save does not undo `_place`; sent again on the placed
    order, the trigger says what went wrong, and then saves."""
    method = external_method(integration, receiver, market)
    receiver.answer("/token", 422, {"success": False, "error": {"code": "no", "message": "No"}})
    cart = cart_of(shop, "ada@example.com", method)
    placed = place_external(ada, cart)
    assert placed["attributes"]["status"] == "placed"
    assert not CustomerPaymentSource.objects.exists()
    cart.refresh_from_db()
    assert cart.save_source_to_wallet is True
    receiver.answer("/token", 422, {"success": False, "error": {"code": "no", "message": "No"}})
    (error,) = errors_of(ada.update("orders", cart.public_id, {SAVE: True}))
    assert error["meta"]["error"] == "gateway_error"
    assert error["detail"].endswith("No")
    ok(ada.update("orders", cart.public_id, {SAVE: True}))  # answered by default this time
    assert CustomerPaymentSource.objects.count() == 1
    assert Transaction.objects.filter(order=cart, succeeded=False).count() == 0


def test_an_operator_sees_a_customers_saved_sources(shop, ada, fake_stripe, django_user_model):
    place_saving_a_card(shop, ada, fake_stripe)
    (entry,) = CustomerPaymentSource.objects.all()
    staff = logged_in(
        django_user_model.objects.create(username="operator", is_staff=True, is_superuser=True)
    )
    page = staff.get(admin_url(entry.customer)).content.decode()
    assert "XXXX-XXXX-XXXX-4444" in page
    assert entry.payment_source_token in page
