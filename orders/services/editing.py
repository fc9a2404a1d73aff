"""Editing a placed order (aftersale.md §1): an operator reopens it with `_start_editing`,
changes its lines, addresses and shipments' methods as a cart's (orders.services.carts lets an
integration token do so while the order is `editing`), and closes it with `_stop_editing`.

Closing works as `_place` does, under the same locks: the order (the caller's), its gift card
(what the edit no longer takes of it goes back: catalog.md), then the stock items the new lines
could ship from together with those its reservations hold (pk order); the plan is strict,
counting the order's own reserved units as salable to it, and the old reservations are swapped
for new ones in the same transaction. The total may not grow past
what was placed; what it shrank by is released as §1 says (`release_difference`).
"""

from commerce.events import emit_event
from commerce.exceptions import ValidationError, ValidationErrors
from commerce.money import format_amount
from orders.locks import lock_order
from orders.models import Order
from orders.selectors import captures_with_balance, order_lines, transaction_sums
from orders.services import carts, gift_card_balance, payments, stock
from orders.services.lifecycle import lines_errors, plan_under_locks, shipping_errors
from orders.services.statuses import (
    move_order,
    move_shipment,
    refresh_payment_status,
    save_order,
)
from orders.transitions import next_order_status

# The payments an order may be edited with (aftersale.md §1): its money is authorized or taken
# whole, or there is none to take.
EDITABLE_PAYMENTS = ("authorized", "paid", "free")


def start_editing(order: Order, value=True, *, ctx=None) -> Order:
    """placed -> editing: reservations, shipments and transactions are kept."""
    next_order_status(order.status, "start_editing")
    if order.payment_status not in EDITABLE_PAYMENTS:
        raise ValidationError(
            "payment_status",
            f"can't edit an order whose payment is {order.payment_status}",
            error="invalid",
        )
    stock.keep_reservations(order)  # read through the stock line items, before they change
    move_order(order, "start_editing")
    save_order(order)
    emit_event("orders.start_editing", order)
    return order


def stop_editing(order: Order, value=True, *, ctx=None) -> Order:
    """editing -> placed, once every guard holds (all the problems at once, as `_place`);
    refused, the order stays `editing` and the request's transaction undoes the rest."""
    next_order_status(order.status, "stop_editing")
    lines = order_lines(order)
    card = gift_card_balance.hold_for_edit(order)  # its lock before the stock items'
    lines, shipments, shortages = plan_under_locks(order, lines)  # save_order writes it
    errors = lines_errors(lines) + shipping_errors(order, lines, shipments) + shortages
    errors += total_errors(order)
    if errors:
        raise ValidationErrors(errors)
    stock.swap_reservations(order, shipments)
    gift_card_balance.settle_edit(order, card)  # what the card no longer pays goes back to it
    released = order.place_total_amount_cents - order.total_amount_with_taxes_cents
    move_order(order, "stop_editing")
    order.place_total_amount_cents = order.total_amount_with_taxes_cents
    for shipment in shipments:
        if shipment.status == "draft":
            move_shipment(shipment, "upcoming")
    if released > 0:
        release_difference(order)
    refresh_payment_status(order)
    save_order(order, shipments)
    emit_event("orders.stop_editing", order)
    return order


def editing_limit(order: Order) -> int:
    """What an edit may bring the total up to: the amount placed (the last edit's total), and
    no more than an amount to authorize set below it (aftersale.md §1, P)."""
    limit = order.place_total_amount_cents
    if order.authorization_amount_cents is not None:
        limit = min(limit, order.authorization_amount_cents)
    return limit


def total_errors(order: Order) -> list[ValidationError]:
    limit = editing_limit(order)
    if order.total_amount_with_taxes_cents <= limit:
        return []
    return [
        ValidationError(
            "total_amount_with_taxes_cents",
            f"can't exceed the amount placed ({format_amount(limit, order.currency_code)})",
            error="less_than_or_equal_to",
            count=limit,
        )
    ]


def release_difference(order: Order) -> None:
    """The total shrank (aftersale.md §1). Authorized and not captured: nothing goes to the
    gateway now (Stripe, for one, can only void a whole authorization); `_capture` later takes
    the new total and voids the rest (orders.services.lifecycle.amount_to_capture). Captured
    already: what was taken beyond the new total is refunded, newest capture first. Free:
    nothing to release."""
    sums = transaction_sums(order)
    excess = sums["captured"] - sums["refunded"] - order.total_amount_with_taxes_cents
    for capture_tx in reversed(captures_with_balance(order)):
        if excess <= 0:
            break
        amount = min(excess, capture_tx.refund_balance_cents)
        payments.refund(capture_tx, amount, trigger="_stop_editing")
        excess -= amount


def edit_lines(order: Order, *, removed, changed, added, ctx) -> Order:
    """An operator's table of sku lines (the admin's "Edit lines"): the lines `removed`, the
    `changed` ones [(line, values)] and the `added` [(sku, quantity)], each through the API's
    line item service, the order locked first."""
    order = lock_order(order)
    for line in removed:
        line.order = order
        carts.delete_line_item(line, ctx=ctx)
    for line, values in changed:
        line.order = order
        carts.update_line_item(line, values, ctx=ctx)
    for sku, quantity in added:
        values = {"order": order, "sku": sku, "quantity": quantity}
        carts.create_line_item(ctx=ctx, values=values, merge=True)
    return order


# The editing triggers an operator may send from the admin, by name.
OPERATOR_TRIGGERS = {"start_editing": start_editing, "stop_editing": stop_editing}


def run_operator_trigger(order: Order, name: str, *, ctx) -> Order:
    """The API's `_<name>` for an operator: the order re-read under its row lock (orders.locks,
    step 1), then the trigger's service."""
    return OPERATOR_TRIGGERS[name](lock_order(order), True, ctx=ctx)
