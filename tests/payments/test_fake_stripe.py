"""The Stripe fake (fake_stripe.py) driven by the official `stripe` library, as the card gateway
will drive it: authorisation, capture, refunds, cancel, declines, customers and saved cards,
idempotent replays, injected failures, webhook endpoints and signed events. No database."""

import json
import time
import urllib.error
import urllib.request

import pytest
import requests
import stripe

from tests.payments.fake_stripe import FakeStripe, parse_form

pytestmark = pytest.mark.sqlite


@pytest.fixture
def fake():
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def connect(fake):
    """`connect(timeout=, retries=, key=)`: a StripeClient on the fake, as the gateway builds
    one; each on its own requests session (no proxy from the environment), closed after."""
    sessions = []

    def make(*, timeout=5.0, retries=0, key=None):
        session = requests.Session()
        session.trust_env = False
        sessions.append(session)
        return stripe.StripeClient(
            key or fake.key,
            base_addresses={"api": fake.url},
            max_network_retries=retries,
            http_client=stripe.RequestsClient(timeout=timeout, session=session),
        )

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def client(connect):
    return connect()


def authorised(client, fake, amount=1000, **params):
    """A manual-capture intent the shopper's browser confirmed with a Visa card."""
    intent = client.v1.payment_intents.create(
        params={"amount": amount, "currency": "usd", "capture_method": "manual", **params}
    )
    fake.confirm(intent.id, card="visa")
    return intent


# --- the payment's life -----------------------------------------------------------------------


def test_authorise_capture_part_and_refund_in_two_steps(client, fake):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "USD",
            "capture_method": "manual",
            "metadata": {"order_id": "ord_1"},
            "payment_method_types": ["card"],
            "receipt_email": "ada@example.com",
        }
    )
    assert intent.id.startswith("pi_")
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.status, intent.amount, intent.currency) == (
        "requires_payment_method",
        1000,
        "usd",
    )
    assert intent.metadata["order_id"] == "ord_1"
    assert intent.payment_method_types == ["card"]
    assert intent.livemode is False and intent.latest_charge is None

    confirmed = fake.confirm(intent.id, card="visa")
    assert confirmed["status"] == "requires_capture"

    intent = client.v1.payment_intents.retrieve(intent.id)
    assert (intent.status, intent.amount_capturable, intent.amount_received) == (
        "requires_capture",
        1000,
        0,
    )
    assert intent.latest_charge.startswith("ch_") and intent.payment_method.startswith("pm_")
    method = client.v1.payment_methods.retrieve(intent.payment_method)
    assert (method.card.brand, method.card.last4, method.card.exp_month) == ("visa", "4242", 12)
    assert method.card.exp_year > time.gmtime().tm_year
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.payment_intent) == (False, 0, intent.id)
    assert charge.payment_method_details.card.last4 == "4242"

    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 700})
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        700,
        0,
    )

    first = client.v1.refunds.create(
        params={"payment_intent": intent.id, "amount": 200, "metadata": {"return": "r1"}}
    )
    assert first.id.startswith("re_")
    assert (first.status, first.amount, first.charge, first.payment_intent) == (
        "succeeded",
        200,
        charge.id,
        intent.id,
    )
    assert first.metadata["return"] == "r1"
    charge = client.v1.charges.retrieve(charge.id)
    assert (charge.amount_captured, charge.amount_refunded, charge.refunded) == (700, 200, False)

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 501})
    assert (too_much.value.http_status, too_much.value.code) == (400, "amount_too_large")

    rest = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert rest.amount == 500
    charge = client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (700, True)

    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    assert [refund["amount"] for refund in fake.all("refund")] == [200, 500]


def test_confirm_through_the_api_with_a_test_token_captures_at_once(client, fake):
    intent = client.v1.payment_intents.create(params={"amount": 2500, "currency": "eur"})
    assert intent.capture_method == "automatic_async"
    assert intent.automatic_payment_methods.enabled is True

    confirmed = client.v1.payment_intents.confirm(
        intent.id,
        params={"payment_method": "pm_card_mastercard", "expand": ["latest_charge"]},
    )
    assert (confirmed.status, confirmed.amount_received) == ("succeeded", 2500)
    assert confirmed.latest_charge.captured is True
    assert confirmed.latest_charge.payment_method_details.card.brand == "mastercard"
    assert client.v1.balance.retrieve().available[0].amount == 2500


