"""A return's own services (aftersale.md §3): create, update and delete it, and its triggers that
only move its status (`_request`, `_approve`, `_cancel`, `_ship`, `_receive`, `_reject`) or
archive it. Restocking is returns.services.stock, refunding returns.services.refunds.

Each runs under the order's row lock, then the return's (the API's write path reads a return
`locked_through` its order; the admin goes through `run_operator_trigger`), asks the table
before anything moves, and leaves nothing written when it refuses.
"""

from django.utils import timezone

from commerce.auth.context import TokenContext
from commerce.counters import next_number
from commerce.events import emit_event, record_destroyed
from commerce.exceptions import InvalidTransition, ValidationError
from commerce.services import save_record, write_fields
from inventory.models import StockLocation
from orders.locks import lock_order
from orders.models import Order, Transaction
from returns.models import InventoryReturnLocation, Return, ReturnLineItem
from returns.services.figures import refresh_figures
from returns.services.statuses import move_return
from returns.transitions import (
    DELETABLE,
    LOCATION_EDITABLE,
    customer_may_cancel,
    next_return_status,
    returnable_order,
)

PLAIN_FIELDS = ("reference", "reference_origin", "metadata")


def return_locations(order: Order) -> list[StockLocation]:
    """The stock locations the order's market takes returns at, best (priority 1) first."""
    rows = InventoryReturnLocation.objects.filter(
        inventory_model_id=order.market.inventory_model_id
    ).select_related("stock_location")
    return [row.stock_location for row in rows.order_by("priority", "id")]


def _check_location(order: Order, location: StockLocation) -> None:
    if location.pk not in {loc.pk for loc in return_locations(order)}:
        raise ValidationError(
            "stock_location",
            "is not a return location of the order's inventory model",
            error="invalid",
            relationship=True,
        )


def _check_capture(order: Order, capture: Transaction) -> None:
    if capture.order_id != order.pk or capture.kind != "captures" or not capture.succeeded:
        raise ValidationError(
            "reference_capture",
            "must be a succeeded capture of the return's order",
            error="invalid",
            relationship=True,
        )


def create_return(*, ctx: TokenContext, values: dict) -> Return:
    """A draft return of an approved order whose fulfillment started (else 422 on `order`),
    numbered `<order number>/R/<nnn>`, at the stock location given (one of the market
    inventory model's return locations) or the best of them."""
    order = lock_order(values.pop("order"))
    if not returnable_order(order.status, order.fulfillment_status):
        raise ValidationError(
            "order",
            "must be approved, with its fulfillment in progress or fulfilled "
            f"(it is {order.status}, {order.fulfillment_status})",
            error="invalid",
            relationship=True,
        )
    location = values.pop("stock_location", None)
    if location is not None:
        _check_location(order, location)
    else:
        # Choice: an inventory model without return locations still makes a draft; `_request`
        # then asks for a stock location (422 on it).
        location = next(iter(return_locations(order)), None)
    capture = values.pop("reference_capture", None)
    if capture is not None:
        _check_capture(order, capture)
    # A counter per order: numbers are never reused, even after a draft is deleted.
    sequence = next_number(f"returns:{order.pk}")
    ret = Return(
        order=order,
        number=f"{order.number}/R/{sequence:03d}",
        customer_id=order.customer_id,
        customer_email=order.customer_email,
        currency_code=order.currency_code,
        stock_location=location,
        origin_address_id=order.shipping_address_id,
        destination_address_id=location.address_id if location is not None else None,
        reference_capture=capture,
        **{name: values[name] for name in PLAIN_FIELDS if name in values},
    )
    save_record(ret, validate=[name for name in PLAIN_FIELDS if name in values])
    emit_event("returns.create", ret, order=order.public_id, status=ret.status)
    return ret


