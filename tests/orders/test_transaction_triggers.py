"""Transaction triggers over HTTP (orders.md): `_capture` (optionally `_capture_amount_cents`)
and `_void` on authorizations, `_refund` (optionally `_refund_amount_cents`) on captures, from
every state a transaction can be in, with partial, whole, zero, negative and over-amounts.

Allowed ones record the transaction for the right amount, move the order's `payment_status`
(a full refund cancels the order) and emit their events; refused ones are a 422 naming the
trigger or amount at fault (or `status` when the order is cancelled) and change nothing.
"""

import pytest
from django.db import transaction

from orders import selectors
from orders.models import Order, Transaction
from tests.orders.conftest import events_since, last_event_id, snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db]

TOTAL = 2500  # 2 x $10.00 + $5.00 shipping, no tax


def _order_tx(order, kind) -> Transaction:
    return Transaction.objects.filter(order=order, kind=kind).order_by("id").first()


def authorization_in(api, shop, state) -> Transaction:
    order = make_cart(shop)
    ok(api.update("orders", order.public_id, {"_place": True}))
    auth = _order_tx(order, "authorizations")
    moves = {
        "open": [],
        "partially_captured": [{"_capture": True, "_capture_amount_cents": 300}],
        "captured": [{"_capture": True}],
        "voided": [{"_void": True}],
        "partially_captured_then_voided": [
            {"_capture": True, "_capture_amount_cents": 300},
            {"_void": True},
        ],
    }
    if state == "of_cancelled_order":
        ok(api.update("orders", order.public_id, {"_cancel": True}))
    elif state == "of_approved_order":
        ok(api.update("orders", order.public_id, {"_approve": True}))
    else:
        for attributes in moves[state]:
            ok(api.update("authorizations", auth.public_id, attributes))
    return auth


# (trigger attributes) by name; amounts are absolute cents.
def capture(amount=None):
    return {"_capture": True} | ({} if amount is None else {"_capture_amount_cents": amount})


AUTHORIZATION_TRIGGERS = {
    "capture": capture(),
    "capture_300": capture(300),
    "capture_all_by_amount": capture(TOTAL),
    "capture_over": capture(TOTAL + 1),
    "capture_0": capture(0),
    "capture_negative": capture(-1),
    "capture_fraction": capture(1.5),
    "void": {"_void": True},
}
AUTHORIZATION_STATES = [
    "open",
    "partially_captured",
    "captured",
    "voided",
    "partially_captured_then_voided",
    "of_cancelled_order",
    "of_approved_order",
]
# (state, trigger) -> (order status, payment status, {new kind: amount}).
AUTHORIZATION_ALLOWED = {
    ("open", "capture"): ("placed", "paid", {"captures": TOTAL}),
    ("open", "capture_300"): ("placed", "partially_paid", {"captures": 300}),
    ("open", "capture_all_by_amount"): ("placed", "paid", {"captures": TOTAL}),
    ("open", "void"): ("placed", "voided", {"voids": TOTAL}),
    ("partially_captured", "capture"): ("placed", "paid", {"captures": TOTAL - 300}),
    ("partially_captured", "capture_300"): ("placed", "partially_paid", {"captures": 300}),
    # What was captured stays captured; the rest can no longer be.
    ("partially_captured", "void"): ("placed", "partially_paid", {"voids": TOTAL - 300}),
    ("of_approved_order", "capture"): ("approved", "paid", {"captures": TOTAL}),
    ("of_approved_order", "capture_300"): ("approved", "partially_paid", {"captures": 300}),
    ("of_approved_order", "capture_all_by_amount"): ("approved", "paid", {"captures": TOTAL}),
    ("of_approved_order", "void"): ("approved", "voided", {"voids": TOTAL}),
}
AMOUNT = "/data/attributes/_capture_amount_cents"
CAPTURE = "/data/attributes/_capture"
VOID = "/data/attributes/_void"
STATUS = "/data/attributes/status"


def authorization_refusal(state, trigger) -> str:
    if trigger in ("capture_negative", "capture_fraction"):
        return AMOUNT  # not an amount at all, whatever the state
    if state == "of_cancelled_order":
        return STATUS
    spent = state in ("captured", "voided", "partially_captured_then_voided")
    if trigger == "void":
        return VOID if spent else None
    if spent:
        return CAPTURE
    return AMOUNT  # over the balance, or zero


class _Undo(Exception):
    pass


def run_in_savepoint(check, *args):
    """Run `check` in a savepoint that is then undone: every trigger meets the same state."""
    try:
        with transaction.atomic():
            check(*args)
            raise _Undo
    except _Undo:
        pass


@pytest.mark.parametrize("state", AUTHORIZATION_STATES)
def test_every_authorization_trigger_from_every_state(integration, shop, state, subtests):
    auth = authorization_in(integration, shop, state)
    for trigger, attributes in AUTHORIZATION_TRIGGERS.items():
        with subtests.test(trigger=trigger):
            run_in_savepoint(
                check_transaction_trigger,
                integration,
                "authorizations",
                auth,
                attributes,
                AUTHORIZATION_ALLOWED.get((state, trigger)),
                authorization_refusal(state, trigger),
                f"authorizations.{'void' if trigger == 'void' else 'capture'}",
            )