def test_create_and_confirm_in_one_call(client):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 900,
            "currency": "usd",
            "capture_method": "manual",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert (intent.status, intent.amount_capturable) == ("requires_capture", 900)


def test_cancel_releases_the_authorisation_and_ends_the_intent(client, fake):
    intent = authorised(client, fake)

    canceled = client.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert (canceled.status, canceled.amount_capturable) == ("canceled", 0)
    assert canceled.cancellation_reason == "requested_by_customer" and canceled.canceled_at

    for attempt in (client.v1.payment_intents.capture, client.v1.payment_intents.cancel):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            attempt(intent.id)
        assert refused.value.code == "payment_intent_unexpected_state"

    unpaid = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    assert client.v1.payment_intents.cancel(unpaid.id).status == "canceled"


def test_a_captured_intent_cannot_be_canceled_nor_captured_again(client, fake):
    intent = authorised(client, fake)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1001})
    assert too_much.value.code == "amount_too_large"
    client.v1.payment_intents.capture(intent.id)

    with pytest.raises(stripe.InvalidRequestError) as cancel:
        client.v1.payment_intents.cancel(intent.id)
    assert cancel.value.code == "payment_intent_unexpected_state"
    with pytest.raises(stripe.InvalidRequestError) as capture:
        client.v1.payment_intents.capture(intent.id)
    assert capture.value.code == "payment_intent_unexpected_state"
    assert client.v1.payment_intents.retrieve(intent.id).amount_received == 1000


def test_capture_before_the_card_is_confirmed_is_refused(client):
    intent = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd", "capture_method": "manual"}
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.capture(intent.id)
    assert (refused.value.http_status, refused.value.code) == (
        400,
        "payment_intent_unexpected_state",
    )


def test_a_declined_card_leaves_the_intent_awaiting_another(client, fake):
    intent = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "capture_method": "manual"}
    )
    after = fake.confirm(intent.id, card="declined")
    assert after["status"] == "requires_payment_method"
    assert after["last_payment_error"]["code"] == "card_declined"
    assert after["last_payment_error"]["decline_code"] == "generic_decline"

    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.confirm(
            intent.id, params={"payment_method": "pm_card_chargeDeclinedInsufficientFunds"}
        )
    assert (declined.value.http_status, declined.value.code) == (402, "card_declined")
    assert declined.value.error.decline_code == "insufficient_funds"
    assert declined.value.error.payment_intent.status == "requires_payment_method"
    retrieved = client.v1.payment_intents.retrieve(intent.id)
    assert retrieved.last_payment_error.decline_code == "insufficient_funds"
    assert retrieved.payment_method is None
    assert client.v1.charges.retrieve(retrieved.latest_charge).status == "failed"

    assert fake.confirm(intent.id, card="visa")["status"] == "requires_capture"
    assert client.v1.payment_intents.retrieve(intent.id).last_payment_error is None


def test_amount_can_change_until_authorised_but_not_after(client, fake):
    intent = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "capture_method": "manual"}
    )
    updated = client.v1.payment_intents.update(
        intent.id, params={"amount": 1200, "metadata": {"order_id": "o1"}}
    )
    assert (updated.amount, updated.metadata["order_id"]) == (1200, "o1")
    fake.confirm(intent.id)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.update(intent.id, params={"amount": 1500})
    assert (refused.value.http_status, refused.value.code) == (
        400,
        "payment_intent_unexpected_state",
    )
    assert client.v1.payment_intents.retrieve(intent.id).amount == 1200
    # Metadata stays writable, as on Stripe; a blank value removes a key.
    kept = client.v1.payment_intents.update(
        intent.id, params={"metadata": {"order_id": "", "note": "n"}}
    )
    assert kept.metadata.to_dict() == {"note": "n"}


