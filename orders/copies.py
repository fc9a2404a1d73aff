"""Order copies (reorders, aftersale.md §4): the copy's state machine and its options, pure
rules without I/O (the copy itself is orders.services.copies).

A copy is made `pending` by the API and run once, by the task worker, in one transaction:
`pending` -> `in_progress` -> `completed` or `failed`; `aborted` when its source order is gone
when the worker starts it. Only a `pending` copy is run: a task run twice finds the copy
moved on and does nothing.
"""

from commerce.exceptions import InvalidTransition

COPY_STATUSES = ("pending", "in_progress", "aborted", "failed", "completed")
COPY_TRANSITIONS = {
    ("pending", "start"): "in_progress",
    # The source order was deleted before the worker took the copy (unconfirmed: CL's docs name
    # the status only).
    ("pending", "abort"): "aborted",
    ("in_progress", "complete"): "completed",
    ("in_progress", "fail"): "failed",
}
# What each trigger is called in an error ("cannot transition from completed to in_progress").
COPY_TARGETS = {
    "start": "in_progress",
    "abort": "aborted",
    "complete": "completed",
    "fail": "failed",
}
# The timestamp each status stamps when entered (resources.md has none for `aborted`).
COPY_STAMPS = {"in_progress": "started_at", "completed": "completed_at", "failed": "failed_at"}

# The create-only options and their defaults (aftersale.md §4).
COPY_OPTIONS = {
    "place_target_order": False,
    "reuse_wallet": True,
    "cancel_source_order": False,
    "apply_promotions": False,
    "skip_errors": False,
    "ignore_invalid_coupon": False,
}
# The options only an integration token may send (aftersale.md §6: a customer's is a 400).
INTEGRATION_ONLY_OPTIONS = ("place_target_order", "cancel_source_order")


def next_copy_status(status: str, trigger: str) -> str:
    new = COPY_TRANSITIONS.get((status, trigger))
    if new is None:
        raise InvalidTransition(status, COPY_TARGETS.get(trigger, trigger))
    return new


def runnable(status: str) -> bool:
    """Whether the worker acts on a copy in `status`: only on one nobody has run yet."""
    return status == "pending"


def log_error(log: dict[str, list[str]], name: str, message: str) -> None:
    """Add `message` under `name` to an `errors_log` ({name: [messages]}), once."""
    messages = log.setdefault(name, [])
    if message not in messages:
        messages.append(message)


def errors_count(log: dict[str, list[str]]) -> int:
    return sum(len(messages) for messages in log.values())
