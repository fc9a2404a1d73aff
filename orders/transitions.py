"""The state machines of orders, shipments and payments: pure tables and predicates, no I/O.

`{(status, trigger): new_status}`; `next_*_status` raises InvalidTransition (a 422 pointing at
`status`) for any move not in the table. Services look the move up under the row lock, then
carry out the effects as explicit steps; one function per machine assigns the status
(orders.services.statuses).

The payment status is derived, not moved: `payment_status` computes it from the sums of the
order's recorded transactions, and `PAYMENT_TRIGGERS` says which triggers each value allows.
"""

from commerce.exceptions import InvalidTransition

# --- orders --------------------------------------------------------------------------------

ORDER_STATUSES = ("draft", "pending", "placing", "placed", "editing", "approved", "cancelled")
# `placing` (an asynchronous place) is a status Commerce Layer has; nothing enters it yet
# (orders.md), so it has no moves.
ORDER_TRANSITIONS = {
    ("draft", "pending"): "pending",  # the cart has sku lines and an email
    ("pending", "place"): "placed",
    ("placed", "approve"): "approved",
    # An operator reopens a placed order, changes it and closes it again (aftersale.md §1).
    ("placed", "start_editing"): "editing",
    ("editing", "stop_editing"): "placed",
    ("pending", "cancel"): "cancelled",
    ("placed", "cancel"): "cancelled",
    ("editing", "cancel"): "cancelled",
    ("approved", "cancel"): "cancelled",
    # A full refund cancels the order (Commerce Layer's table).
    ("approved", "refund"): "cancelled",
    ("placed", "refund"): "cancelled",
}

# What each trigger is called in an error ("cannot transition from draft to placed").
ORDER_TARGETS = {
    "pending": "pending",
    "place": "placed",
    "approve": "approved",
    "start_editing": "editing",
    "stop_editing": "placed",
    "cancel": "cancelled",
    "refund": "cancelled",
}

# The timestamp each order trigger stamps (stopping an edit places the order again, and keeps
# when it was first placed).
ORDER_STAMPS = {
    "place": "placed_at",
    "approve": "approved_at",
    "cancel": "cancelled_at",
    "refund": "cancelled_at",
}

CART_STATUSES = ("draft", "pending")
# The statuses whose lines change and whose figures, shipments and plan follow: a cart, and an
# order an operator is editing (aftersale.md §1).
EDITABLE_STATUSES = (*CART_STATUSES, "editing")


def is_cart(status: str) -> bool:
    """A cart (draft or pending) is still built by its shopper: lines, addresses and methods
    change, its figures follow; once placed it is frozen."""
    return status in CART_STATUSES


def is_editable(status: str) -> bool:
    """A cart, or an order being edited: its lines change and its figures follow."""
    return status in EDITABLE_STATUSES


def becomes_pending(status: str, *, has_sku_lines: bool, has_customer: bool) -> bool:
    """A draft with sku lines and an email (or a customer) is pending (orders.md)."""
    return status == "draft" and has_sku_lines and has_customer


def next_order_status(status: str, trigger: str) -> str:
    return _next(ORDER_TRANSITIONS, ORDER_TARGETS, status, trigger)


def can_order(status: str, trigger: str) -> bool:
    return (status, trigger) in ORDER_TRANSITIONS


# --- shipments -----------------------------------------------------------------------------

