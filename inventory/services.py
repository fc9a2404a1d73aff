"""Domain actions of the inventory app, each one transaction."""

from django.db import models, transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from commerce.compiled import CompiledRead
from commerce.events import emit_event, record_created
from commerce.exceptions import Locked, ValidationError
from commerce.services import create_rows, delete_record, save_record, update_record
from inventory.locks import lock_stock_items
from inventory.models import StockItem, StockLocation, StockReservation, StockTransfer
from inventory.transitions import (
    next_stock_transfer_status,
    transfer_deletable,
    transfer_editable,
)


@transaction.atomic(savepoint=False)
def create_stock_location(**values) -> StockLocation:
    location = StockLocation(**values)
    # Numbers are human-facing and sequential; the lock keeps two creates from taking the same.
    last = (
        StockLocation.objects.select_for_update()
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    location.number = (last or 0) + 1
    return save_record(location)


# --- reservations and stock movements ------------------------------------------------------
# Callers hold the stock items' row locks (inventory.locks) while calling these.


def reserved_quantities(stock_item_ids) -> dict[int, int]:
    """Units reserved per stock item, in one query."""
    rows = (
        StockReservation.objects.filter(stock_item_id__in=list(stock_item_ids))
        .values("stock_item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["stock_item_id"]: row["total"] for row in rows}


def with_reserved_and_salable(queryset):
    """Annotate `reserved` (units held by reservations) and `salable` (on hand - reserved) in
    the query's one statement. Not under a row lock: a locked read must sum the reservations
    in a statement of its own, after the lock, or it sees what it waited for too late."""
    reserved = (
        StockReservation.objects.filter(stock_item=OuterRef("pk"))
        .order_by()
        .values("stock_item")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return queryset.annotate(
        reserved=Coalesce(Subquery(reserved, output_field=IntegerField()), Value(0))
    ).annotate(salable=F("quantity") - F("reserved"))


def salable_quantities(stock_items) -> dict[int, int]:
    """quantity - reserved per stock item (may be negative if an operator lowered quantity);
    items read `with_reserved_and_salable` bring their figure, the others cost one query."""
    items = list(stock_items)
    missing = [item.pk for item in items if getattr(item, "salable", None) is None]
    reserved = reserved_quantities(missing) if missing else {}
    return {
        item.pk: item.salable
        if getattr(item, "salable", None) is not None
        else item.quantity - reserved.get(item.pk, 0)
        for item in items
    }


def create_reservations(requests) -> list:
    """`requests`: [(stock_item, quantity)]; the caller checked salable under the lock."""
    reservations = create_rows(
        [
            StockReservation(stock_item=item, quantity=qty, status="pending")
            for item, qty in requests
            if qty > 0
        ]
    )
    for reservation in reservations:
        emit_event(
            "stock_reservations.create",
            reservation,
            quantity=reservation.quantity,
            stock_item=reservation.stock_item.public_id,
        )
    return reservations


def consume_reservations(reservations) -> None:
    """Approve: take the reserved units off their stock items, then drop the reservations."""
    by_item: dict[int, int] = {}
    for reservation in reservations:
        by_item[reservation.stock_item_id] = (
            by_item.get(reservation.stock_item_id, 0) + reservation.quantity
        )
    for item_id in sorted(by_item):
        # An operator may have lowered quantity below what was reserved: never below 0.
        StockItem.objects.filter(pk=item_id).update(
            quantity=Greatest(F("quantity") - by_item[item_id], Value(0))
        )
    _stock_items_changed({item_id: -units for item_id, units in by_item.items()})
    release_reservations(reservations)


def release_reservations(reservations) -> None:
    reservations = list(reservations)
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    for reservation in reservations:
        emit_event("stock_reservations.destroy", reservation, quantity=reservation.quantity)


def put_back(quantities: dict[int, int]) -> None:
    """Units that left at approval come back (cancel/refund before shipping)."""
    for item_id in sorted(quantities):
        StockItem.objects.filter(pk=item_id).update(quantity=F("quantity") + quantities[item_id])
    _stock_items_changed(quantities)


def _stock_items_changed(changes: dict[int, int]) -> None:
    """One `stock_items.update` event per stock item whose quantity moved (read back after the
    update, under the caller's locks), with the change that moved it."""
    changes = {item_id: units for item_id, units in changes.items() if units}
    for item in StockItem.objects.filter(pk__in=list(changes)).order_by("pk"):
        emit_event("stock_items.update", item, quantity=item.quantity, change=changes[item.pk])


# --- stock transfers -----------------------------------------------------------------------


def _lock_transfer(transfer):
    return (
        StockTransfer.objects.select_for_update(of=("self",))
        .select_related("stock_reservation")
        .get(pk=transfer.pk)
    )


def _origin_item(transfer, *, create=False):
    if create:
        item, created = StockItem.objects.get_or_create(
            stock_location=transfer.origin_stock_location, sku=transfer.sku
        )
        if created:
            record_created([item])  # bulk.md "Events": derived writes record theirs
        return item
    return StockItem.objects.filter(
        stock_location=transfer.origin_stock_location, sku=transfer.sku
    ).first()


@transaction.atomic(savepoint=False)
def move_stock_transfer(transfer, trigger: str, *, ctx=None):
    """One trigger of a stock transfer: the table says where it goes, these steps move stock.

    upcoming reserves the units at the origin (422 when its salable is short); in_transit takes
    them off the origin; completed puts them on the destination; cancel gives back what left.
    """
    transfer = _lock_transfer(transfer)
    status = next_stock_transfer_status(transfer.status, trigger)
    previous = transfer.status
    if trigger == "upcoming":
        origin = _origin_item(transfer)
        if origin is None:
            raise ValidationError(
                "quantity",
                f"{transfer.quantity} requested, 0 available",
                error="out_of_stock",
                available=0,
            )
        # Re-read the row under its lock: an approval may have lowered it since it was read.
        origin = lock_stock_items([origin.pk])[origin.pk]
        available = salable_quantities([origin])[origin.pk]
        if transfer.quantity > available:
            raise ValidationError(
                "quantity",
                f"{transfer.quantity} requested, {max(available, 0)} available",
                error="out_of_stock",
                available=max(available, 0),
            )
        transfer.stock_reservation = create_reservations([(origin, transfer.quantity)])[0]
    elif trigger == "in_transit":
        reservation = transfer.stock_reservation
        lock_stock_items([reservation.stock_item_id])
        consume_reservations([reservation])
        transfer.stock_reservation = None
    elif trigger == "complete":
        destination, created = StockItem.objects.get_or_create(
            stock_location=transfer.destination_stock_location, sku=transfer.sku
        )
        if created:
            record_created([destination])  # bulk.md "Events": derived writes record theirs
        lock_stock_items([destination.pk])
        put_back({destination.pk: transfer.quantity})
    elif trigger == "cancel":
        if previous == "in_transit":
            origin = _origin_item(transfer, create=True)
            lock_stock_items([origin.pk])
            put_back({origin.pk: transfer.quantity})
        elif transfer.stock_reservation is not None:
            release_reservations([transfer.stock_reservation])
            transfer.stock_reservation = None
    transfer.status = status
    stamp = f"{status}_at"
    if hasattr(transfer, stamp):
        setattr(transfer, stamp, timezone.now())
    transfer.save()
    emit_event(f"stock_transfers.{trigger}", transfer, status=status)
    return transfer


@transaction.atomic(savepoint=False)
def update_stock_transfer(transfer, values: dict):
    """A draft's fields change; a transfer under way or done is frozen (422 on `status`)."""
    if not values:
        return transfer
    transfer = _lock_transfer(transfer)
    if not transfer_editable(transfer.status):
        raise ValidationError(
            "status", f"a {transfer.status} stock transfer can't be changed", error="frozen"
        )
    return update_record(transfer, values)


@transaction.atomic(savepoint=False)
def delete_stock_transfer(transfer) -> None:
    """Gone only as a draft, or once completed or cancelled (423 under way: cancel it first)."""
    transfer = _lock_transfer(transfer)
    if not transfer_deletable(transfer.status):
        raise Locked("A stock transfer under way can't be deleted: cancel it first.")
    delete_record(transfer)


@transaction.atomic(savepoint=False)
def update_stock_item(item, values: dict):
    """Operators set quantities on hand; reservations stand (inventory.md)."""
    lock_stock_items([item.pk])
    item.refresh_from_db()
    before = item.quantity
    # Reservations hold units of this SKU at this location: moving the row under them would
    # hand them to another SKU or place (and approval would take stock from there).
    for name in ("sku", "stock_location"):
        value = values.get(name)
        if value is not None and value.pk != getattr(item, f"{name}_id"):
            if item.stock_reservations.exists():
                raise ValidationError(
                    name,
                    "can't change while units are reserved",
                    error="reserved",
                    relationship=True,
                )
    for name, value in values.items():
        setattr(item, name, value)
    save_record(item)
    emit_event("stock_items.update", item, quantity=item.quantity, change=item.quantity - before)
    return item


def stock_with_salable(sku_ids, stock_location_ids) -> list[StockItem]:
    """The stock items of these SKUs at these locations, `with_reserved_and_salable`, unlocked
    (a cart's shipment planning, on every change of its lines): SQL compiled once per number
    of SKUs and of locations (commerce/compiled.py)."""
    skus, locations = sorted(set(sku_ids)), sorted(set(stock_location_ids))
    if not skus or not locations:
        return []
    shape = (len(skus), len(locations))
    read = _STOCK_READS.get(shape)
    if read is None:
        read = _STOCK_READS[shape] = _stock_read(*shape)
    values = {f"sku{i}": pk for i, pk in enumerate(skus)}
    values.update({f"location{i}": pk for i, pk in enumerate(locations)})
    return read.all(**values)


_STOCK_READS: dict[tuple[int, int], CompiledRead] = {}


def _stock_read(sku_count: int, location_count: int) -> CompiledRead:
    def build(**values):
        return with_reserved_and_salable(
            StockItem.objects.filter(
                sku_id__in=[values[f"sku{i}"] for i in range(sku_count)],
                stock_location_id__in=[values[f"location{i}"] for i in range(location_count)],
            )
        )

    key = models.BigIntegerField()
    arguments = {f"sku{i}": key for i in range(sku_count)}
    arguments.update({f"location{i}": key for i in range(location_count)})
    return CompiledRead(build, **arguments)
