"""The order, shipment and payment tables (orders.transitions): every state a table names is
reachable from the first one, and the statuses nothing enters have no moves."""

import pytest

from orders.models import PAYMENT_STATUSES
from orders.transitions import (
    ORDER_STATUSES,
    ORDER_TRANSITIONS,
    PAYMENT_TRIGGERS,
    SHIPMENT_TRANSITIONS,
    payment_allows,
    payment_status,
)


def reachable(table: dict, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        status = todo.pop()
        for (source, _), target in table.items():
            if source == status and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize(
    ("table", "start"), [(ORDER_TRANSITIONS, "draft"), (SHIPMENT_TRANSITIONS, "draft")]
)
def test_every_state_in_a_table_is_reachable(table, start):
    named = {source for source, _ in table} | set(table.values())
    assert named - reachable(table, start) == set()


def test_placing_and_editing_are_statuses_without_moves_yet():
    assert {"placing", "editing"} <= set(ORDER_STATUSES)
    named = {source for source, _ in ORDER_TRANSITIONS} | set(ORDER_TRANSITIONS.values())
    assert named & {"placing", "editing"} == set()
    assert named <= set(ORDER_STATUSES)


def test_the_payment_table_names_payment_statuses_only():
    assert set(PAYMENT_TRIGGERS) <= set(PAYMENT_STATUSES)
    assert not payment_allows("unpaid", "_capture")
    assert not payment_allows("refunded", "refund")
    assert payment_allows("partially_paid", "_refund")


@pytest.mark.parametrize(
    ("sums", "expected"),
    [
        ({}, "unpaid"),
        ({"authorized": 1000}, "authorized"),
        ({"authorized": 400}, "partially_authorized"),
        ({"authorized": 1000, "captured": 300}, "partially_paid"),
        ({"authorized": 1000, "captured": 1000}, "paid"),
        ({"authorized": 1000, "voided": 1000}, "voided"),
        ({"authorized": 1000, "captured": 1000, "refunded": 200}, "partially_refunded"),
        ({"authorized": 1000, "captured": 1000, "refunded": 1000}, "refunded"),
    ],
)
def test_the_payment_status_follows_the_transactions(sums, expected):
    amounts = {"authorized": 0, "captured": 0, "voided": 0, "refunded": 0} | sums
    assert payment_status(total=1000, **amounts) == expected
