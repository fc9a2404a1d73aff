"""The order, shipment and payment tables (orders.transitions): every state a table names is
reachable from the first one, the statuses nothing enters have no moves, and an edit leaves
only as aftersale.md §1 says."""

import pytest

from orders.models import PAYMENT_STATUSES
from orders.transitions import (
    ORDER_STATUSES,
    ORDER_TRANSITIONS,
    PAYMENT_TRIGGERS,
    SHIPMENT_TRANSITIONS,
    payment_allows,
    payment_covers,
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


def test_placing_is_a_status_without_moves_yet():
    assert "placing" in ORDER_STATUSES
    named = {source for source, _ in ORDER_TRANSITIONS} | set(ORDER_TRANSITIONS.values())
    assert "placing" not in named
    assert named <= set(ORDER_STATUSES)


def test_an_edit_starts_from_placed_and_ends_placed_or_cancelled():
    """aftersale.md §1: nothing but `_stop_editing` and `_cancel` leaves `editing`."""
    into = {source for (source, _), target in ORDER_TRANSITIONS.items() if target == "editing"}
    out = {
        (trigger, target)
        for (source, trigger), target in ORDER_TRANSITIONS.items()
        if source == "editing"
    }
    assert into == {"placed"}
    assert out == {("stop_editing", "placed"), ("cancel", "cancelled")}


def test_the_payment_table_names_payment_statuses_only():
    assert set(PAYMENT_TRIGGERS) <= set(PAYMENT_STATUSES)
    assert not payment_allows("unpaid", "_capture")
    assert not payment_allows("refunded", "refund")
    assert payment_allows("partially_paid", "_refund")
    assert payment_allows("partially_refunded", "_approve")  # orders.md's _approve guard


@pytest.mark.parametrize(
    ("total", "sums", "expected"),
    [
        (1000, {}, "unpaid"),
        (0, {}, "free"),
        (1000, {"authorized": 1000}, "authorized"),
        (1000, {"authorized": 400}, "partially_authorized"),
        (1000, {"authorized": 1000, "captured": 300}, "partially_paid"),
        (1000, {"authorized": 1000, "captured": 1000}, "paid"),
        (1000, {"authorized": 1000, "voided": 1000}, "voided"),
        (1000, {"authorized": 1000, "captured": 1000, "refunded": 200}, "partially_refunded"),
        (1000, {"authorized": 1000, "captured": 1000, "refunded": 1000}, "refunded"),
        # aftersale.md §1, where the old rules differed: a partial void leaves what stays
        # authorized to say the status (never partially_voided) ...
        (1000, {"authorized": 1000, "voided": 200}, "partially_authorized"),
        (800, {"authorized": 1000, "voided": 200}, "authorized"),
        # ... paid means captured covers the total, not the authorization (an order edited
        # down from 1000 to 800, captured 800, the rest released) ...
        (800, {"authorized": 1000, "captured": 800, "voided": 200}, "paid"),
        (1000, {"authorized": 1000, "captured": 500, "voided": 500}, "partially_paid"),
        # ... and a zero total is free only with nothing authorized.
        (0, {"authorized": 500}, "authorized"),
        (0, {"authorized": 500, "voided": 500}, "voided"),
    ],
)
def test_the_payment_status_follows_the_transactions(total, sums, expected):
    amounts = {"authorized": 0, "captured": 0, "voided": 0, "refunded": 0} | sums
    assert payment_status(total=total, **amounts) == expected


@pytest.mark.parametrize(
    ("total", "captured", "refunded", "covered"),
    [
        (1000, 0, 0, False),  # authorized only
        (1000, 1000, 0, True),  # paid
        (1000, 600, 0, False),  # partially paid
        (800, 1000, 200, True),  # edited down, the excess refunded: partially_refunded
        (1000, 1000, 200, False),  # partially refunded below the total
        (0, 0, 0, True),  # free
    ],
)
def test_the_payment_covers_the_order_when_captured_less_refunded_reaches_the_total(
    total, captured, refunded, covered
):
    assert payment_covers(total=total, captured=captured, refunded=refunded) is covered