def test_unknown_ids_and_parameters_are_invalid_requests(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.retrieve("pi_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    assert "pi_nope" in missing.value.user_message

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd", "captur_method": "manual"}
        )
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "captur_method")

    with pytest.raises(stripe.InvalidRequestError) as no_amount:
        client.v1.payment_intents.create(params={"currency": "usd"})
    assert (no_amount.value.code, no_amount.value.param) == ("parameter_missing", "amount")


def test_objects_belong_to_the_stripe_account_they_were_made_under(client, fake):
    intent = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd"}, options={"stripe_account": "acct_shop1"}
    )
    (logged,) = fake.calls("payment_intents.create")
    assert logged.headers["Stripe-Account"] == "acct_shop1"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve(intent.id)
    same = client.v1.payment_intents.retrieve(intent.id, options={"stripe_account": "acct_shop1"})
    assert same.id == intent.id


# --- customers and saved cards ----------------------------------------------------------------


REUSED = "The provided PaymentMethod was previously used with a PaymentIntent without Customer"


def saved_card(client, fake, usage="off_session"):
    """A customer, and the Visa card an authorised intent saved for them."""
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    intent = authorised(client, fake, customer=customer.id, setup_future_usage=usage)
    return customer, client.v1.payment_intents.retrieve(intent.id).payment_method


def test_a_customer_is_created_retrieved_and_replayed(client, fake):
    params = {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "description": "shop user 7",
        "metadata": {"user_id": "7"},
    }
    options = {"idempotency_key": "user-7-customer"}
    customer = client.v1.customers.create(params=params, options=options)
    assert customer.id.startswith("cus_") and customer.object == "customer"
    assert (customer.email, customer.name, customer.description) == (
        "ada@example.com",
        "Ada Lovelace",
        "shop user 7",
    )
    assert customer.metadata.to_dict() == {"user_id": "7"}
    assert customer.livemode is False and customer.created
    assert customer.invoice_settings.default_payment_method is None
    assert "deleted" not in customer

    retrieved = client.v1.customers.retrieve(customer.id)
    assert retrieved.to_dict() == customer.to_dict()
    again = client.v1.customers.create(params=params, options=options)
    assert again.id == customer.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(fake.all("customer")) == 1

    with pytest.raises(stripe.InvalidRequestError) as elsewhere:
        client.v1.customers.retrieve(customer.id, options={"stripe_account": "acct_shop1"})
    assert (elsewhere.value.http_status, elsewhere.value.code) == (404, "resource_missing")


def test_an_intent_for_an_unknown_customer_is_refused(client, fake):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd", "customer": "cus_nope"}
        )
    assert (refused.value.http_status, refused.value.code, refused.value.param) == (
        400,
        "resource_missing",
        "customer",
    )
    assert refused.value.user_message == "No such customer: 'cus_nope'"
    assert fake.all("payment_intent") == []

    intent = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as on_update:
        client.v1.payment_intents.update(intent.id, params={"customer": "cus_nope"})
    assert (on_update.value.code, on_update.value.param) == ("resource_missing", "customer")
    assert client.v1.payment_intents.retrieve(intent.id).customer is None


def test_setup_future_usage_attaches_the_card_to_the_customer(client, fake):
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "capture_method": "manual",
            "customer": customer.id,
            "setup_future_usage": "off_session",
        }
    )
    assert intent.customer == customer.id
    confirmed = client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "requires_capture"
    method = client.v1.payment_methods.retrieve(confirmed.payment_method)
    assert method.customer == customer.id
    assert client.v1.charges.retrieve(confirmed.latest_charge).customer == customer.id

    plain = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd", "customer": customer.id}
    )
    paid = client.v1.payment_intents.confirm(plain.id, params={"payment_method": "pm_card_visa"})
    assert client.v1.payment_methods.retrieve(paid.payment_method).customer is None


