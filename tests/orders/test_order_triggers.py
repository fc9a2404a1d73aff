"""Every order trigger from every order state, over HTTP with an integration token (orders.md's
trigger table).

An allowed trigger moves `status` and `payment_status` as the table says, records the
transactions, stock moves, shipment moves, timestamps and events it should; every other one is
a 422 whose `source.pointer` names what is wrong (`status` for a wrong state, the guard's
attribute or relationship otherwise), and nothing at all changes: the order row, its line items,
shipments, transactions, reservations, stock, addresses and the event outbox are compared before
and after.
"""

import pytest
from django.db import transaction

from inventory.models import StockReservation
from orders.models import Order, Shipment, Transaction
from tests import factories as f
from tests.orders.conftest import events_since, last_event_id, snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db]

STATES = [
    "draft",  # an empty cart
    "pending",  # ready to place
    "placed",  # payment authorized
    "placed_free",  # a zero total: payment free, nothing to ship
    "placed_paid",
    "placed_partially_paid",  # part of the authorization captured
    "placed_voided",  # the authorization voided, the order still placed
    "placed_partially_refunded",  # captured, then part of the capture refunded
    "editing",  # placed (authorized), reopened by an operator (aftersale.md §1)
    "approved",  # approved, payment still authorized
    "approved_paid",  # approved and captured: shipments picking
    "approved_free",
    "shipped",  # approved, paid and its shipment shipped
    "cancelled",  # a cart abandoned while pending
    "cancelled_placed",  # cancelled after placing (authorization voided)
    "refunded",  # a full refund cancelled it
]

TRIGGERS = [
    "_place",
    "_pending",
    "_approve",
    "_approve_and_capture",
    "_capture",
    "_refund",
    "_cancel",
    "_archive",
    "_unarchive",
    "_refresh",
    "_update_taxes",
    "_shipping_address_same_as_billing",
    "_billing_address_same_as_shipping",
    "_billing_address_clone_id",
    "_shipping_address_clone_id",
    "_nullify_payment_source",
    "_authorization_amount_cents",
    "_start_editing",
    "_stop_editing",
]

# What an answer shows besides the order (test_write_answers.py holds the other writes).
ANSWER_INCLUDE = (
    "line_items,shipments,transactions,stock_reservations,stock_line_items,payment_source,"
    "billing_address,shipping_address,market"
)

# What each state is in the database: (status, payment_status).
STATUS_OF = {
    "draft": ("draft", "unpaid"),
    "pending": ("pending", "unpaid"),
    "placed": ("placed", "authorized"),
    "placed_free": ("placed", "free"),
    "placed_paid": ("placed", "paid"),
    "placed_partially_paid": ("placed", "partially_paid"),
    "placed_voided": ("placed", "voided"),
    "placed_partially_refunded": ("placed", "partially_refunded"),
    "editing": ("editing", "authorized"),
    "approved": ("approved", "authorized"),
    "approved_paid": ("approved", "paid"),
    "approved_free": ("approved", "free"),
    "shipped": ("approved", "paid"),
    "cancelled": ("cancelled", "unpaid"),
    "cancelled_placed": ("cancelled", "voided"),
    "refunded": ("cancelled", "refunded"),
}

