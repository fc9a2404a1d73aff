"""Payment options (payments.md): gateway-specific data of an order's payment, reached through
the order; a Stripe option's data goes into the PaymentIntent under the order's own
parameters, an external gateway is sent the order's options in `included`; written only while
the order is a cart. And the payment method's `auto_capture`: `_place` captures too, up to
`auto_capture_max_amount_cents`."""

import pytest

from orders.models import PaymentOption, Transaction
from tests import factories as f
from tests.conftest import rel
from tests.payments.external_receiver import Receiver
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def shop(market, fake_stripe):
    shop = build_shop(market, "OPT")
    gateway = f.StripeGatewayFactory(login=fake_stripe.key)
    shop["stripe_method"] = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type="stripe_payments"
    )
    return shop


def stripe_cart(shop):
    cart = make_cart(shop)
    cart.payment_method = shop["stripe_method"]
    cart.payment_source = None
    cart.save()
    return cart


def option(api, cart, data, kind="stripe_payments", **attributes):
    return api.create(
        "payment_options",
        {"payment_source_type": kind, "data": data, **attributes},
        {"order": rel("orders", cart.public_id)},
    )


def test_a_stripe_options_data_goes_into_the_payment_intent(shop, sales_channel, fake_stripe):
    cart = stripe_cart(shop)
    ok(
        option(
            sales_channel,
            cart,
            {"description": "A gift", "metadata": {"gift": "yes"}},
            name="gift",
        ),
        201,
    )
    # Another gateway's option is not Stripe's business.
    ok(option(sales_channel, cart, {"description": "nope"}, kind="external_payments"), 201)
    payment = ok(
        sales_channel.create("stripe_payments", {}, {"order": rel("orders", cart.public_id)}),
        201,
    )
    intent = fake_stripe.get(payment["attributes"]["stripe_id"])
    assert intent["description"] == "A gift"
    assert intent["metadata"] == {
        "gift": "yes",
        "order_number": str(cart.number),
        "order_id": cart.public_id,
        "stripe_payment_id": payment["id"],
    }
    assert (intent["amount"], intent["capture_method"]) == (
        cart.total_amount_with_taxes_cents,
        "manual",
    )


def test_an_option_may_not_set_the_orders_own_parameters(shop, sales_channel):
    cart = stripe_cart(shop)
    for data in ({"amount": 1}, {"capture_method": "automatic"}, {"metadata": "x"}):
        response = option(sales_channel, cart, data)
        assert response.status_code == 422, response.json()
        (error,) = response.json()["errors"]
        assert error["source"]["pointer"] == "/data/attributes/data"
    response = option(sales_channel, cart, "not an object")
    assert response.status_code == 422, response.json()
    assert not PaymentOption.objects.exists()


def test_options_follow_their_orders_reach_and_freeze_once_placed(
    shop, sales_channel, other_sales_channel, integration
):
    cart = make_cart(shop)
    made = ok(option(sales_channel, cart, {"a": 1}), 201)
    assert ok(sales_channel.get(f"/api/payment_options/{made['id']}"))["attributes"]["data"] == {
        "a": 1
    }
    assert other_sales_channel.get(f"/api/payment_options/{made['id']}").status_code == 404
    listed = ok(sales_channel.get(f"/api/orders/{cart.public_id}/payment_options"))
    assert [o["id"] for o in listed] == [made["id"]]
    ok(sales_channel.update("payment_options", made["id"], {"data": {"a": 2}}))
    ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    refused = sales_channel.update("payment_options", made["id"], {"data": {"a": 3}})
    assert refused.status_code == 422, refused.json()
    assert sales_channel.delete(f"/api/payment_options/{made['id']}").status_code == 422
    assert option(sales_channel, cart, {"b": 1}).status_code == 422
    assert PaymentOption.objects.get().data == {"a": 2}


def test_an_external_gateway_is_sent_the_orders_options(
    market, integration, sales_channel, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    receiver = Receiver()
    try:
        urls = {f"{op}_url": f"{receiver.url}/{op}" for op in ("authorize", "capture")}
        data = ok(integration.create("external_gateways", {"name": "PSP", **urls}), 201)
        receiver.secret = data["attributes"]["shared_secret"]
        shop = build_shop(market, "OPX")
        cart = make_cart(shop)
        cart.payment_method = f.PaymentMethodFactory(
            market=market,
            payment_gateway_id=f.ExternalGatewayFactory._meta.model.objects.get(
                public_id=data["id"]
            ).pk,
            payment_source_type="external_payments",
        )
        cart.payment_source = None
        cart.save()
        made = ok(option(sales_channel, cart, {"session": "s_1"}, kind="external_payments"), 201)
        ok(
            sales_channel.create(
                "external_payments",
                {"payment_source_token": "tok"},
                {"order": rel("orders", cart.public_id)},
            ),
            201,
        )
        ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
        (call,) = receiver.at("/authorize")
        sent = [r for r in call.body["included"] if r["type"] == "payment_options"]
        assert [(r["id"], r["attributes"]["data"]) for r in sent] == [
            (made["id"], {"session": "s_1"})
        ]
    finally:
        receiver.stop()


# --- auto_capture ---------------------------------------------------------------------------


def captured(order):
    return [
        (t.amount_cents, t.succeeded)
        for t in Transaction.objects.filter(order=order, kind="captures")
    ]


@pytest.mark.parametrize(
    "limit, expected_status", [(None, "paid"), (10**9, "paid"), (1, "authorized")]
)
def test_auto_capture_captures_at_place_up_to_its_limit(
    market, sales_channel, limit, expected_status
):
    shop = build_shop(market, "AUT")
    method = shop["payment_method"]
    method.auto_capture, method.auto_capture_max_amount_cents = True, limit
    method.save()
    cart = make_cart(shop)
    placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
    assert (placed["attributes"]["status"], placed["attributes"]["payment_status"]) == (
        "placed",
        expected_status,
    )
    total = cart.total_amount_with_taxes_cents
    assert captured(cart) == ([(total, True)] if expected_status == "paid" else [])


def test_auto_capture_through_stripe_and_a_refused_one_keeps_the_order_placed(
    shop, sales_channel, fake_stripe
):
    method = shop["stripe_method"]
    method.auto_capture = True
    method.save()
    carts = []
    for refuse in (False, True):
        cart = stripe_cart(shop)
        payment = ok(
            sales_channel.create("stripe_payments", {}, {"order": rel("orders", cart.public_id)}),
            201,
        )
        intent_id = payment["attributes"]["stripe_id"]
        fake_stripe.confirm(intent_id)
        if refuse:
            fake_stripe.fail_next("payment_intents.capture", "decline")
        placed = ok(sales_channel.update("orders", cart.public_id, {"_place": True}))
        carts.append((cart, placed["attributes"], fake_stripe.get(intent_id)))
    (paid, paid_attributes, paid_intent), (held, held_attributes, held_intent) = carts
    total = paid.total_amount_with_taxes_cents
    assert paid_attributes["payment_status"] == "paid"
    assert (paid_intent["status"], paid_intent["amount_received"]) == ("succeeded", total)
    assert captured(paid) == [(total, True)]
    # The capture refused: placed and authorized, the failed capture on record.
    assert (held_attributes["status"], held_attributes["payment_status"]) == (
        "placed",
        "authorized",
    )
    assert held_intent["status"] == "requires_capture"
    assert captured(held) == [(held.total_amount_with_taxes_cents, False)]