def test_a_saved_card_pays_again_for_its_customer_only(client, fake):
    customer, method_id = saved_card(client, fake)

    again = client.v1.payment_intents.create(
        params={
            "amount": 800,
            "currency": "usd",
            "capture_method": "manual",
            "customer": customer.id,
            "payment_method": method_id,
            "confirm": True,
            "off_session": True,
        }
    )
    assert (again.status, again.amount_capturable, again.payment_method) == (
        "requires_capture",
        800,
        method_id,
    )
    assert client.v1.payment_methods.retrieve(method_id).customer == customer.id

    other = client.v1.customers.create(params={"email": "bob@example.com"})
    for extra, message in (
        ({}, f"belongs to the Customer {customer.id}"),
        ({"customer": other.id}, f"does not have a payment method with the ID {method_id}"),
    ):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.payment_intents.create(
                params={
                    "amount": 800,
                    "currency": "usd",
                    "payment_method": method_id,
                    "confirm": True,
                    **extra,
                }
            )
        assert (refused.value.http_status, refused.value.param) == (400, "payment_method")
        assert message in refused.value.user_message
    assert len(fake.all("payment_intent")) == 2

    unpaid = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as on_confirm:
        client.v1.payment_intents.confirm(unpaid.id, params={"payment_method": method_id})
    assert on_confirm.value.param == "payment_method"
    assert client.v1.payment_intents.retrieve(unpaid.id).status == "requires_payment_method"


def test_a_card_used_without_a_customer_cannot_be_used_again(client, fake):
    first = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    assert first.status == "succeeded"
    customer = client.v1.customers.create(params={"email": "ada@example.com"})

    for extra in ({}, {"customer": customer.id, "setup_future_usage": "off_session"}):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.payment_intents.create(
                params={
                    "amount": 500,
                    "currency": "usd",
                    "payment_method": first.payment_method,
                    "confirm": True,
                    **extra,
                }
            )
        assert refused.value.user_message.startswith(REUSED)
        assert (refused.value.http_status, refused.value.param) == (400, "payment_method")

    later = client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as on_update:
        client.v1.payment_intents.update(later.id, params={"payment_method": first.payment_method})
    assert on_update.value.user_message.startswith(REUSED)

    declined = client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    with pytest.raises(stripe.CardError) as card_error:
        client.v1.payment_intents.confirm(
            declined.id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    with pytest.raises(stripe.InvalidRequestError) as retried:
        client.v1.payment_intents.confirm(
            declined.id, params={"payment_method": card_error.value.error.payment_method.id}
        )
    assert retried.value.user_message.startswith(REUSED)
    assert client.v1.payment_methods.retrieve(first.payment_method).customer is None


def test_an_intent_keeps_its_customer(client, fake):
    customer = client.v1.customers.create()
    other = client.v1.customers.create()
    intent = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    updated = client.v1.payment_intents.update(intent.id, params={"customer": customer.id})
    assert updated.customer == customer.id
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.update(intent.id, params={"customer": other.id})
    assert refused.value.user_message.startswith("You cannot modify `customer` on a PaymentIntent")
    expanded = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["customer"]})
    assert expanded.customer.id == customer.id


# --- keys and idempotency ---------------------------------------------------------------------


def test_a_wrong_key_is_an_authentication_error(connect, fake):
    with pytest.raises(stripe.AuthenticationError) as refused:
        connect(key="sk_test_notthekey1234").v1.balance.retrieve()
    assert refused.value.http_status == 401
    assert refused.value.user_message == "Invalid API Key provided: sk_test_*********1234"
    assert refused.value.json_body["error"]["type"] == "invalid_request_error"
    assert connect().v1.balance.retrieve().object == "balance"
    assert [request.status for request in fake.calls("balance.retrieve")] == [401, 200]