CANCEL = ["orders.cancel"]
REFUND = ["orders.cancel", "orders.refund"]  # a full refund cancels, then reports the refund
# (state, trigger) -> (status, payment_status, kinds of the new transactions, order events).
ALLOWED = {
    ("draft", "_pending"): ("pending", "unpaid", [], ["orders.pending"]),
    ("pending", "_place"): ("placed", "authorized", ["authorizations"], ["orders.place"]),
    ("placed", "_approve"): ("approved", "authorized", [], ["orders.approve"]),
    ("placed_free", "_approve"): ("approved", "free", [], ["orders.approve"]),
    ("placed_paid", "_approve"): ("approved", "paid", [], ["orders.approve"]),
    # Approved with what was refunded missing (aftersale.md §1): its shipments wait upcoming.
    ("placed_partially_refunded", "_approve"): (
        "approved",
        "partially_refunded",
        [],
        ["orders.approve"],
    ),
    ("placed", "_approve_and_capture"): (
        "approved",
        "paid",
        ["captures"],
        ["orders.approve", "orders.capture"],
    ),
    ("placed_free", "_approve_and_capture"): ("approved", "free", [], ["orders.approve"]),
    ("placed", "_capture"): ("placed", "paid", ["captures"], ["orders.capture"]),
    ("placed_partially_paid", "_capture"): ("placed", "paid", ["captures"], ["orders.capture"]),
    ("approved", "_capture"): ("approved", "paid", ["captures"], ["orders.capture"]),
    ("placed_paid", "_refund"): ("cancelled", "refunded", ["refunds"], REFUND),
    ("placed_partially_paid", "_refund"): ("cancelled", "refunded", ["refunds", "voids"], REFUND),
    ("placed_partially_refunded", "_refund"): ("cancelled", "refunded", ["refunds"], REFUND),
    ("approved_paid", "_refund"): ("cancelled", "refunded", ["refunds"], REFUND),
    ("shipped", "_refund"): ("cancelled", "refunded", ["refunds"], REFUND),
    ("pending", "_cancel"): ("cancelled", "unpaid", [], CANCEL),
    ("placed", "_cancel"): ("cancelled", "voided", ["voids"], CANCEL),
    ("placed_free", "_cancel"): ("cancelled", "free", [], CANCEL),
    ("placed_paid", "_cancel"): ("cancelled", "refunded", ["refunds"], CANCEL),
    ("placed_partially_paid", "_cancel"): ("cancelled", "refunded", ["refunds", "voids"], CANCEL),
    ("placed_voided", "_cancel"): ("cancelled", "voided", [], CANCEL),
    ("placed_partially_refunded", "_cancel"): ("cancelled", "refunded", ["refunds"], CANCEL),
    ("approved", "_cancel"): ("cancelled", "voided", ["voids"], CANCEL),
    ("approved_paid", "_cancel"): ("cancelled", "refunded", ["refunds"], CANCEL),
    ("approved_free", "_cancel"): ("cancelled", "free", [], CANCEL),
    # Editing (aftersale.md §1): authorized, paid or free orders; nothing changed, nothing moves.
    ("placed", "_start_editing"): ("editing", "authorized", [], ["orders.start_editing"]),
    ("placed_free", "_start_editing"): ("editing", "free", [], ["orders.start_editing"]),
    ("placed_paid", "_start_editing"): ("editing", "paid", [], ["orders.start_editing"]),
    ("editing", "_stop_editing"): ("placed", "authorized", [], ["orders.stop_editing"]),
    ("editing", "_cancel"): ("cancelled", "voided", ["voids"], CANCEL),
}
# Archiving works from any state; unarchiving an order that is not archived does nothing.
for _state in STATES:
    ALLOWED[(_state, "_archive")] = (*STATUS_OF[_state], [], ["orders.archive"])
    ALLOWED[(_state, "_unarchive")] = (*STATUS_OF[_state], [], [])
# Cart helpers work while the order is draft or pending and change no status.
for _state in ("draft", "pending"):
    for _trigger in (
        "_refresh",
        "_update_taxes",
        "_billing_address_clone_id",
        "_shipping_address_clone_id",
        "_authorization_amount_cents",
    ):
        ALLOWED[(_state, _trigger)] = (*STATUS_OF[_state], [], [])
    # A trigger-only PATCH records only its trigger's topic, and this trigger has none
    # (bulk.md "Events"): no `orders.update`.
    ALLOWED[(_state, "_nullify_payment_source")] = (*STATUS_OF[_state], [], [])
for _trigger in ("_shipping_address_same_as_billing", "_billing_address_same_as_shipping"):
    ALLOWED[("pending", _trigger)] = ("pending", "unpaid", [], [])

# Refusals whose pointer is not `status`: the guard that failed names its attribute.
NOT_STATUS = {
    ("placed_partially_paid", "_approve"): "/data/attributes/payment_status",
    ("placed_voided", "_approve"): "/data/attributes/payment_status",
    ("placed_partially_paid", "_approve_and_capture"): "/data/attributes/payment_status",
    ("placed_voided", "_approve_and_capture"): "/data/attributes/payment_status",
    # Only an authorized, paid or free order is edited (aftersale.md §1).
    ("placed_partially_paid", "_start_editing"): "/data/attributes/payment_status",
    ("placed_voided", "_start_editing"): "/data/attributes/payment_status",
    ("placed_partially_refunded", "_start_editing"): "/data/attributes/payment_status",
    ("draft", "_shipping_address_same_as_billing"): "/data/relationships/billing_address",
    ("draft", "_billing_address_same_as_shipping"): "/data/relationships/shipping_address",
}
# A draft refuses `_place` saying also why it is still a draft: one error per missing thing.
POINTERS = {
    ("draft", "_place"): [
        "/data/attributes/status",
        "/data/relationships/line_items",
        "/data/attributes/customer_email",
    ],
}
for _state in STATES:
    if _state not in ("draft", "pending"):
        # A placed order's payment source is frozen (orders.md), said on the relationship.
        NOT_STATUS[(_state, "_nullify_payment_source")] = "/data/relationships/payment_source"


