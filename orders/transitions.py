"""The state machines of orders and shipments: pure tables, no side effects.

`{(status, trigger): new_status}`; `next_status` raises InvalidTransition (a 422 pointing at
`status`) for any move not in the table. Services look the move up under the row lock, then
carry out the effects as explicit steps.
"""

from commerce.exceptions import InvalidTransition

ORDER_TRANSITIONS = {
    ("draft", "pending"): "pending",
    ("placing", "pending"): "pending",
    ("pending", "place"): "placed",
    ("placed", "approve"): "approved",
    ("pending", "cancel"): "cancelled",
    ("placed", "cancel"): "cancelled",
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
    "cancel": "cancelled",
    "refund": "cancelled",
}

SHIPMENT_TRANSITIONS = {
    ("draft", "upcoming"): "upcoming",  # the order is placed
    ("on_hold", "upcoming"): "upcoming",
    ("upcoming", "picking"): "picking",  # the order is approved and paid or free
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


def next_order_status(status: str, trigger: str) -> str:
    return _next(ORDER_TRANSITIONS, ORDER_TARGETS, status, trigger)


def next_shipment_status(status: str, trigger: str) -> str:
    return _next(SHIPMENT_TRANSITIONS, SHIPMENT_TARGETS, status, trigger)


def can_order(status: str, trigger: str) -> bool:
    return (status, trigger) in ORDER_TRANSITIONS


def can_shipment(status: str, trigger: str) -> bool:
    return (status, trigger) in SHIPMENT_TRANSITIONS


def _next(table, targets, status, trigger):
    try:
        return table[(status, trigger)]
    except KeyError:
        raise InvalidTransition(status, targets.get(trigger, trigger)) from None