def capture_in(api, shop, state) -> Transaction:
    order = make_cart(shop)
    ok(api.update("orders", order.public_id, {"_place": True}))
    if state == "of_approved_order":
        ok(api.update("orders", order.public_id, {"_approve_and_capture": True}))
    else:
        ok(api.update("orders", order.public_id, {"_capture": True}))
    tx = _order_tx(order, "captures")
    if state == "partially_refunded":
        ok(api.update("captures", tx.public_id, {"_refund": True, "_refund_amount_cents": 100}))
    elif state == "refunded":
        ok(api.update("captures", tx.public_id, {"_refund": True}))
    return tx


def refund(amount=None):
    return {"_refund": True} | ({} if amount is None else {"_refund_amount_cents": amount})


CAPTURE_TRIGGERS = {
    "refund": refund(),
    "refund_100": refund(100),
    "refund_over": refund(TOTAL + 1),
    "refund_0": refund(0),
    "refund_negative": refund(-5),
    "refund_string": refund("100"),
}
CAPTURE_STATES = ["paid", "partially_refunded", "refunded", "of_approved_order"]
CAPTURE_ALLOWED = {
    # A full refund cancels the order, as Commerce Layer does.
    ("paid", "refund"): ("cancelled", "refunded", {"refunds": TOTAL}),
    ("paid", "refund_100"): ("placed", "partially_refunded", {"refunds": 100}),
    ("partially_refunded", "refund"): ("cancelled", "refunded", {"refunds": TOTAL - 100}),
    ("partially_refunded", "refund_100"): ("placed", "partially_refunded", {"refunds": 100}),
    ("of_approved_order", "refund"): ("cancelled", "refunded", {"refunds": TOTAL}),
    ("of_approved_order", "refund_100"): ("approved", "partially_refunded", {"refunds": 100}),
}


def capture_refusal(state, trigger) -> str:
    if trigger in ("refund_negative", "refund_string"):
        return "/data/attributes/_refund_amount_cents"
    if state == "refunded":
        return "/data/attributes/_refund"  # nothing left to refund
    return "/data/attributes/_refund_amount_cents"


@pytest.mark.parametrize("state", CAPTURE_STATES)
def test_every_capture_trigger_from_every_state(integration, shop, state, subtests):
    tx = capture_in(integration, shop, state)
    for trigger, attributes in CAPTURE_TRIGGERS.items():
        with subtests.test(trigger=trigger):
            run_in_savepoint(
                check_transaction_trigger,
                integration,
                "captures",
                tx,
                attributes,
                CAPTURE_ALLOWED.get((state, trigger)),
                capture_refusal(state, trigger),
                "captures.refund",
            )


def check_transaction_trigger(api, type_name, tx, attributes, allowed, pointer, topic):
    order = Order.objects.get(pk=tx.order_id)
    before = snapshot(order)
    mark = last_event_id()
    old = set(Transaction.objects.filter(order=order).values_list("pk", flat=True))

    response = api.update(type_name, tx.public_id, attributes)

    if allowed is None:
        assert response.status_code == 422, response.json()
        errors = response.json()["errors"]
        assert [e["source"]["pointer"] for e in errors] == [pointer], errors
        assert snapshot(order) == before
        return
    assert response.status_code == 200, response.json()
    status, payment_status, amounts = allowed
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (status, payment_status)
    created = Transaction.objects.filter(order=order).exclude(pk__in=old)
    new = {t.kind: t.amount_cents for t in created if t.kind in amounts}
    assert new == amounts
    events = events_since(mark)
    topics = [topic for topic, _ in events]
    assert (topic, tx.public_id) in events
    for t in created:
        assert (f"{t.kind}.create", t.public_id) in events
    if status == "cancelled":
        # A full refund cancelled the order: nothing is left authorized on it.
        assert "orders.cancel" in topics
        for auth in Transaction.objects.filter(order=order, kind="authorizations"):
            assert selectors.capture_balance(auth) == 0
    else:
        assert not [t for t in topics if t.startswith("orders.")]
    # The transaction's own figures follow (the resource a back office reads).
    doc = api.get(f"/api/{type_name}/{tx.public_id}").json()["data"]["attributes"]
    if type_name == "authorizations":
        captured = sum(
            t.amount_cents
            for t in Transaction.objects.filter(kind="captures", reference_authorization=tx)
        )
        voided = sum(
            t.amount_cents
            for t in Transaction.objects.filter(kind="voids", reference_authorization=tx)
        )
        assert doc["capture_amount_cents"] == captured
        assert doc["capture_balance_cents"] == doc["void_balance_cents"]
        assert doc["capture_balance_cents"] == tx.amount_cents - captured - voided
    else:
        refunded = sum(
            t.amount_cents for t in Transaction.objects.filter(kind="refunds", reference_capture=tx)
        )
        assert doc["refund_amount_cents"] == refunded
        assert doc["refund_balance_cents"] == tx.amount_cents - refunded