def authorization(order) -> Transaction:
    return Transaction.objects.get(order=order, kind="authorizations")


def to_state(api, shop, state) -> Order:
    """Bring a cart to `state` over HTTP."""
    if state == "draft":
        return make_cart(shop, ready=False)
    free = state in ("placed_free", "approved_free")
    order = make_cart(shop, [(shop["free_sku"], 1)] if free else None)
    oid = order.public_id

    def patch(attributes, type_name="orders", public_id=oid):
        ok(api.update(type_name, public_id, attributes))

    if state == "cancelled":
        patch({"_cancel": True})
    if state in ("pending", "cancelled"):
        return order
    patch({"_place": True})
    if state == "placed_paid":
        patch({"_capture": True})
    elif state == "placed_partially_paid":
        capture = {"_capture": True, "_capture_amount_cents": 300}
        patch(capture, "authorizations", authorization(order).public_id)
    elif state == "placed_partially_refunded":
        patch({"_capture": True})
        capture = Transaction.objects.get(order=order, kind="captures")
        patch({"_refund": True, "_refund_amount_cents": 300}, "captures", capture.public_id)
    elif state == "placed_voided":
        patch({"_void": True}, "authorizations", authorization(order).public_id)
    elif state == "cancelled_placed":
        patch({"_cancel": True})
    elif state == "editing":
        patch({"_start_editing": True})
    elif state in ("approved", "approved_free"):
        patch({"_approve": True})
    elif state in ("approved_paid", "shipped", "refunded"):
        patch({"_approve_and_capture": True})
    if state == "shipped":
        shipment = Shipment.objects.get(order=order)
        for move in ("_packing", "_ready_to_ship", "_ship"):
            ok(api.update("shipments", shipment.public_id, {move: True}))
    if state == "refunded":
        patch({"_refund": True})
    return order


def payment_covers_total(order, after) -> bool:
    """Captured minus refunded is at least the total (aftersale.md §1), from the rows."""
    sums = {"captures": 0, "refunds": 0}
    for tx in Transaction.objects.filter(order=order, succeeded=True, kind__in=sums):
        sums[tx.kind] += tx.amount_cents
    return sums["captures"] - sums["refunds"] >= after.total_amount_with_taxes_cents


def trigger_value(trigger):
    if trigger in ("_billing_address_clone_id", "_shipping_address_clone_id"):
        return f.AddressFactory(line_1="9 Clone Road").public_id
    if trigger == "_authorization_amount_cents":
        return 500
    return True


def own_reservations(order) -> int:
    return sum(
        StockReservation.objects.filter(stock_line_item__shipment__order=order).values_list(
            "quantity", flat=True
        )
    )


class _Undo(Exception):
    """Raised to roll a trigger's savepoint back, so the next trigger starts from the same state."""


@pytest.mark.parametrize("state", STATES)
def test_every_order_trigger_from_every_state(integration, shop, state, subtests):
    order = to_state(integration, shop, state)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == STATUS_OF[state]
    for trigger in TRIGGERS:
        with subtests.test(trigger=trigger):
            # Each trigger runs in a savepoint undone afterwards: every trigger meets the very
            # same order (building each state once keeps this table fast).
            try:
                with transaction.atomic():
                    check_trigger(integration, order, state, trigger)
                    raise _Undo
            except _Undo:
                pass


def check_trigger(api, order, state, trigger):
    value = trigger_value(trigger)
    before = snapshot(order)
    mark = last_event_id()
    old_transactions = set(Transaction.objects.filter(order=order).values_list("pk", flat=True))

    body = {"data": {"type": "orders", "id": order.public_id, "attributes": {trigger: value}}}
    response = api.patch(f"/api/orders/{order.public_id}?include={ANSWER_INCLUDE}", body)

    expected = ALLOWED.get((state, trigger))
    if expected is None:
        assert response.status_code == 422, response.json()
        errors = response.json()["errors"]
        assert errors[0]["code"] == "VALIDATION_ERROR"
        pointers = POINTERS.get((state, trigger)) or [
            NOT_STATUS.get((state, trigger), "/data/attributes/status")
        ]
        assert [e["source"]["pointer"] for e in errors] == pointers, errors
        assert snapshot(order) == before
        return

    assert response.status_code == 200, response.json()
    # Answered from the order the trigger left (answers_from_write): what a GET reads after it.
    fresh = api.get(f"/api/orders/{order.public_id}?include={ANSWER_INCLUDE}")
    assert response.json() == fresh.json()
    status, payment_status, new_kinds, order_events = expected
    after = Order.objects.get(pk=order.pk)
    attributes = response.json()["data"]["attributes"]
    assert (attributes["status"], attributes["payment_status"]) == (status, payment_status)
    assert (after.status, after.payment_status) == (status, payment_status)

    created = list(Transaction.objects.filter(order=order).exclude(pk__in=old_transactions))
    assert sorted(t.kind for t in created) == new_kinds
    events = events_since(mark)
    assert [topic for topic, _ in events if topic.startswith("orders.")] == order_events
    for tx in created:
        assert (f"{tx.kind}.create", tx.public_id) in events

    _check_effects(order, state, trigger, before, after, created)


