"""The back office's way to a return's triggers (the admin): the same services as the API's
`_<name>`, each on the return re-read under its order's row lock, then its own."""

from commerce.auth.context import TokenContext
from commerce.exceptions import ValidationError
from orders.models import Order
from returns.locks import lock_return
from returns.models import Return
from returns.services import line_items, refunds, stock
from returns.services import returns as return_services
from returns.services.line_items import RETURNABLE_ITEM_TYPES, returnable_units

# The return triggers, by name (the API's `_<name>`), in the table's order.
RETURN_TRIGGERS = {
    "request": return_services.request_return,
    "approve": return_services.approve_return,
    "cancel": return_services.cancel_return,
    "ship": return_services.ship_return,
    "receive": return_services.receive_return,
    "reject": return_services.reject_return,
    "refund": refunds.refund_return,
    "restock": stock.restock_return,
    "archive": return_services.archive_return,
    "unarchive": return_services.unarchive_return,
}


def run_operator_trigger(ret: Return, name: str, *, ctx: TokenContext, **params) -> Return:
    service = RETURN_TRIGGERS[name]
    locked = lock_return(ret)
    if name == "refund":
        return service(locked, True, ctx=ctx, params=params)
    return service(locked, True, ctx=ctx)


def create_whole_return(order: Order, *, ctx: TokenContext) -> Return:
    """The back office's "Create a return" on an order: a draft return holding every unit of
    its sku and bundle lines that no live return holds yet (none left: 422 on
    `return_line_items`), through the API's services."""
    ret = return_services.create_return(ctx=ctx, values={"order": order})
    made = 0
    for line in ret.order.line_items.filter(item_type__in=RETURNABLE_ITEM_TYPES).order_by("id"):
        left = returnable_units(line)
        if left > 0:
            line_items.create_return_line_item(
                ctx=ctx, values={"return_record": ret, "line_item": line, "quantity": left}
            )
            made += 1
    if not made:
        raise ValidationError(
            "return_line_items", "nothing is left to return", error="blank", relationship=True
        )
    return ret


def update_return(ret: Return, values: dict, *, ctx: TokenContext) -> Return:
    """An operator's edit of a return's notes or places, under its locks."""
    return return_services.update_return(lock_return(ret), values, ctx=ctx)


def delete_return(ret: Return, *, ctx: TokenContext) -> None:
    return_services.delete_return(lock_return(ret), ctx=ctx)
