"""Return line items (aftersale.md §3): made, changed and deleted while their return is draft (a
customer's) or draft or requested (an operator's), each under the order's row lock, then the
return's, so that concurrent returns of one order never hold more units of a line than it has.

What may still be returned of a line: its quantity minus its units in the order's live returns
(every status but cancelled and rejected; drafts count, unconfirmed). Restocking is
returns.services.stock."""

from django.db.models import Sum

from commerce.auth.context import TokenContext
from commerce.events import record_destroyed
from commerce.exceptions import ValidationError
from commerce.services import save_record, write_fields
from orders.models import LineItem, Order
from returns.locks import lock_return, lock_return_line_item
from returns.models import Return, ReturnLineItem
from returns.services.figures import refresh_figures
from returns.transitions import LIVE_STATUSES, lines_editable

RETURNABLE_ITEM_TYPES = ("skus", "bundles")
PLAIN_FIELDS = ("return_reason", "reference", "reference_origin", "metadata")
# What changes the units or the reason: only while the return's lines may change.
GUARDED_FIELDS = ("quantity", "return_reason")


def returnable_units(line: LineItem, *, besides: ReturnLineItem | None = None) -> int:
    """The line's quantity minus its units in the order's live returns (but `besides`)."""
    taken = ReturnLineItem.objects.filter(
        line_item_id=line.pk, return_record__status__in=LIVE_STATUSES
    )
    if besides is not None:
        taken = taken.exclude(pk=besides.pk)
    return line.quantity - (taken.aggregate(units=Sum("quantity"))["units"] or 0)


def _check_quantity(line: LineItem, quantity: int, *, besides=None) -> None:
    left = returnable_units(line, besides=besides)
    if quantity > left:
        raise ValidationError(
            "quantity",
            f"must be less than or equal to {left}",
            error="less_than_or_equal_to",
            count=left,
        )


def _check_editable(ret: Return, ctx: TokenContext) -> None:
    if not lines_editable(ret.status, integration=ctx.is_integration):
        raise ValidationError(
            "return",
            f"is {ret.status}: its line items can't change",
            error="frozen",
            relationship=True,
        )


def _check_line(order: Order, line: LineItem) -> None:
    if line.order_id != order.pk or line.item_type not in RETURNABLE_ITEM_TYPES:
        raise ValidationError(
            "line_item",
            "must be a sku or bundle line of the return's order",
            error="invalid",
            relationship=True,
        )


def _refresh(ret: Return, line_ids) -> None:
    refresh_figures(ret, line_ids)
    write_fields(ret, ["estimated_refund_amount_cents", "skus_count", "updated_at"])


def create_return_line_item(*, ctx: TokenContext, values: dict) -> ReturnLineItem:
    ret = lock_return(values.pop("return_record"))
    _check_editable(ret, ctx)
    line = values.pop("line_item")
    _check_line(ret.order, line)
    quantity = values.pop("quantity")
    _check_quantity(line, quantity)
    item = ReturnLineItem(
        return_record=ret,
        line_item=line,
        currency_code=ret.currency_code,
        quantity=quantity,
        sku_code=line.sku_code,
        bundle_code=line.bundle_code,
        name=line.name,
        image_url=line.image_url,
        **{name: values[name] for name in PLAIN_FIELDS if name in values},
    )
    save_record(item, validate=[name for name in PLAIN_FIELDS if name in values])
    _refresh(ret, [line.pk])
    return item


def update_return_line_item(
    item: ReturnLineItem, values: dict, *, ctx: TokenContext
) -> ReturnLineItem:
    """The item read again under the order's, the return's and its own row locks (the view
    hands it over unlocked), then changed; the triggers that follow get the locked copy."""
    item = lock_return_line_item(item)
    if not values:
        return item
    ret = item.return_record
    if any(name in values for name in GUARDED_FIELDS):
        _check_editable(ret, ctx)
    if "quantity" in values:
        _check_quantity(item.line_item, values["quantity"], besides=item)
    for name, value in values.items():
        setattr(item, name, value)
    save_record(item, validate=[n for n in values if n in PLAIN_FIELDS])
    if "quantity" in values:
        _refresh(ret, [item.line_item_id])
    return item


def delete_return_line_item(item: ReturnLineItem, *, ctx: TokenContext) -> None:
    item = lock_return_line_item(item)
    ret = item.return_record
    _check_editable(ret, ctx)
    line_id = item.line_item_id
    item.delete()
    record_destroyed([item])  # bulk.md "Events"
    _refresh(ret, [line_id])