def _check_effects(order, state, trigger, before, after, created):
    was = before["order"]
    # Timestamps follow the status (and never move once set).
    assert (after.placed_at is not None) == (
        after.status in ("placed", "editing", "approved") or was["placed_at"] is not None
    )
    assert (after.approved_at is not None) == (
        after.status == "approved" or was["approved_at"] is not None
    )
    assert (after.cancelled_at is not None) == (after.status == "cancelled")
    for stamp in ("placed_at", "approved_at", "cancelled_at"):
        if was[stamp] is not None:
            assert getattr(after, stamp) == was[stamp], stamp

    # Stock: a placed order holds its units, an approved one took them off the shelf, a
    # cancelled one gave everything back except what had already shipped.
    tracked = 0 if state in ("draft", "placed_free", "approved_free") else 2
    reserved = own_reservations(order)
    on_hand = shop_stock(order)
    if after.status in ("placed", "editing"):
        assert reserved == tracked
        assert on_hand == 50
    elif after.status == "approved":
        assert (reserved, on_hand) == (0, 50 - tracked)
    elif after.status == "cancelled":
        assert (reserved, on_hand) == (0, 48 if state == "shipped" else 50)
    else:
        assert (reserved, on_hand) == (0, 50)

    # Shipments follow the order (orders.md: draft -> upcoming -> picking, or cancelled).
    shipments = sorted(Shipment.objects.filter(order=order).values_list("status", flat=True))
    if tracked:
        expected = {
            "draft": ["draft"],
            "pending": ["draft"],
            "placed": ["upcoming"],
            "editing": ["upcoming"],
            "approved": ["picking"] if payment_covers_total(order, after) else ["upcoming"],
            "cancelled": ["shipped"] if state == "shipped" else ["cancelled"],
        }[after.status]
        if state == "shipped" and after.status == "approved":
            expected = ["shipped"]
        assert shipments == expected
    else:
        assert shipments == []

    # Payments: what was authorized, captured, voided and refunded adds up.
    amounts = {tx.kind: tx.amount_cents for tx in created}
    if trigger == "_place":
        assert amounts["authorizations"] == after.total_amount_with_taxes_cents > 0
        assert after.place_total_amount_cents == after.total_amount_with_taxes_cents
    if after.status == "cancelled":
        # A cancelled order holds no open authorization and no unrefunded capture.
        from orders import selectors

        for auth in Transaction.objects.filter(order=order, kind="authorizations"):
            assert selectors.capture_balance(auth) == 0
        for capture in Transaction.objects.filter(order=order, kind="captures"):
            assert selectors.refund_balance(capture) == 0
    if after.payment_status == "paid":
        captured = Transaction.objects.filter(order=order, kind="captures")
        assert sum(c.amount_cents for c in captured) == after.total_amount_with_taxes_cents

    # The cart helpers.
    if trigger == "_archive":
        assert after.archived_at is not None
    if trigger == "_unarchive":
        assert after.archived_at is None
    if trigger in ("_refresh", "_update_taxes"):
        assert after.refreshed_at > was["refreshed_at"]
    if trigger in ("_billing_address_clone_id", "_shipping_address_clone_id"):
        field = trigger[1:].replace("_clone_id", "")
        address = getattr(after, field)
        assert address.line_1 == "9 Clone Road"
        assert address.pk != was[f"{field}_id"]
    if trigger == "_shipping_address_same_as_billing":
        assert after.shipping_address.line_1 == after.billing_address.line_1
        assert after.shipping_address_id != after.billing_address_id
    if trigger == "_nullify_payment_source":
        assert after.payment_source_id is None
    if trigger == "_authorization_amount_cents":
        assert after.authorization_amount_cents == 500


def shop_stock(order) -> int:
    from inventory.models import StockItem

    return StockItem.objects.get(sku__code="ORD-1").quantity
