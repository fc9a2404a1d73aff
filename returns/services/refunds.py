"""Refunding a return (aftersale.md §3 "Refund"): `_refund` of a received return, with
`_refund_amount_cents` or by default its estimated refund.

The capture is the return's `reference_capture` when set, else the order's latest succeeded
capture with something left to refund (none: 422 on `reference_capture`). The amount must be
between 1 and that capture's refund balance (else 422 on `_refund_amount_cents`, with the
balance as `meta.count`), read under the order's row lock, which every refund of the order
takes first: two refunds of one capture never take more than it holds. The refund goes through
the capture's gateway (orders.services.payments.refund: Stripe, an external gateway, or the
manual one), is recorded as a `refunds` transaction linked to the return (`reference_refund`;
the capture refunded becomes its `reference_capture`, which a capture's `return` names), and
the order's `payment_status` follows (`partially_refunded`, `refunded` once nothing
captured is left). A return's refund never cancels the order and never gives a gift card's
balance back: only the order's own `_refund` and `_cancel` do.
"""

from commerce.exceptions import ValidationError
from commerce.services import write_fields
from orders.models import Transaction
from orders.selectors import captures_with_balance, refund_balance
from orders.services import payments
from orders.services.statuses import refresh_payment_status, save_order
from returns.models import Return
from returns.services.statuses import move_return
from returns.transitions import next_return_status


def _capture_for(ret: Return) -> Transaction:
    if ret.reference_capture_id is not None:
        capture = Transaction.objects.select_related("order", "payment_source__payment_gateway")
        return capture.get(pk=ret.reference_capture_id)
    captures = captures_with_balance(ret.order)
    if not captures:
        raise ValidationError(
            "reference_capture",
            "the order has no capture left to refund",
            error="blank",
            relationship=True,
        )
    latest = captures[-1]
    return Transaction.objects.select_related("payment_source__payment_gateway").get(pk=latest.pk)


def refund_return(ret: Return, value=True, *, ctx=None, params=None) -> Return:
    next_return_status(ret.status, "refund")  # the state first, then the money
    order = ret.order
    capture = _capture_for(ret)
    capture.order = order  # the locked order: the transaction is recorded on it
    balance = refund_balance(capture)
    amount = (params or {}).get("_refund_amount_cents")
    if amount is None:
        amount = ret.estimated_refund_amount_cents
    if not 1 <= amount <= balance:
        raise ValidationError(
            "_refund_amount_cents",
            f"must be between 1 and {balance}",
            error="less_than_or_equal_to",
            count=balance,
        )
    refund = payments.refund(capture, amount, trigger="_refund")
    # The capture refunded becomes the return's (a capture's `return` names it).
    ret.reference_capture_id = capture.pk
    ret.reference_refund = refund
    write_fields(ret, ["reference_capture", "reference_refund", "updated_at"])
    refresh_payment_status(order)
    save_order(order)
    return move_return(ret, "refund", amount_cents=amount, refund=refund.public_id)