SHIPMENT_TRANSITIONS = {
    ("draft", "upcoming"): "upcoming",  # the order is placed
    ("on_hold", "upcoming"): "upcoming",
    ("upcoming", "picking"): "picking",  # the order is approved and its payment covers it
    ("on_hold", "picking"): "picking",
    ("upcoming", "on_hold"): "on_hold",
    ("picking", "on_hold"): "on_hold",
    ("packing", "on_hold"): "on_hold",
    ("picking", "packing"): "packing",
    ("packing", "ready_to_ship"): "ready_to_ship",
    ("ready_to_ship", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
    ("draft", "cancel"): "cancelled",
    ("upcoming", "cancel"): "cancelled",
    ("on_hold", "cancel"): "cancelled",
    ("picking", "cancel"): "cancelled",
    ("packing", "cancel"): "cancelled",
    ("ready_to_ship", "cancel"): "cancelled",
}

SHIPMENT_TARGETS = {
    "upcoming": "upcoming",
    "picking": "picking",
    "on_hold": "on_hold",
    "packing": "packing",
    "ready_to_ship": "ready_to_ship",
    "ship": "shipped",
    "deliver": "delivered",
    "cancel": "cancelled",
}

SHIPPED = ("shipped", "delivered")
# The shipments a cancelled order cancels: every one not shipped yet.
UNSHIPPED = tuple(s for s, trigger in SHIPMENT_TRANSITIONS if trigger == "cancel")
# The moves the order itself makes; an operator makes the others (inventory.md "Shipments").
ORDER_DRIVEN_SHIPMENT_TRIGGERS = ("cancel",)
# An operator's moves that need the order approved and its payment to cover it.
FULFILLMENT_TRIGGERS = ("picking", "packing", "ready_to_ship", "ship", "deliver")


def next_shipment_status(status: str, trigger: str) -> str:
    return _next(SHIPMENT_TRANSITIONS, SHIPMENT_TARGETS, status, trigger)


def can_shipment(status: str, trigger: str) -> bool:
    return (status, trigger) in SHIPMENT_TRANSITIONS


def fulfillment_status(current: str, skus_count: int, statuses: list[str]) -> str:
    """Derived from the shipments' statuses: unfulfilled until a shipment is picking;
    in_progress; fulfilled when every live shipment is shipped or delivered (and one is);
    not_required when nothing ships (`current` is kept for an order without sku units)."""
    if not statuses:
        return "not_required" if skus_count else current
    live = [s for s in statuses if s != "cancelled"]
    if not live:
        return "unfulfilled"
    if all(s in SHIPPED for s in live):
        return "fulfilled"
    if any(s not in ("draft", "upcoming", "on_hold") for s in live):
        return "in_progress"
    return "unfulfilled"


# --- payments ------------------------------------------------------------------------------

# Which triggers each payment status allows: the order's `_approve`, `_capture` (its open
# authorization) and `_refund` (every capture), and the transactions' own `capture` and `void`
# (an authorization's) and `refund` (a capture's). A status not listed allows none.
PAYMENT_TRIGGERS = {
    "authorized": frozenset({"_approve", "_capture", "capture", "void"}),
    "partially_authorized": frozenset({"capture", "void"}),
    "partially_paid": frozenset({"_capture", "_refund", "capture", "void", "refund"}),
    "paid": frozenset({"_approve", "_refund", "refund"}),
    "partially_refunded": frozenset({"_approve", "_refund", "refund"}),
    "free": frozenset({"_approve"}),
}


def payment_allows(payment_status: str, trigger: str) -> bool:
    return trigger in PAYMENT_TRIGGERS.get(payment_status, ())


def payment_status(
    *, total: int, authorized: int, captured: int, voided: int, refunded: int
) -> str:
    """The one derived function of an order's succeeded transactions (aftersale.md §1), the
    first rule that holds:

        total = 0 and authorized = 0     free
        refunded > 0                     refunded if refunded >= captured, else
                                         partially_refunded
        captured > 0                     paid if captured >= total, else partially_paid
        net = authorized - voided = 0    voided if voided > 0, else unpaid
        net >= total                     authorized
        net > 0                          partially_authorized

    (`partially_voided` is never produced: a void releases an authorization's remainder, and
    what stays authorized says the rest.)"""
    if total == 0 and authorized == 0:
        return "free"
    if refunded > 0:
        return "refunded" if refunded >= captured else "partially_refunded"
    if captured > 0:
        return "paid" if captured >= total else "partially_paid"
    net = authorized - voided
    if net <= 0:
        return "voided" if voided > 0 else "unpaid"
    return "authorized" if net >= total else "partially_authorized"


def payment_covers(*, total: int, captured: int, refunded: int, **_) -> bool:
    """ "The payment covers the order" (aftersale.md §1): what was captured and not refunded is
    at least its total (a free order's 0 included). Sends an approved order's shipments to
    picking; never inferred from the status name alone (an order edited down to less than it
    was paid is `partially_refunded` once the excess is refunded, and covered)."""
    return captured - refunded >= total


# --- gift cards ----------------------------------------------------------------------------

# catalog.md "Gift cards". One function assigns the status
# (orders.services.gift_card_balance.move_gift_card); the balance moves that bring `redeem`
# and `restore` are said by `gift_card_balance_move`.
# Its statuses: orders.models.GIFT_CARD_STATUSES.
GIFT_CARD_TRANSITIONS = {
    ("draft", "purchase"): "inactive",  # `_purchase`, or `_place` of the order buying it
    # CL: "must be activated before being used"; an operator may issue a card straight away.
    ("draft", "activate"): "active",
    ("inactive", "activate"): "active",
    ("active", "deactivate"): "inactive",
    ("active", "redeem"): "redeemed",  # balance 0, or a single-use card used once
    ("redeemed", "restore"): "active",  # a cancel, a full refund or a recharge gave balance
}
GIFT_CARD_TARGETS = {
    "purchase": "inactive",
    "activate": "active",
    "deactivate": "inactive",
    "redeem": "redeemed",
    "restore": "active",
}


def next_gift_card_status(status: str, trigger: str) -> str:
    return _next(GIFT_CARD_TRANSITIONS, GIFT_CARD_TARGETS, status, trigger)


def gift_card_balance_move(
    status: str, balance_cents: int, change_cents: int, *, spent_single_use: bool
) -> str | None:
    """The move a balance change brings, None for none. An active card left with nothing, or a
    single-use card an order just spent (`spent_single_use`), is redeemed; a redeemed card
    given balance back (a cancel, a full refund, a recharge) is active again, unless it is a
    single-use card still spent by its order (an edit gave back only part of what it took)."""
    if status == "active" and (balance_cents == 0 or (spent_single_use and change_cents < 0)):
        return "redeem"
    if status == "redeemed" and change_cents > 0 and balance_cents > 0 and not spent_single_use:
        return "restore"
    return None


def _next(table, targets, status, trigger):
    try:
        return table[(status, trigger)]
    except KeyError:
        raise InvalidTransition(status, targets.get(trigger, trigger)) from None
