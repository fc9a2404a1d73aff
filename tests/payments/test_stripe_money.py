"""Money through Stripe (payments.md "Stripe", "Gateway calls: what is recorded"), against the
fake Stripe: captures (whole, or part with the rest released), voids and refunds of a placed
order go to Stripe with idempotency keys from our ids; a refusal or no answer is a failed
transaction that is kept while the request answers 422 and nothing else of it is saved; the
retry of an unanswered call repeats its key, so Stripe replays instead of charging twice."""

import pytest
from django.db import transaction

from commerce.events import recording_events
from commerce.exceptions import ValidationError
from commerce.kept import keeping_refused_writes
from orders.models import Order, Transaction
from orders.services import payments
from tests.orders.conftest import events_since, last_event_id
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def transactions(order) -> list[tuple]:
    return list(
        Transaction.objects.filter(order=order)
        .order_by("id")
        .values_list("kind", "amount_cents", "succeeded", "error_code")
    )


def test_capturing_the_order_captures_the_intent(placed, integration, fake_stripe):
    order, authorization, intent_id = placed
    answer = ok(integration.update("orders", order.public_id, {"_capture": True}))
    assert answer["attributes"]["payment_status"] == "paid"
    (call,) = fake_stripe.calls("payment_intents.capture")
    assert call.headers["Idempotency-Key"] == f"{authorization.public_id}-capture-1"
    intent = fake_stripe.get(intent_id)
    assert (intent["status"], intent["amount_received"]) == (
        "succeeded",
        order.total_amount_with_taxes_cents,
    )
    capture = Transaction.objects.get(order=order, kind="captures")
    assert capture.gateway_transaction_id == intent_id


def test_a_partial_capture_releases_the_rest(placed, integration, fake_stripe):
    order, authorization, intent_id = placed
    body = {"_capture": True, "_capture_amount_cents": 300}
    ok(integration.update("authorizations", authorization.public_id, body))
    total = order.total_amount_with_taxes_cents
    assert transactions(order) == [
        ("authorizations", total, True, None),
        ("captures", 300, True, None),
        ("voids", total - 300, True, None),  # Stripe captures once and releases the rest
    ]
    assert fake_stripe.get(intent_id)["amount_received"] == 300
    order.refresh_from_db()
    assert order.payment_status == "partially_paid"
    # Nothing is left to capture: refused before Stripe is called.
    again = integration.update("authorizations", authorization.public_id, {"_capture": True})
    assert again.status_code == 422, again.json()
    assert len(fake_stripe.calls("payment_intents.capture")) == 1


def test_voiding_cancels_the_intent(placed, integration, fake_stripe):
    order, authorization, intent_id = placed
    ok(integration.update("authorizations", authorization.public_id, {"_void": True}))
    (call,) = fake_stripe.calls("payment_intents.cancel")
    assert call.headers["Idempotency-Key"] == f"{authorization.public_id}-void-1"
    assert fake_stripe.get(intent_id)["status"] == "canceled"
    order.refresh_from_db()
    assert order.payment_status == "voided"


def test_refunds_go_to_stripe_and_a_full_one_cancels(placed, integration, fake_stripe):
    order, _, intent_id = placed
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    capture = Transaction.objects.get(order=order, kind="captures")
    body = {"_refund": True, "_refund_amount_cents": 500}
    ok(integration.update("captures", capture.public_id, body))
    (call,) = fake_stripe.calls("refunds.create")
    assert call.headers["Idempotency-Key"] == f"{capture.public_id}-refund-1"
    assert call.params["amount"] == "500"  # form-encoded
    assert call.params["payment_intent"] == intent_id
    assert call.params["metadata"] == {"capture_id": capture.public_id}
    refund = Transaction.objects.get(order=order, kind="refunds")
    assert refund.gateway_transaction_id.startswith("re_")
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"

    ok(integration.update("orders", order.public_id, {"_refund": True}))
    second = fake_stripe.calls("refunds.create")[1]
    assert second.headers["Idempotency-Key"] == f"{capture.public_id}-refund-2"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refunded")


def test_a_declined_capture_is_kept_and_the_order_does_not_move(placed, integration, fake_stripe):
    order, authorization, _ = placed
    mark = last_event_id()
    fake_stripe.fail_next("payment_intents.capture", "decline")
    response = integration.update("orders", order.public_id, {"_approve_and_capture": True})
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/_approve_and_capture"
    assert error["meta"]["error"] == "gateway_error"
    assert error["meta"]["gateway_code"] == "card_declined"
    failed = Transaction.objects.get(order=order, kind="captures")
    assert error["meta"]["transaction"] == failed.public_id
    assert (failed.succeeded, failed.error_code) == (False, "card_declined")
    assert failed.message == error["title"]
    # Nothing else of the request: not approved, still authorized.
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("placed", "authorized")
    assert [topic for topic, _ in events_since(mark)] == ["captures.create"]

    # The next try gets a new key (Stripe replays refusals too).
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    keys = [c.headers["Idempotency-Key"] for c in fake_stripe.calls("payment_intents.capture")]
    assert keys == [f"{authorization.public_id}-capture-1", f"{authorization.public_id}-capture-2"]


