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
from orders.models import HeldReservation, Order, StockLineItem
from orders.transitions import SHIPPED


def hold_stock(order: Order, lines) -> tuple[dict, dict] | None:
    """On `_place`, first: lock the stock items the shippable `lines` could ship from (in pk
    order) and read their salable units under the locks, the `held` figures the shipments are
    then planned from (orders.services.planning.plan_shipments).

    On `_stop_editing` (aftersale.md §1) the stock items of the order's own reservations are
    locked too, in the same pk order, and its reserved units count as salable to it: they are
    swapped for new reservations in the same transaction (`swap_reservations`)."""
    editing = order.status == "editing"
    own = own_reserved(order) if editing else {}
    if not lines and not own:
        return None
    location_ids = InventoryStockLocation.objects.filter(
        inventory_model_id=order.market.inventory_model_id
    ).values("stock_location_id")
    locked = lock_stock_items_for({li.sku_id for li in lines}, location_ids, also=own)
    return with_own_units(read_stock(locked.values()), own)


def with_own_units(held: tuple[dict, dict], own: dict[int, int]) -> tuple[dict, dict]:
    """`held` (read_stock's) with the units the order reserved itself counted as salable to it
    (an order being edited plans as if its reservations were not there)."""
    if not own:
        return held
    items, salable = held
    return items, {key: units + own.get(items[key].pk, 0) for key, units in salable.items()}


# --- editing (aftersale.md §1) ---------------------------------------------------------------


def keep_reservations(order: Order) -> None:
    """On `_start_editing`: the order's reservations are written down as its own, so that they
    stay held while editing rebuilds the stock line items they hang from."""
    HeldReservation.objects.bulk_create(
        [HeldReservation(order=order, stock_reservation=r) for r in _reservations(order)]
    )


def own_reserved(order: Order) -> dict[int, int]:
    """{stock item pk: units} an order being edited holds (`keep_reservations`)."""
    units: dict[int, int] = {}
    for item_id, quantity in StockReservation.objects.filter(held_by__order=order).values_list(
        "stock_item_id", "quantity"
    ):
        units[item_id] = units.get(item_id, 0) + quantity
    return units


def swap_reservations(order: Order, shipments) -> None:
    """On `_stop_editing`, once the new plan fits the stock locked by `hold_stock`: the old
    reservations go and one per new stock line item takes their place."""
    release_reservations(_reservations(order))
    reserve_stock(shipments)


def read_stock(stock_items) -> tuple[dict, dict]:
    """({(stock_location_id, sku_id): StockItem}, {(stock_location_id, sku_id): salable}) of
    these stock items (carts read them unlocked; placing passes the ones it locked)."""
    items = {(item.stock_location_id, item.sku_id): item for item in stock_items}
    salable = salable_quantities(items.values())
    return items, {key: salable[item.pk] for key, item in items.items()}


def shortage_errors(shortage, lines) -> list[ValidationError]:
    """One 422 error per short line (inventory.strategies.InsufficientStock).

    A bundle line is short when a component is (its plan key is (line pk, SKU pk),
    orders.services.planning): its error names the bundle's code, the bundles requested and
    how many fit, the least over its short components of floor(units it got / item quantity)
    (catalog.md "Bundles"; the others fit them all)."""
    by_pk = {li.pk: li for li in lines}
    # line pk -> (code, requested, available, what the code is)
    short: dict[int, tuple[str, int, int, str]] = {}
    for s in shortage.shortages:
        if isinstance(s.line, tuple):
            line = by_pk[s.line[0]]
            per_bundle = s.requested // line.quantity
            fits = max(s.available, 0) // per_bundle
            before = short.get(line.pk)
            if before is not None:
                fits = min(fits, before[2])
            short[line.pk] = (line.bundle_code, line.quantity, fits, "bundle_code")
        else:
            line = by_pk[s.line]
            short[line.pk] = (line.sku_code, s.requested, max(s.available, 0), "sku_code")
    return [
        ValidationError(
            "line_items",
            f"{code}: {requested} requested, {available} available",
            error="out_of_stock",
            relationship=True,
            **{attribute: code},
            requested=requested,
            available=available,
        )
        for code, requested, available, attribute in short.values()
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
    """The order's reservations: through its stock line items, or while it is being edited
    the ones it kept (`keep_reservations`)."""
    if order.status == "editing":
        reservations = StockReservation.objects.filter(held_by__order=order)
    else:
        reservations = StockReservation.objects.filter(stock_line_item__shipment__order=order)
    return list(reservations.order_by("stock_item_id"))


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
