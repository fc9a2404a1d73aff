"""Editing an order paid by Stripe (aftersale.md §1): closing an edit that lowered the total
sends nothing to Stripe (it can only void a whole authorization); `_capture` then captures the
new total with `amount_to_capture` and records the released rest as a void. Edited after a
capture, the excess is refunded through Stripe."""

import pytest

from orders.models import LineItem, Transaction
from tests.shop import ok

pytestmark = [pytest.mark.django_db]


def lower_to_one(integration, order):
    ok(integration.update("orders", order.public_id, {"_start_editing": True}))
    line = LineItem.objects.get(order=order, item_type="skus")
    ok(integration.update("line_items", line.public_id, {"quantity": 1}))
    return ok(integration.update("orders", order.public_id, {"_stop_editing": True}))


def amounts(order, kind):
    return list(
        Transaction.objects.filter(order=order, kind=kind, succeeded=True).values_list(
            "amount_cents", flat=True
        )
    )


def test_an_edit_down_sends_nothing_until_the_capture_takes_the_new_total(
    integration, placed, fake_stripe
):
    order, authorization, intent_id = placed
    before = len(fake_stripe.requests)
    closed = lower_to_one(integration, order)
    assert closed["attributes"]["payment_status"] == "authorized"
    assert len(fake_stripe.requests) == before  # nothing went to Stripe
    new_total = closed["attributes"]["total_amount_with_taxes_cents"]
    assert new_total < authorization.amount_cents

    captured = ok(integration.update("orders", order.public_id, {"_capture": True}))
    assert captured["attributes"]["payment_status"] == "paid"
    (call,) = fake_stripe.calls("payment_intents.capture")
    assert int(call.params["amount_to_capture"]) == new_total
    assert fake_stripe.get(intent_id)["amount_received"] == new_total
    assert amounts(order, "captures") == [new_total]
    assert amounts(order, "voids") == [authorization.amount_cents - new_total]
    assert fake_stripe.calls("payment_intents.cancel") == []


def test_an_edit_down_after_a_capture_refunds_the_excess_through_stripe(
    integration, placed, fake_stripe
):
    order, authorization, _ = placed
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    closed = lower_to_one(integration, order)
    assert closed["attributes"]["payment_status"] == "partially_refunded"
    excess = authorization.amount_cents - closed["attributes"]["total_amount_with_taxes_cents"]
    (call,) = fake_stripe.calls("refunds.create")
    assert int(call.params["amount"]) == excess
    assert amounts(order, "refunds") == [excess]
