"""Row locks of returns, after the order's (orders/locks.py writes the global order down): the
order row, then the return row, then stock items by primary key (inventory.locks). Every write
to a return or its line items locks the return's order first, so the order row is what
serialises the returns of one order: what may still be returned and what is left to refund are
read under it."""

from orders.locks import lock_order
from orders.models import Order
from returns.models import Return, ReturnLineItem

RETURN_LOCK_RELATED = ("stock_location", "reference_capture")


def lock_return(ret: Return, *, order: Order | None = None) -> Return:
    """Re-read the return under its row lock, after its order's (`order`: locked already, as
    the API's write path does through `locked_through`); the locked order is attached."""
    order = order if order is not None else lock_order(Order(pk=ret.order_id))
    locked = (
        Return.objects.select_for_update(of=("self",))
        .select_related(*RETURN_LOCK_RELATED)
        .get(pk=ret.pk)
    )
    locked.order = order
    return locked


def lock_return_line_item(line: ReturnLineItem) -> ReturnLineItem:
    """The order, the return, then the return line item, each under its row lock."""
    ret = lock_return(Return(pk=line.return_record_id, order_id=_order_id(line)))
    locked = (
        ReturnLineItem.objects.select_for_update(of=("self",))
        .select_related("line_item__sku")
        .get(pk=line.pk)
    )
    locked.return_record = ret
    return locked


def _order_id(line: ReturnLineItem) -> int:
    if "return_record" in line._state.fields_cache:
        return line.return_record.order_id
    return Return.objects.filter(pk=line.return_record_id).values_list("order_id", flat=True).get()
