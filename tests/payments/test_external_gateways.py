"""External gateways (payments.md "External gateways"), against a loopback receiver standing
in for the merchant's service: signed JSON:API payloads with the order, the amount asked and
our idempotency key; CL's answer shape; a refusal recorded and answered 422; no answer counted
by the circuit breaker, which opens at the threshold and fails at once until reset."""

import pytest

from markets.models import PaymentGateway
from orders.models import Transaction
from tests import factories as f
from tests.conftest import rel
from tests.payments.external_receiver import Receiver
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on loopback
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 1
    settings.EXTERNAL_GATEWAY_CIRCUIT_THRESHOLD = 2
    service = Receiver()
    yield service
    service.stop()


def create_gateway(api, receiver, **attributes):
    urls = {
        f"{op}_url": f"{receiver.url}/{op}" for op in ("authorize", "capture", "void", "refund")
    }
    return api.create("external_gateways", {"name": "PSP", **urls, **attributes})


@pytest.fixture
def gateway(integration, receiver):
    data = ok(create_gateway(integration, receiver), 201)
    receiver.secret = data["attributes"]["shared_secret"]
    return PaymentGateway.objects.get(public_id=data["id"])


@pytest.fixture
def cart(market, gateway, sales_channel):
    """A ready cart paying with an external payment (the PSP's token `psp_tok_1`)."""
    shop = build_shop(market, "EXT")
    cart = make_cart(shop)
    cart.payment_method = f.PaymentMethodFactory(
        market=market, payment_gateway=gateway, payment_source_type="external_payments"
    )
    cart.payment_source = None
    cart.save()
    ok(
        sales_channel.create(
            "external_payments",
            {"payment_source_token": "psp_tok_1"},
            {"order": rel("orders", cart.public_id)},
        ),
        201,
    )
    cart.refresh_from_db()
    return cart


def place(api, cart):
    return api.update("orders", cart.public_id, {"_place": True})


def test_a_gateway_gets_a_shared_secret_and_its_urls_are_checked(integration, receiver, settings):
    data = ok(create_gateway(integration, receiver), 201)
    assert len(data["attributes"]["shared_secret"]) >= 32
    assert data["attributes"]["circuit_state"] == "closed"
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    refused = create_gateway(integration, receiver)
    assert refused.status_code == 422, refused.json()
    pointers = {e["source"]["pointer"] for e in refused.json()["errors"]}
    assert "/data/attributes/authorize_url" in pointers
    unknown = create_gateway(integration, receiver, external_includes=["order.nothing_here"])
    assert unknown.status_code == 422


def test_place_authorizes_at_the_gateway_with_a_signed_payload(cart, sales_channel, receiver):
    placed = ok(place(sales_channel, cart))
    assert (placed["attributes"]["status"], placed["attributes"]["payment_status"]) == (
        "placed",
        "authorized",
    )
    (call,) = receiver.at("/authorize")
    assert call.signed
    source = cart.payment_source
    assert call.headers["Idempotency-Key"] == f"{source.public_id}-authorize-1"
    assert call.headers["Content-Type"] == "application/vnd.api+json"
    assert (call.body["data"]["type"], call.body["data"]["id"]) == (
        "external_payments",
        source.public_id,
    )
    assert call.body["data"]["attributes"]["payment_source_token"] == "psp_tok_1"
    assert call.body["meta"] == {
        "amount_cents": cart.total_amount_with_taxes_cents,
        "currency_code": "USD",
    }
    included = {(r["type"], r["id"]) for r in call.body["included"]}
    assert ("orders", cart.public_id) in included
    assert {"line_items", "skus", "markets", "addresses"} <= {kind for kind, _ in included}
    authorization = Transaction.objects.get(order=cart, kind="authorizations")
    assert authorization.gateway_transaction_id == authorization.token == "tx_1"
    assert authorization.metadata == {"psp": "ok"}


