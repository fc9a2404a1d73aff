"""Every return trigger from every return status, over HTTP with an integration token
(aftersale.md §3's table).

An allowed trigger moves `status` as the table says, stamps its `*_at`, records its event (and
the refund's transaction, the restock's stock moves); every other one is a 422 whose
`source.pointer` is `/data/attributes/status`, and nothing at all changes: the order, its
transactions, stock, returns, return line items, counters and the event outbox are compared
before and after.
"""

import pytest
from django.db import transaction

from inventory.models import StockItem
from orders.models import Transaction
from returns.models import Return
from tests.orders.conftest import events_since, last_event_id
from tests.returns.conftest import STEPS_TO, paid_order, return_with, sku_line, snapshot

pytestmark = [pytest.mark.django_db]

STATUSES = list(STEPS_TO)
TRIGGERS = [
    "_request",
    "_approve",
    "_cancel",
    "_ship",
    "_receive",
    "_reject",
    "_refund",
    "_restock",
    "_archive",
    "_unarchive",
]

# (status, trigger) -> (status after, return events)
ALLOWED = {
    ("draft", "_request"): ("requested", ["returns.request"]),
    ("draft", "_cancel"): ("cancelled", ["returns.cancel"]),
    ("requested", "_approve"): ("approved", ["returns.approve"]),
    ("requested", "_cancel"): ("cancelled", ["returns.cancel"]),
    ("requested", "_receive"): ("received", ["returns.receive"]),
    ("approved", "_cancel"): ("cancelled", ["returns.cancel"]),
    ("approved", "_ship"): ("shipped", ["returns.ship"]),
    ("approved", "_receive"): ("received", ["returns.receive"]),
    ("shipped", "_receive"): ("received", ["returns.receive"]),
    ("shipped", "_reject"): ("rejected", ["returns.reject"]),
    ("received", "_refund"): ("refunded", ["returns.refund"]),
    ("received", "_restock"): ("received", ["returns.restock"]),
    ("refunded", "_restock"): ("refunded", ["returns.restock"]),
}
for _status in STATUSES:
    ALLOWED[(_status, "_archive")] = (_status, [])
    ALLOWED[(_status, "_unarchive")] = (_status, [])

STAMPS = {
    "approved": "approved_at",
    "cancelled": "cancelled_at",
    "shipped": "shipped_at",
    "rejected": "rejected_at",
    "received": "received_at",
    "refunded": "refunded_at",
}


class _Undo(Exception):
    pass


@pytest.mark.parametrize("status", STATUSES)
def test_every_return_trigger_from_every_status(integration, shop, status, subtests):
    order = paid_order(integration, shop)
    line = sku_line(order)
    ret = return_with(integration, order, [(line, 1)], status=status)
    assert ret["attributes"]["status"] == status
    for trigger in TRIGGERS:
        with subtests.test(trigger=trigger):
            try:
                with transaction.atomic():
                    check_trigger(integration, order, ret["id"], status, trigger)
                    raise _Undo
            except _Undo:
                pass


def check_trigger(api, order, return_id, status, trigger):
    before = snapshot(order)
    mark = last_event_id()
    stock_before = dict(StockItem.objects.values_list("pk", "quantity"))
    response = api.update("returns", return_id, {trigger: True})

    expected = ALLOWED.get((status, trigger))
    if expected is None:
        assert response.status_code == 422, response.json()
        errors = response.json()["errors"]
        assert [(e["code"], e["source"]["pointer"]) for e in errors] == [
            ("VALIDATION_ERROR", "/data/attributes/status")
        ], errors
        assert snapshot(order) == before
        return

    assert response.status_code == 200, response.json()
    assert response.json() == api.get(f"/api/returns/{return_id}").json()
    new_status, return_events = expected
    ret = Return.objects.get(public_id=return_id)
    assert response.json()["data"]["attributes"]["status"] == ret.status == new_status
    events = events_since(mark)
    assert [t for t, rid in events if t.startswith("returns.")] == return_events
    assert all(rid == return_id for t, rid in events if t.startswith("returns."))
    stamp = STAMPS.get(new_status)
    if stamp and new_status != status:
        assert getattr(ret, stamp) is not None
        assert before["returns"][0][stamp] is None
    if trigger == "_archive":
        assert ret.archived_at is not None
    if trigger == "_unarchive":
        assert ret.archived_at is None

    new_transactions = Transaction.objects.filter(order=order).exclude(
        pk__in=[t["id"] for t in before["transactions"]]
    )
    if trigger == "_refund":
        (refund,) = new_transactions
        assert (refund.kind, refund.amount_cents) == ("refunds", 1500)
        assert ret.reference_refund_id == refund.pk
        assert ("refunds.create", refund.public_id) in events
        order.refresh_from_db()
        # A return's refund never cancels the order.
        assert (order.status, order.payment_status) == ("approved", "partially_refunded")
    else:
        assert not new_transactions.exists()

    stock_after = dict(StockItem.objects.values_list("pk", "quantity"))
    if trigger == "_restock":
        desk = StockItem.objects.get(stock_location=ret.stock_location, sku=sku_line(order).sku)
        assert stock_after[desk.pk] == stock_before.get(desk.pk, 0) + 1
        assert {pk: q for pk, q in stock_after.items() if pk != desk.pk} == {
            pk: q for pk, q in stock_before.items() if pk != desk.pk
        }
        assert ("stock_items.update", desk.public_id) in events
    else:
        assert stock_after == stock_before
