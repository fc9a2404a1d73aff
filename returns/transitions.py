"""The return's state machine (aftersale.md §3): a pure table and its predicates, no I/O.

`{(status, trigger): new_status}`; `next_return_status` raises InvalidTransition (a 422 on
`/data/attributes/status`, "cannot transition from draft to received") for any move not in it.
`_restock`, `_archive` and `_unarchive` keep the status: they are guarded by the predicates
below, not moves of the table. One function assigns the status
(returns.services.statuses.move_return).
"""

from commerce.exceptions import InvalidTransition

RETURN_STATUSES = (
    "draft",
    "requested",
    "approved",
    "cancelled",
    "shipped",
    "rejected",
    "received",
    "refunded",
)

RETURN_TRANSITIONS = {
    ("draft", "request"): "requested",
    ("requested", "approve"): "approved",
    ("draft", "cancel"): "cancelled",
    ("requested", "cancel"): "cancelled",
    ("approved", "cancel"): "cancelled",
    ("approved", "ship"): "shipped",
    ("requested", "receive"): "received",
    ("approved", "receive"): "received",
    ("shipped", "receive"): "received",
    ("shipped", "reject"): "rejected",
    ("received", "refund"): "refunded",
}

# What each trigger is called in an error ("cannot transition from draft to received").
RETURN_TARGETS = {
    "request": "requested",
    "approve": "approved",
    "cancel": "cancelled",
    "ship": "shipped",
    "receive": "received",
    "reject": "rejected",
    "refund": "refunded",
}

# The timestamp each status stamps when entered (`requested` has none in resources.md).
RETURN_STAMPS = {
    "approved": "approved_at",
    "cancelled": "cancelled_at",
    "shipped": "shipped_at",
    "rejected": "rejected_at",
    "received": "received_at",
    "refunded": "refunded_at",
}

# Returns whose units count against what may still be returned (drafts count: unconfirmed).
DEAD_STATUSES = ("cancelled", "rejected")
LIVE_STATUSES = tuple(s for s in RETURN_STATUSES if s not in DEAD_STATUSES)
# What a customer may cancel (an operator: every status the table cancels from).
CUSTOMER_CANCELLABLE = ("draft", "requested")
# When the line items may change: a customer's while draft, an operator's while requested too.
CUSTOMER_EDITABLE = ("draft",)
OPERATOR_EDITABLE = ("draft", "requested")
# When the stock location may change, and when the units may be restocked.
LOCATION_EDITABLE = ("draft", "requested")
RESTOCKABLE = ("received", "refunded")
DELETABLE = ("draft",)


def next_return_status(status: str, trigger: str) -> str:
    try:
        return RETURN_TRANSITIONS[(status, trigger)]
    except KeyError:
        raise InvalidTransition(status, RETURN_TARGETS.get(trigger, trigger)) from None


def can_return(status: str, trigger: str) -> bool:
    return (status, trigger) in RETURN_TRANSITIONS


def is_live(status: str) -> bool:
    """A return whose units count against the line's returnable quantity."""
    return status not in DEAD_STATUSES


def lines_editable(status: str, *, integration: bool) -> bool:
    return status in (OPERATOR_EDITABLE if integration else CUSTOMER_EDITABLE)


def customer_may_cancel(status: str) -> bool:
    return status in CUSTOMER_CANCELLABLE


def returnable_order(status: str, fulfillment_status: str) -> bool:
    """An order takes returns once approved and its fulfillment has started (CL)."""
    return status == "approved" and fulfillment_status in ("in_progress", "fulfilled")