def update_return(ret: Return, values: dict, *, ctx: TokenContext) -> Return:
    """The return (read under its order's lock, then its own) with its stock location (while
    draft or requested; a customer's while draft), its reference capture or its notes."""
    if not values:
        return ret
    order = ret.order
    if "stock_location" in values:
        location = values.pop("stock_location")
        editable = LOCATION_EDITABLE if ctx.is_integration else ("draft",)
        if ret.status not in editable:
            raise ValidationError(
                "stock_location",
                f"can't change once the return is {ret.status}",
                error="frozen",
                relationship=True,
            )
        if location is not None:
            _check_location(order, location)
        ret.stock_location = location
        ret.destination_address_id = location.address_id if location is not None else None
    if "reference_capture" in values:
        capture = values.pop("reference_capture")
        if ret.status == "refunded":
            raise ValidationError(
                "reference_capture",
                "can't change once the return is refunded",
                error="frozen",
                relationship=True,
            )
        if capture is not None:
            _check_capture(order, capture)
        ret.reference_capture = capture
    for name, value in values.items():
        setattr(ret, name, value)
    save_record(ret, validate=[n for n in values if n in PLAIN_FIELDS])
    return ret


def delete_return(ret: Return, *, ctx: TokenContext) -> None:
    """Only a draft return is deleted (aftersale.md §3); its units are returnable again."""
    if ret.status not in DELETABLE:
        raise ValidationError(
            "status", f"a {ret.status} return can't be deleted, only a draft", error="invalid"
        )
    line_ids = list(
        ReturnLineItem.objects.filter(return_record=ret).values_list("line_item_id", flat=True)
    )
    ret.delete()
    record_destroyed([ret])  # bulk.md "Events"
    if line_ids:
        # The siblings of its items in the order's other returns take new shares.
        others = Return.objects.filter(
            order_id=ret.order_id, return_line_items__line_item_id__in=line_ids
        ).first()
        if others is not None:
            others.order = ret.order
            refresh_figures(others, line_ids)
            write_fields(others, ["estimated_refund_amount_cents", "skus_count", "updated_at"])


# --- triggers ------------------------------------------------------------------------------


def request_return(ret: Return, value=True, *, ctx=None) -> Return:
    next_return_status(ret.status, "request")  # the state first, then the guards
    if not ReturnLineItem.objects.filter(return_record=ret).exists():
        raise ValidationError(
            "return_line_items", "can't be blank", error="blank", relationship=True
        )
    if ret.stock_location_id is None:
        raise ValidationError("stock_location", "can't be blank", error="blank", relationship=True)
    return move_return(ret, "request")


def approve_return(ret: Return, value=True, *, ctx=None) -> Return:
    return move_return(ret, "approve")


def ship_return(ret: Return, value=True, *, ctx=None) -> Return:
    return move_return(ret, "ship")


def receive_return(ret: Return, value=True, *, ctx=None) -> Return:
    return move_return(ret, "receive")


def cancel_return(ret: Return, value=True, *, ctx: TokenContext | None = None) -> Return:
    """Cancelled from draft, requested or approved (a customer: draft or requested); its units
    are returnable again and its siblings' shares follow."""
    if ctx is not None and not ctx.is_integration and not customer_may_cancel(ret.status):
        raise InvalidTransition(
            ret.status,
            "cancelled",
            message=f"a {ret.status} return can only be cancelled by an operator",
        )
    move_return(ret, "cancel")
    return _units_freed(ret)


def reject_return(ret: Return, value=True, *, ctx=None) -> Return:
    """CL's current docs: the wrong goods came back. Its units are returnable again."""
    move_return(ret, "reject")
    return _units_freed(ret)


def _units_freed(ret: Return) -> Return:
    line_ids = set(
        ReturnLineItem.objects.filter(return_record=ret).values_list("line_item_id", flat=True)
    )
    if line_ids:
        refresh_figures(ret, line_ids)
    return ret


def archive_return(ret: Return, value=True, *, ctx=None) -> Return:
    if ret.archived_at is None:
        ret.archived_at = timezone.now()
        write_fields(ret, ["archived_at", "updated_at"])
    return ret


def unarchive_return(ret: Return, value=True, *, ctx=None) -> Return:
    if ret.archived_at is not None:
        ret.archived_at = None
        write_fields(ret, ["archived_at", "updated_at"])
    return ret