def test_an_unanswered_capture_retried_is_replayed_not_charged_twice(
    placed, integration, fake_stripe, settings
):
    order, authorization, intent_id = placed
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 0.5
    fake_stripe.fail_next("payment_intents.capture", "timeout", delay=1.5)  # Stripe did it
    response = integration.update("orders", order.public_id, {"_capture": True})
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    assert error["meta"]["error"] == "gateway_unavailable"
    assert error["detail"] == "_capture - Gateway unavailable: timeout"
    assert transactions(order)[1:] == [
        ("captures", order.total_amount_with_taxes_cents, False, "gateway_unavailable")
    ]
    order.refresh_from_db()
    assert order.payment_status == "authorized"

    ok(integration.update("orders", order.public_id, {"_capture": True}))  # the same trigger
    calls = fake_stripe.calls("payment_intents.capture")
    assert [c.headers["Idempotency-Key"] for c in calls] == [
        f"{authorization.public_id}-capture-1"
    ] * 2
    assert calls[1].replayed
    assert fake_stripe.get(intent_id)["amount_received"] == order.total_amount_with_taxes_cents
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_money_that_moved_is_kept_when_a_later_call_is_refused(placed, integration, fake_stripe):
    """payments.md rule 2: the first refund went through, the second was refused: the request
    is refused, both are recorded, and the payment status follows the one that succeeded."""
    order, _, _ = placed
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    capture = Transaction.objects.get(order=order, kind="captures")
    with pytest.raises(ValidationError), keeping_refused_writes():
        with transaction.atomic(), recording_events():
            capture.order = Order.objects.select_for_update().get(pk=order.pk)
            payments.refund(capture, 300)
            fake_stripe.fail_next("refunds.create", "decline")
            payments.refund(capture, 200)
    assert transactions(order)[-2:] == [
        ("refunds", 300, True, None),
        ("refunds", 200, False, "card_declined"),
    ]
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("placed", "partially_refunded")


def test_refresh_records_an_unanswered_capture_that_went_through(
    placed, integration, fake_stripe, settings
):
    """payments.md rule 5: the capture timed out but Stripe made it; the operator's `_refresh`
    of the payment records it, and the order is paid."""
    order, _, intent_id = placed
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 0.5
    fake_stripe.fail_next("payment_intents.capture", "timeout", delay=1.5)
    assert integration.update("orders", order.public_id, {"_capture": True}).status_code == 422
    source_id = order.payment_source.public_id
    ok(integration.update("stripe_payments", source_id, {"_refresh": True}))
    total = order.total_amount_with_taxes_cents
    assert transactions(order)[1:] == [
        ("captures", total, False, "gateway_unavailable"),
        ("captures", total, True, None),
    ]
    order.refresh_from_db()
    assert order.payment_status == "paid"
    # Refreshed again: nothing more to record.
    ok(integration.update("stripe_payments", source_id, {"_refresh": True}))
    assert len(transactions(order)) == 3
    assert fake_stripe.get(intent_id)["amount_received"] == total


def test_a_500_settled_by_refresh_lets_the_next_capture_take_a_new_key(
    placed, integration, fake_stripe
):
    """payments.md rule 5: Stripe replays its 500 under the same key for 24 h, so the same
    trigger again is answered the same 500; once `_refresh` shows Stripe did not capture, the
    failed attempt counts as answered and the next capture takes a new key, and goes through."""
    order, authorization, intent_id = placed
    fake_stripe.fail_next("payment_intents.capture", "500")
    for _ in range(2):  # the second time replayed by Stripe
        response = integration.update("orders", order.public_id, {"_capture": True})
        assert response.status_code == 422, response.json()
        assert response.json()["errors"][0]["meta"]["error"] == "gateway_unavailable"
    calls = fake_stripe.calls("payment_intents.capture")
    assert [c.replayed for c in calls] == [False, True]
    source_id = order.payment_source.public_id
    ok(integration.update("stripe_payments", source_id, {"_refresh": True}))
    failed = Transaction.objects.filter(order=order, kind="captures", succeeded=False)
    assert all(t.settled_at is not None for t in failed)
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    keys = [c.headers["Idempotency-Key"] for c in fake_stripe.calls("payment_intents.capture")]
    # Both failed attempts now count as answered (rule 4's n), so the next is the third.
    assert keys == [f"{authorization.public_id}-capture-1"] * 2 + [
        f"{authorization.public_id}-capture-3"
    ]
    order.refresh_from_db()
    assert order.payment_status == "paid"
    assert fake_stripe.get(intent_id)["amount_received"] == order.total_amount_with_taxes_cents


def test_a_connection_lost_before_an_answer_is_retried_with_the_same_key(
    placed, integration, fake_stripe
):
    """The library's network retry, done within the operation's budget: the connection drops
    without an answer, the call is made again with the same key, and the capture is recorded
    once."""
    order, authorization, intent_id = placed
    fake_stripe.fail_next("payment_intents.capture", "timeout_before", delay=0)
    answer = ok(integration.update("orders", order.public_id, {"_capture": True}))
    assert answer["attributes"]["payment_status"] == "paid"
    calls = fake_stripe.calls("payment_intents.capture")
    assert [c.headers["Idempotency-Key"] for c in calls] == [
        f"{authorization.public_id}-capture-1"
    ] * 2
    assert transactions(order)[1:] == [
        ("captures", order.total_amount_with_taxes_cents, True, None)
    ]
