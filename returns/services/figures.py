"""The stored figures of returns (returns.money): each return line item's `total_amount_cents`
and `estimated_refund_cents`, each return's `estimated_refund_amount_cents` and `skus_count`.

A line's shares depend on its other live return line items (the one that brings the line's
returned units to its quantity takes the remainder), so whatever changes the live items of an
order line (a return line item made, changed or deleted, a return cancelled or rejected)
recomputes every live item of that line, in every return of the order, and the sums of the
returns they belong to. The caller holds the order's row lock, which every write to the
order's returns takes first: the other returns' rows are written under it.

Choice (the spec is silent): the figures of a return that is refunded already may still move by
the remainder's cent when a sibling return of the same line is cancelled; what it refunded is
the refund transaction's amount and never changes.
"""

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.compiled import update_rows
from returns.models import Return, ReturnLineItem
from returns.money import LineFigures, Returned, returned_figures
from returns.transitions import LIVE_STATUSES


def refresh_figures(ret: Return, line_item_ids, *, returns=()) -> Return:
    """Recompute the live return line items of these order lines (`line_item_ids`) and the
    sums of `ret` (the return in hand, updated in place and saved by the caller), of the
    returns holding those items and of `returns` (ids: returns that lost an item)."""
    ids = set(line_item_ids)
    items = list(
        ReturnLineItem.objects.filter(line_item_id__in=ids, return_record__status__in=LIVE_STATUSES)
        .select_related("line_item")
        .order_by("created_at", "id")
    )
    by_line: dict[int, list[ReturnLineItem]] = {}
    for item in items:
        by_line.setdefault(item.line_item_id, []).append(item)
    changed = []
    for group in by_line.values():
        line = group[0].line_item
        figures = returned_figures(
            LineFigures(
                quantity=line.quantity,
                unit_amount_cents=line.unit_amount_cents,
                discount_cents=line.discount_cents,
                tax_amount_cents=line.tax_amount_cents,
                tax_included=ret.order.tax_included,
            ),
            [Returned(item.pk, item.quantity) for item in group],
        )
        for item in group:
            new = figures[item.pk]
            if (item.total_amount_cents, item.estimated_refund_cents) != (
                new.total_amount_cents,
                new.estimated_refund_cents,
            ):
                item.total_amount_cents = new.total_amount_cents
                item.estimated_refund_cents = new.estimated_refund_cents
                item.updated_at = timezone.now()
                changed.append(item)
    if changed:
        update_rows(changed, ["total_amount_cents", "estimated_refund_cents", "updated_at"])
    return_ids = {item.return_record_id for item in items} | set(returns) | {ret.pk}
    _refresh_sums(ret, return_ids)
    return ret


def _refresh_sums(ret: Return, return_ids: set[int]) -> None:
    sums = {
        row["return_record_id"]: row
        for row in ReturnLineItem.objects.filter(return_record_id__in=return_ids)
        .values("return_record_id")
        .annotate(
            estimate=Coalesce(Sum("estimated_refund_cents"), 0),
            units=Coalesce(Sum("quantity"), 0),
        )
        .order_by()
    }
    now = timezone.now()
    for return_id in sorted(return_ids):
        row = sums.get(return_id, {"estimate": 0, "units": 0})
        if return_id == ret.pk:
            ret.estimated_refund_amount_cents = row["estimate"]
            ret.skus_count = row["units"]
            continue
        Return.objects.filter(pk=return_id).exclude(
            estimated_refund_amount_cents=row["estimate"], skus_count=row["units"]
        ).update(
            estimated_refund_amount_cents=row["estimate"], skus_count=row["units"], updated_at=now
        )
