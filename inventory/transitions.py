"""The stock transfer state machine: a pure table (see orders.transitions for the shape)."""

from commerce.exceptions import InvalidTransition

STOCK_TRANSFER_TRANSITIONS = {
    ("draft", "upcoming"): "upcoming",
    ("upcoming", "picking"): "picking",
    ("on_hold", "picking"): "picking",
    ("upcoming", "on_hold"): "on_hold",
    ("picking", "on_hold"): "on_hold",
    ("picking", "in_transit"): "in_transit",
    ("in_transit", "complete"): "completed",
    ("draft", "cancel"): "cancelled",
    ("upcoming", "cancel"): "cancelled",
    ("on_hold", "cancel"): "cancelled",
    ("picking", "cancel"): "cancelled",
    ("in_transit", "cancel"): "cancelled",
}
TARGETS = {
    "upcoming": "upcoming",
    "picking": "picking",
    "on_hold": "on_hold",
    "in_transit": "in_transit",
    "complete": "completed",
    "cancel": "cancelled",
}


def next_stock_transfer_status(status: str, trigger: str) -> str:
    try:
        return STOCK_TRANSFER_TRANSITIONS[(status, trigger)]
    except KeyError:
        raise InvalidTransition(status, TARGETS.get(trigger, trigger)) from None


# A transfer's fields change only while it is a draft; it is deleted only before it moved
# any stock or after it finished (inventory.md): under way, its units are spoken for.
EDITABLE_TRANSFER_STATUSES = frozenset({"draft"})
DELETABLE_TRANSFER_STATUSES = frozenset({"draft", "completed", "cancelled"})


def transfer_editable(status: str) -> bool:
    return status in EDITABLE_TRANSFER_STATUSES


def transfer_deletable(status: str) -> bool:
    return status in DELETABLE_TRANSFER_STATUSES