def test_capture_and_refund_go_to_their_urls(cart, sales_channel, integration, receiver):
    ok(place(sales_channel, cart))
    ok(integration.update("orders", cart.public_id, {"_capture": True}))
    (capture_call,) = receiver.at("/capture")
    authorization = Transaction.objects.get(order=cart, kind="authorizations")
    assert capture_call.signed
    assert capture_call.body["data"]["id"] == authorization.public_id
    assert ("orders", cart.public_id) in {
        (r["type"], r["id"]) for r in capture_call.body["included"]
    }
    assert capture_call.headers["Idempotency-Key"] == f"{authorization.public_id}-capture-1"
    ok(integration.update("orders", cart.public_id, {"_refund": True}))
    (refund_call,) = receiver.at("/refund")
    capture = Transaction.objects.get(order=cart, kind="captures")
    assert refund_call.body["data"]["id"] == capture.public_id
    cart.refresh_from_db()
    assert (cart.status, cart.payment_status) == ("cancelled", "refunded")


def test_a_decline_at_place_is_a_422_the_attempt_kept(cart, sales_channel, receiver, gateway):
    receiver.answer(
        "/authorize",
        200,
        {"success": False, "data": {"error": {"code": "card_declined", "message": "Declined"}}},
    )
    response = place(sales_channel, cart)
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/relationships/payment_source"
    assert error["detail"] == "payment_source - Declined"
    assert (error["meta"]["error"], error["meta"]["gateway_code"]) == (
        "gateway_error",
        "card_declined",
    )
    cart.refresh_from_db()
    assert (cart.status, cart.payment_status) == ("pending", "unpaid")
    failed = Transaction.objects.get(order=cart)
    assert (failed.kind, failed.succeeded, failed.error_code) == (
        "authorizations",
        False,
        "card_declined",
    )
    gateway.refresh_from_db()
    assert gateway.circuit_failure_count == 0  # a decline is an answer
    # The next try gets a new key: the refusal was an answer.
    ok(place(sales_channel, cart))
    keys = [c.headers["Idempotency-Key"] for c in receiver.at("/authorize")]
    source = cart.payment_source.public_id
    assert keys == [f"{source}-authorize-1", f"{source}-authorize-2"]


def test_no_answer_opens_the_circuit_at_the_threshold(
    cart, sales_channel, integration, receiver, gateway
):
    ok(place(sales_channel, cart))
    receiver.answer("/capture", 503, {"error": "busy"})
    receiver.answer("/capture", 200, {"success": True}, delay=2)  # past the 1 s timeout
    for reason in ("http 503", "timeout"):
        response = integration.update("orders", cart.public_id, {"_capture": True})
        assert response.status_code == 422, response.json()
        assert response.json()["errors"][0]["detail"] == f"_capture - Gateway unavailable: {reason}"
    gateway.refresh_from_db()
    assert (gateway.circuit_state, gateway.circuit_failure_count) == ("open", 2)

    calls = len(receiver.received)
    response = integration.update("orders", cart.public_id, {"_capture": True})
    assert response.json()["errors"][0]["meta"]["gateway_code"] == "circuit_open"
    assert len(receiver.received) == calls  # not even called
    # Unanswered attempts keep their key: the retry after the reset repeats it.
    ok(integration.update("external_gateways", gateway.public_id, {"_reset_circuit": True}))
    ok(integration.update("orders", cart.public_id, {"_capture": True}))
    authorization = Transaction.objects.get(order=cart, kind="authorizations", succeeded=True)
    keys = {c.headers["Idempotency-Key"] for c in receiver.at("/capture")}
    assert keys == {f"{authorization.public_id}-capture-1"}
    cart.refresh_from_db()
    assert cart.payment_status == "paid"


def test_an_operation_without_a_url_is_not_supported(cart, sales_channel, integration, gateway):
    gateway.void_url = ""
    gateway.save()
    ok(place(sales_channel, cart))
    response = integration.update("orders", cart.public_id, {"_cancel": True})
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["meta"]["gateway_code"] == "not_supported"


def test_a_long_refusal_from_the_psp_is_recorded_cut_to_size(cart, sales_channel, receiver):
    code, message = "x" * 300, "y" * 400
    receiver.answer("/authorize", 402, {"error": {"code": code, "message": message}})
    response = place(sales_channel, cart)
    assert response.status_code == 422, response.json()
    failed = Transaction.objects.get(order=cart)
    assert (len(failed.error_code), len(failed.message)) == (64, 255)
