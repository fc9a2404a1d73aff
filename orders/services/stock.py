"""The stock steps of the order lifecycle, one named hook each (inventory.md, "Lifecycle").

Each runs inside the caller's transaction with the order row already locked; stock items are
then locked in primary-key order (inventory.locks), so concurrent checkouts queue and never
deadlock, and salable is re-read under those locks before anything is reserved.
"""

from commerce.compiled import update_rows
from commerce.exceptions import ValidationError
from inventory.locks import lock_stock_items, lock_stock_items_for
from inventory.models import InventoryStockLocation, StockReservation
from inventory.services import (
    consume_reservations,
    create_reservations,
    put_back,
    release_reservations,
    salable_quantities,
)
from orders.models import Order, StockLineItem
from orders.transitions import SHIPPED


def hold_stock(order: Order, lines) -> tuple[dict, dict] | None:
    """On `_place`, first: lock the stock items the shippable `lines` could ship from (in pk
    order) and read their salable units under the locks, the `held` figures the shipments are
    then planned from (orders.services.planning.plan_shipments)."""
    if not lines:
        return None
    location_ids = InventoryStockLocation.objects.filter(
        inventory_model_id=order.market.inventory_model_id
    ).values("stock_location_id")
    locked = lock_stock_items_for({li.sku_id for li in lines}, location_ids)
    return read_stock(locked.values())


def read_stock(stock_items) -> tuple[dict, dict]:
    """({(stock_location_id, sku_id): StockItem}, {(stock_location_id, sku_id): salable}) of
    these stock items (carts read them unlocked; placing passes the ones it locked)."""
    items = {(item.stock_location_id, item.sku_id): item for item in stock_items}
    salable = salable_quantities(items.values())
    return items, {key: salable[item.pk] for key, item in items.items()}


def shortage_errors(shortage, lines) -> list[ValidationError]:
    """One 422 error per short line (inventory.strategies.InsufficientStock)."""
    codes = {li.pk: li.sku_code for li in lines}
    return [
        ValidationError(
            "line_items",
            f"{codes[s.line]}: {s.requested} requested, {max(s.available, 0)} available",
            error="out_of_stock",
            relationship=True,
            sku_code=codes[s.line],
            requested=s.requested,
            available=max(s.available, 0),
        )
        for s in shortage.shortages
    ]


def reserve_stock(shipments) -> None:
    """On `_place`, once nothing stops it: hold every tracked unit of the shipments' stock line
    items, planned from the locked stock items (`hold_stock`), so salable can't go short."""
    stock_line_items = [
        sli
        for shipment in shipments
        for sli in shipment.current_stock_line_items
        if sli.stock_item_id and not sli.sku.do_not_track
    ]
    reservations = create_reservations([(sli.stock_item, sli.quantity) for sli in stock_line_items])
    for sli, reservation in zip(stock_line_items, reservations, strict=True):
        sli.stock_reservation = reservation
    update_rows(stock_line_items, ["stock_reservation"])


def _reservations(order: Order) -> list[StockReservation]:
    return list(
        StockReservation.objects.filter(stock_line_item__shipment__order=order).order_by(
            "stock_item_id"
        )
    )


def decrement_stock(order: Order) -> None:
    """On `_approve`: consume the reservations and take the units off the stock items."""
    reservations = _reservations(order)
    lock_stock_items_for_reservations(reservations)
    consume_reservations(reservations)


def release_stock(order: Order) -> None:
    """On `_cancel` before approval: let the reservations go."""
    release_reservations(_reservations(order))


def restock(order: Order) -> None:
    """On `_cancel` or a full `_refund` after approval: unshipped units go back on the shelf."""
    quantities: dict[int, int] = {}
    for sli in (
        StockLineItem.objects.filter(shipment__order=order)
        .exclude(shipment__status__in=(*SHIPPED, "cancelled"))
        .exclude(stock_item__isnull=True)
        .select_related("sku")
    ):
        if not sli.sku.do_not_track:
            quantities[sli.stock_item_id] = quantities.get(sli.stock_item_id, 0) + sli.quantity
    lock_stock_items(quantities)
    put_back(quantities)


def lock_stock_items_for_reservations(reservations) -> None:
    lock_stock_items(r.stock_item_id for r in reservations)