def test_a_request_without_a_key_is_refused(fake):
    request = urllib.request.Request(f"{fake.url}/v1/balance")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    error = json.load(refused.value)["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("You did not provide an API key.")


def test_the_fake_takes_its_own_keys():
    with FakeStripe(keys={"rk_test_restricted1"}) as other:
        assert other.key == "rk_test_restricted1"
        session = requests.Session()
        session.trust_env = False
        restricted = stripe.StripeClient(
            other.key,
            base_addresses={"api": other.url},
            http_client=stripe.RequestsClient(timeout=5, session=session),
        )
        assert restricted.v1.balance.retrieve().object == "balance"
        session.close()


def test_a_create_retried_with_its_key_is_replayed_not_repeated(client, fake):
    options = {"idempotency_key": "order-1-authorize"}
    params = {"amount": 1000, "currency": "usd", "metadata": {"order_id": "o1"}}

    first = client.v1.payment_intents.create(params=params, options=options)
    fake.confirm(first.id)  # the state moves on; the replay still answers what was answered
    second = client.v1.payment_intents.create(params=params, options=options)

    assert second.id == first.id
    assert second.status == "requires_payment_method"
    assert second.last_response.body == first.last_response.body
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert len(fake.all("payment_intent")) == 1
    logged = fake.calls("payment_intents.create")
    assert [(r.headers["Idempotency-Key"], r.replayed) for r in logged] == [
        ("order-1-authorize", False),
        ("order-1-authorize", True),
    ]

    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(params={**params, "amount": 999}, options=options)
    assert len(fake.all("payment_intent")) == 1


def test_the_library_adds_a_key_of_its_own_to_each_post(client, fake):
    client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    keys = [request.headers["Idempotency-Key"] for request in fake.calls("payment_intents.create")]
    assert len(set(keys)) == 2
    assert len(fake.all("payment_intent")) == 2


def test_a_500_is_stored_under_its_key_and_replayed(connect, fake):
    client = connect(retries=2)  # Stripe-Should-Retry: false stops the library's retries
    fake.fail_next("payment_intents.create", "500")
    options = {"idempotency_key": "order-2-authorize"}
    params = {"amount": 1000, "currency": "usd"}

    with pytest.raises(stripe.APIError) as first:
        client.v1.payment_intents.create(params=params, options=options)
    assert first.value.http_status == 500
    assert first.value.json_body["error"]["type"] == "api_error"
    with pytest.raises(stripe.APIError) as again:
        client.v1.payment_intents.create(params=params, options=options)
    assert again.value.headers["Idempotent-Replayed"] == "true"
    assert again.value.http_body == first.value.http_body
    assert fake.all("payment_intent") == []
    assert [(r.status, r.replayed) for r in fake.calls("payment_intents.create")] == [
        (500, False),
        (500, True),
    ]

    fresh = client.v1.payment_intents.create(params=params, options={"idempotency_key": "new"})
    assert fresh.status == "requires_payment_method"


def test_an_injected_failure_is_consumed_by_one_matching_request(client, fake):
    intent = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    fake.fail_next(f"/v1/payment_intents/{intent.id}/confirm", "decline")

    client.v1.payment_intents.retrieve(intent.id)  # does not match: not consumed
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    assert declined.value.error.decline_code == "generic_decline"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"

    confirmed = client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded"
    assert [r.injected for r in fake.calls("payment_intents.confirm")] == ["decline", None]


def test_a_timeout_surfaces_as_a_connection_error_after_the_work_is_done(connect, fake):
    client = connect(timeout=0.2)
    intent = authorised(client, fake)
    fake.fail_next("payment_intents.capture", "timeout", delay=2)
    options = {"idempotency_key": "order-3-capture"}

    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError) as timed_out:
        client.v1.payment_intents.capture(intent.id, options=options)
    assert time.monotonic() - started < 1.5
    assert timed_out.value.should_retry is True
    assert fake.get(intent.id)["status"] == "succeeded"  # Stripe captured; we never heard

    replayed = client.v1.payment_intents.capture(intent.id, options=options)
    assert (replayed.status, replayed.amount_received) == ("succeeded", 1000)
    assert replayed.last_response.headers["Idempotent-Replayed"] == "true"
    assert [r.replayed for r in fake.calls("payment_intents.capture")] == [False, True]


def test_the_library_retries_a_timeout_under_the_same_key(connect, fake, monkeypatch):
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)  # its backoff: 0.5 s, 1 s, ..
    client = connect(timeout=0.2, retries=1)
    fake.fail_next("payment_intents.create", "timeout", delay=2)

    intent = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})

    assert [intent["id"]] == [pi["id"] for pi in fake.all("payment_intent")]
    first, retry = fake.calls("payment_intents.create")
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert (first.injected, retry.replayed) == ("timeout", True)


