"""Restocking a return (aftersale.md §3 "Restock"): the units of each return line item not
restocked yet go back on hand at the return's stock location.

Under the order's and the return's row locks, the stock items of the SKUs at that location are
locked by primary key (inventory.locks; one made at 0 first where missing) and increased with
F(); each line item gets `restocked_at` and its restocked count. A `do_not_track` SKU only gets
`restocked_at`. A bundle line puts back its components (its stock line items say how many of
each one bundle holds). The shipping locations are untouched: the stock left them at approval.

Choices (the spec is silent): a line item is "restocked" once it has `restocked_at`;
`_reset_restocked_quantity` (integration only) clears both the count and `restocked_at`, so the
line can be restocked again after a mistaken restock, and takes nothing off the shelf (an
operator corrects the stock item if units were put back by mistake); it changes nothing about
what may be returned.
"""

from collections import defaultdict

from django.utils import timezone

from commerce.compiled import update_rows
from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError
from commerce.services import write_fields
from inventory.locks import lock_stock_items_for
from inventory.models import StockItem
from inventory.services import put_back
from orders.models import StockLineItem
from returns.locks import lock_return_line_item
from returns.models import Return, ReturnLineItem
from returns.transitions import RESTOCKABLE


def _check_restockable(ret: Return) -> None:
    if ret.status not in RESTOCKABLE:
        raise InvalidTransition(
            ret.status, "restocked", message=f"a {ret.status} return can't be restocked"
        )
    if ret.stock_location_id is None:
        raise ValidationError("stock_location", "can't be blank", error="blank", relationship=True)


def restock_return(ret: Return, value=True, *, ctx=None) -> Return:
    """`_restock` of a return: every line item not restocked yet (none left: 422)."""
    _check_restockable(ret)
    items = [
        item
        for item in ReturnLineItem.objects.filter(return_record=ret)
        .select_related("line_item__sku")
        .order_by("created_at", "id")
        if item.restocked_at is None
    ]
    if not items:
        raise ValidationError(
            "_restock", "every return line item is restocked already", error="restocked"
        )
    _restock(ret, items)
    return ret


def restock_return_line_item(item: ReturnLineItem, value=True, *, ctx=None) -> ReturnLineItem:
    """A return line item's own `_restock` (same guards, for its line only)."""
    ret = item.return_record
    _check_restockable(ret)
    if item.restocked_at is not None:
        raise ValidationError("_restock", "is restocked already", error="restocked")
    _restock(ret, [item])
    return item


def reset_restocked_quantity(item: ReturnLineItem, value=True, *, ctx=None) -> ReturnLineItem:
    if item.restocked_at is None and item.restocked_quantity == 0:
        raise ValidationError(
            "_reset_restocked_quantity", "nothing is restocked yet", error="invalid"
        )
    item.restocked_quantity = 0
    item.restocked_at = None
    write_fields(item, ["restocked_quantity", "restocked_at", "updated_at"])
    return item


def _restock(ret: Return, items: list[ReturnLineItem]) -> None:
    units = _units_by_sku(items)
    location_id = ret.stock_location_id
    if units:
        present = set(
            StockItem.objects.filter(
                stock_location_id=location_id, sku_id__in=list(units)
            ).values_list("sku_id", flat=True)
        )
        missing = [
            StockItem(stock_location_id=location_id, sku_id=sku_id, quantity=0)
            for sku_id in sorted(set(units) - present)
        ]
        if missing:
            # A concurrent restock may make the same one: its row is kept, ours skipped.
            StockItem.objects.bulk_create(missing, ignore_conflicts=True)
        locked = lock_stock_items_for(list(units), [location_id])  # pk order
        put_back({pk: units[item.sku_id] for pk, item in locked.items()})
    now = timezone.now()
    for item in items:
        item.restocked_at = item.updated_at = now
        if _tracked(item):  # a do_not_track SKU only gets restocked_at
            item.restocked_quantity += item.quantity
    update_rows(items, ["restocked_at", "restocked_quantity", "updated_at"])  # one statement
    emit_event(
        "returns.restock",
        ret,
        order=ret.order.public_id,
        return_line_items=[item.public_id for item in items],
        stock_location=ret.stock_location.public_id,
    )


def _tracked(item: ReturnLineItem) -> bool:
    line = item.line_item
    if line.item_type == "bundles":
        return True
    return line.sku is not None and not line.sku.do_not_track


def _units_by_sku(items: list[ReturnLineItem]) -> dict[int, int]:
    units: dict[int, int] = defaultdict(int)
    bundle_lines = [item.line_item_id for item in items if item.line_item.item_type == "bundles"]
    components: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if bundle_lines:
        for sli in StockLineItem.objects.filter(line_item_id__in=bundle_lines).select_related(
            "sku"
        ):
            if not sli.sku.do_not_track:
                components[sli.line_item_id][sli.sku_id] += sli.quantity
    for item in items:
        line = item.line_item
        if line.item_type == "bundles":
            # A bundle is returned whole: each unit puts back what one bundle holds.
            for sku_id, quantity in components[line.pk].items():
                units[sku_id] += quantity // line.quantity * item.quantity
        elif _tracked(item):
            units[line.sku_id] += item.quantity
    return dict(units)


def run_line_item_trigger(item: ReturnLineItem, name: str, *, ctx) -> ReturnLineItem:
    """A return line item trigger for an operator: the item re-read under the order's, the
    return's and its own row locks, then the trigger's service."""
    service = {"restock": restock_return_line_item, "reset": reset_restocked_quantity}[name]
    return service(lock_return_line_item(item), True, ctx=ctx)