def test_a_timeout_before_the_work_does_nothing(connect, fake):
    client = connect(timeout=0.2)
    fake.fail_next("/v1/payment_intents", "timeout_before", delay=2)
    options = {"idempotency_key": "order-4-authorize"}
    params = {"amount": 100, "currency": "usd"}

    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.create(params=params, options=options)
    assert fake.all("payment_intent") == []

    intent = client.v1.payment_intents.create(params=params, options=options)
    assert "Idempotent-Replayed" not in intent.last_response.headers
    assert len(fake.all("payment_intent")) == 1
    assert [(r.status, r.injected) for r in fake.calls("payment_intents.create")] == [
        (None, "timeout_before"),
        (200, None),
    ]


def test_stop_does_not_wait_for_a_held_answer():
    other = FakeStripe()
    session = requests.Session()
    session.trust_env = False
    client = stripe.StripeClient(
        other.key,
        base_addresses={"api": other.url},
        http_client=stripe.RequestsClient(timeout=0.2, session=session),
    )
    other.fail_next("balance.retrieve", "timeout", delay=30)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.balance.retrieve()
    started = time.monotonic()
    other.stop()
    session.close()
    assert time.monotonic() - started < 1


# --- webhooks ---------------------------------------------------------------------------------


def test_a_webhook_endpoint_has_a_signing_secret(client, fake):
    endpoint = client.v1.webhook_endpoints.create(
        params={
            "url": "https://shop.example/stripe/webhooks",
            "enabled_events": ["payment_intent.succeeded", "payment_intent.payment_failed"],
        }
    )
    assert endpoint.id.startswith("we_") and endpoint.secret.startswith("whsec_")
    assert fake.webhook_secret(endpoint.id) == endpoint.secret

    retrieved = client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert retrieved.url == "https://shop.example/stripe/webhooks"
    assert retrieved.enabled_events == ["payment_intent.succeeded", "payment_intent.payment_failed"]
    assert "secret" not in retrieved

    assert client.v1.webhook_endpoints.delete(endpoint.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as gone:
        client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert gone.value.code == "resource_missing"


def test_a_signed_event_is_accepted_and_a_tampered_or_stale_one_refused(client, fake):
    intent = authorised(client, fake)
    client.v1.payment_intents.capture(intent.id)
    secret = client.v1.webhook_endpoints.create(
        params={"url": "https://shop.example/hook", "enabled_events": ["*"]}
    ).secret

    body = fake.event("payment_intent.succeeded", intent.id)
    event = stripe.Webhook.construct_event(body, fake.sign(body, secret), secret)
    assert event.id.startswith("evt_") and event.type == "payment_intent.succeeded"
    assert (event.data.object.id, event.data.object.status) == (intent.id, "succeeded")
    assert client.v1.events.retrieve(event.id).data.object.amount_received == 1000

    tampered = body.replace(b'"amount_received": 1000', b'"amount_received": 1')
    assert tampered != body
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, fake.sign(body, secret), secret)
    stale = fake.sign(body, secret, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, stale, secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, fake.sign(body, "whsec_other"), secret)


# --- the form parser --------------------------------------------------------------------------


def test_bracket_notation_becomes_nested_params(client, fake):
    assert parse_form(
        "metadata[order_id]=o1&metadata[7]=x&payment_method_types[]=card"
        "&payment_method_types[]=link&automatic_payment_methods[enabled]=true&amount=5"
    ) == {
        "metadata": {"order_id": "o1", "7": "x"},
        "payment_method_types": ["card", "link"],
        "automatic_payment_methods": {"enabled": "true"},
        "amount": "5",
    }
    client.v1.payment_intents.create(
        params={
            "amount": 100,
            "currency": "usd",
            "metadata": {"order_id": "o1"},
            "payment_method_types": ["card", "link"],
        }
    )
    (logged,) = fake.calls("payment_intents.create")
    assert logged.params == {
        "amount": "100",
        "currency": "usd",
        "metadata": {"order_id": "o1"},
        "payment_method_types": ["card", "link"],
    }
