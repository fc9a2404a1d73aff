"""Parcels and parcel line items (shipping.md "Packages, parcels, parcel line items"), and what
they make a shipment's `_ship` check. The API's views and the admin both call these, each in
one transaction recording its event (`parcels.create|update|destroy`,
`parcel_line_items.create|update|destroy`).

Locks: every write takes the shipment's order, then the shipment (orders.locks.lock_shipment),
then reads what it checks; a parcel's package is locked after them (orders.locks.lock_package).
The shipment row is what serialises the packing of one shipment: two line items packing the last
units of a stock line item at once are checked one after the other, so the packed total never
exceeds the stock line item's quantity. `_ship` (orders.services.shipments.operator_move) holds
the same two locks when it counts what is packed.

Rules, each a 422 with its pointer:
- a parcel is made, changed and deleted while its shipment is `picking`, `packing` or
  `ready_to_ship`; otherwise `/data/attributes/status` (`meta.error` `frozen`), with two
  exceptions once the shipment is `shipped` or `delivered`: the carrier's attributes
  (`CARRIER_ATTRIBUTES`: `tracking_*`, `shipping_label_*`, `signed_by`, `metadata`) may still
  change, and any other attribute that would change is refused on its own pointer
  (`/data/attributes/<name>`, `/data/relationships/package`), one error each. `reference` and
  `reference_origin` are not in the spec's list, so they are refused there too. A value sent
  equal to the stored one is no change (a client may send the whole record back);
- the package must be at the shipment's stock location (`/data/relationships/package`);
- `weight` > 0 (`/data/attributes/weight`, `greater_than`); `unit_of_weight` is required (the
  serializer: `blank`);
- a parcel stays with its shipment: a `shipment` relationship naming another one is refused on
  `/data/relationships/shipment` (the typings list it as updatable; moving a parcel would renumber
  it and strand its line items; unconfirmed for CL);
- a parcel line item packs `quantity` >= 1 units of a stock line item of the parcel's shipment
  (another shipment's: `/data/relationships/stock_line_item`), never more than what is left of
  it over all the shipment's parcels (`/data/attributes/quantity`, `less_than_or_equal_to`,
  `meta.count` what is left). Its `quantity` is not updatable (the serializer answers a PATCH of
  it 400 PARAM_NOT_ALLOWED): delete it and create another. Its `metadata` (and references, while
  the shipment is open) may change as a parcel's may.

Numbers: `<shipment number>/P/<nnn>`, 1-based per shipment and never reused: the shipment keeps
the last number given (`parcels_numbered`), bumped under its lock.
"""

from django.db import transaction
from django.db.models import Sum

from commerce.events import emit_event
from commerce.exceptions import ValidationError, ValidationErrors
from commerce.services import save_record, write_fields
from inventory.models import Package
from orders.locks import lock_package, lock_shipment
from orders.models import Parcel, ParcelLineItem, Shipment, StockLineItem
from orders.transitions import SHIPPED

# Where a shipment's parcels may change (inventory.md "Shipments", shipping.md).
OPEN_STATUSES = ("picking", "packing", "ready_to_ship")
# What a carrier may still write on a parcel once its shipment has shipped.
CARRIER_ATTRIBUTES = frozenset(
    {
        "tracking_number",
        "tracking_status",
        "tracking_status_detail",
        "tracking_status_updated_at",
        "tracking_details",
        "shipping_label_url",
        "shipping_label_file_type",
        "shipping_label_size",
        "shipping_label_resolution",
        "signed_by",
        "metadata",
    }
)
RELATIONSHIPS = frozenset({"shipment", "package"})


# --- checks ------------------------------------------------------------------------------------


def _frozen_status(shipment: Shipment, what: str) -> ValidationError:
    return ValidationError(
        "status",
        f"the shipment is {shipment.status}: {what}",
        error="frozen",
    )


def _check_open(shipment: Shipment, what: str) -> None:
    if shipment.status not in OPEN_STATUSES:
        raise _frozen_status(shipment, what)


def _check_changes(shipment: Shipment, changed: list[str], kept: frozenset, what: str) -> None:
    """A write of `changed` on a record of `shipment`: anything while it is open; once it has
    shipped, only the names in `kept` (one error per other name); never in another status."""
    if shipment.status in OPEN_STATUSES:
        return
    if shipment.status not in SHIPPED:
        raise _frozen_status(shipment, what)
    refused = [name for name in changed if name not in kept]
    if refused:
        raise ValidationErrors(
            [
                ValidationError(
                    name,
                    f"can't be changed once the shipment is {shipment.status}",
                    error="frozen",
                    relationship=name in RELATIONSHIPS,
                )
                for name in refused
            ]
        )


def _check_package(shipment: Shipment, package: Package | None) -> Package:
    """The package, locked, when it is at the shipment's stock location (None: it was deleted
    while this write waited for its locks)."""
    locked = lock_package(package) if package is not None else None
    if locked is None:
        raise ValidationError("package", "not found", error="not_found", relationship=True)
    if locked.stock_location_id != shipment.stock_location_id:
        raise ValidationError(
            "package",
            "must be a package of the shipment's stock location",
            error="invalid",
            relationship=True,
        )
    return locked


def _check_weight(weight) -> None:
    if weight is not None and not weight > 0:
        raise ValidationError("weight", "must be greater than 0", error="greater_than", count=0)


def packed_quantity(stock_line_item: StockLineItem) -> int:
    """Units of the stock line item packed over all the parcels of its shipment."""
    rows = ParcelLineItem.objects.filter(stock_line_item_id=stock_line_item.pk)
    return rows.aggregate(units=Sum("quantity"))["units"] or 0


# --- parcels -----------------------------------------------------------------------------------


def _number(shipment: Shipment) -> str:
    """The next number of the locked shipment's parcels (never reused, even once deleted)."""
    shipment.parcels_numbered += 1
    write_fields(shipment, ["parcels_numbered"])
    return f"{shipment.number}/P/{shipment.parcels_numbered:03d}"


@transaction.atomic(savepoint=False)
def create_parcel(*, values: dict) -> Parcel:
    """`values`: the serializer's attributes with `shipment` and `package` records."""
    values = dict(values)
    shipment = lock_shipment(values.pop("shipment"))
    _check_open(shipment, "its parcels can't change")
    package = _check_package(shipment, values.pop("package"))
    _check_weight(values.get("weight"))
    parcel = Parcel(shipment=shipment, package=package, number=_number(shipment), **values)
    save_record(parcel, validate=list(values))
    emit_event("parcels.create", parcel, shipment=shipment.public_id)
    return parcel


def _locked_parcel(parcel: Parcel) -> Parcel:
    """The parcel read again under its order's and shipment's locks, the locked shipment on it
    (the view hands it over unlocked)."""
    shipment = lock_shipment(Shipment(pk=parcel.shipment_id, order_id=_order_id(parcel)))
    fresh = Parcel.objects.select_related("package").filter(pk=parcel.pk).first()
    if fresh is None:  # deleted while this request waited for the locks
        raise ValidationError("base", "the parcel was deleted meanwhile", error="not_found")
    fresh.shipment = shipment
    return fresh


def _order_id(parcel: Parcel) -> int:
    if "shipment" in parcel._state.fields_cache:
        return parcel.shipment.order_id
    return Shipment.objects.filter(pk=parcel.shipment_id).values_list("order_id", flat=True).get()


def _changes(record, values: dict) -> list[str]:
    return sorted(name for name, value in values.items() if getattr(record, name) != value)


@transaction.atomic(savepoint=False)
def update_parcel(parcel: Parcel, values: dict) -> Parcel:
    """Records `parcels.update` when something changed."""
    parcel = _locked_parcel(parcel)
    shipment = parcel.shipment
    values = dict(values)
    moved_to = values.pop("shipment", None)
    if moved_to is not None and moved_to.pk != shipment.pk:
        raise ValidationError(
            "shipment",
            "can't be changed: delete the parcel and make one in the other shipment",
            error="frozen",
            relationship=True,
        )
    changed = _changes(parcel, values)
    if not changed:
        return parcel
    _check_changes(shipment, changed, CARRIER_ATTRIBUTES, "its parcels can't change")
    if "package" in changed:
        values["package"] = _check_package(shipment, values["package"])
    if "weight" in changed:
        _check_weight(values["weight"])
    for name in changed:
        setattr(parcel, name, values[name])
    save_record(parcel, validate=[name for name in changed if name not in RELATIONSHIPS])
    emit_event("parcels.update", parcel, changed=changed)
    return parcel


@transaction.atomic(savepoint=False)
def delete_parcel(parcel: Parcel) -> None:
    """With its line items (each records its `parcel_line_items.destroy`)."""
    parcel = _locked_parcel(parcel)
    _check_open(parcel.shipment, "its parcels can't be deleted")
    lines = list(ParcelLineItem.objects.filter(parcel_id=parcel.pk).only("pk", "public_id"))
    parcel.delete()
    for line in lines:
        emit_event("parcel_line_items.destroy", line)
    emit_event("parcels.destroy", parcel)


@transaction.atomic(savepoint=False)
def pack_parcel(
    *, shipment: Shipment, package: Package, values: dict, lines: list[tuple[StockLineItem, int]]
) -> Parcel:
    """The admin's "Add a parcel": a parcel of `shipment` made from `package` with `values`,
    and a line item for each (stock line item, quantity) of `lines` with a quantity, all or
    nothing, by the services the API's writes call. A refused line's error points at
    `/lines/<index>/quantity` (or `/lines/<index>/stock_line_item`), its place in `lines`."""
    parcel = create_parcel(values={**values, "shipment": shipment, "package": package})
    for index, (stock_line_item, quantity) in enumerate(lines):
        if not quantity:
            continue
        try:
            create_parcel_line_item(
                values={"parcel": parcel, "stock_line_item": stock_line_item, "quantity": quantity}
            )
        except ValidationError as error:
            raise ValidationError(
                error.name, error.title, pointer=f"/lines/{index}/{error.name}", **error.meta
            ) from None
    return parcel


def packed_by_line(shipment: Shipment) -> dict[int, int]:
    """{stock line item pk: units packed over the shipment's parcels} (what the admin shows;
    the services count again under the shipment's lock)."""
    rows = (
        ParcelLineItem.objects.filter(parcel__shipment_id=shipment.pk)
        .values_list("stock_line_item_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return dict(rows)


# --- parcel line items -------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def create_parcel_line_item(*, values: dict) -> ParcelLineItem:
    """`values`: `quantity` and the plain attributes, with `parcel` and `stock_line_item`
    records. What it shows of the SKU is copied from the stock line item (`bundle_code` stays
    null: the stock line item names the SKU it ships)."""
    values = dict(values)
    parcel = _locked_parcel(values.pop("parcel"))
    shipment = parcel.shipment
    _check_open(shipment, "its parcels can't change")
    stock_line_item = values.pop("stock_line_item")
    if stock_line_item.shipment_id != shipment.pk:
        raise ValidationError(
            "stock_line_item",
            f"must be a stock line item of shipment {shipment.number}",
            error="invalid",
            relationship=True,
        )
    quantity = values.pop("quantity")
    left = stock_line_item.quantity - packed_quantity(stock_line_item)
    if quantity > left:
        raise ValidationError(
            "quantity",
            f"must be less than or equal to {left}",
            error="less_than_or_equal_to",
            count=left,
        )
    line = ParcelLineItem(
        parcel=parcel,
        stock_line_item=stock_line_item,
        quantity=quantity,
        sku_code=stock_line_item.sku_code,
        bundle_code=None,
        name=stock_line_item.name,
        image_url=stock_line_item.image_url,
        **values,
    )
    save_record(line, validate=list(values))
    emit_event("parcel_line_items.create", line, parcel=parcel.public_id, quantity=quantity)
    return line


def _locked_line(line: ParcelLineItem) -> ParcelLineItem:
    parcel = _locked_parcel(Parcel(pk=line.parcel_id, shipment_id=_shipment_id(line)))
    fresh = ParcelLineItem.objects.filter(pk=line.pk).first()
    if fresh is None:
        raise ValidationError(
            "base", "the parcel line item was deleted meanwhile", error="not_found"
        )
    fresh.parcel = parcel
    return fresh


def _shipment_id(line: ParcelLineItem) -> int:
    if "parcel" in line._state.fields_cache:
        return line.parcel.shipment_id
    return Parcel.objects.filter(pk=line.parcel_id).values_list("shipment_id", flat=True).get()


@transaction.atomic(savepoint=False)
def update_parcel_line_item(line: ParcelLineItem, values: dict) -> ParcelLineItem:
    """Only its `metadata` and references (the serializer refuses the rest), as a parcel's."""
    line = _locked_line(line)
    changed = _changes(line, values)
    if not changed:
        return line
    _check_changes(line.parcel.shipment, changed, CARRIER_ATTRIBUTES, "its parcels can't change")
    for name in changed:
        setattr(line, name, values[name])
    save_record(line, validate=changed)
    emit_event("parcel_line_items.update", line, changed=changed)
    return line


@transaction.atomic(savepoint=False)
def delete_parcel_line_item(line: ParcelLineItem) -> None:
    line = _locked_line(line)
    _check_open(line.parcel.shipment, "its parcels can't change")
    line.delete()
    emit_event("parcel_line_items.destroy", line)


# --- the shipment ------------------------------------------------------------------------------


def check_fully_packed(shipment: Shipment) -> None:
    """`_ship` of a shipment with parcels (shipping.md): every stock line item fully packed,
    else one 422 per short line on `/data/relationships/parcels` ("24-WB01: 1 of 2 packed",
    `meta.error` `not_packed`), all of them at once. A shipment without parcels ships as
    before (one query to know). The shipment is held under its lock by the caller."""
    if not Parcel.objects.filter(shipment_id=shipment.pk).exists():
        return
    lines = (
        StockLineItem.objects.filter(shipment_id=shipment.pk)
        .order_by("created_at", "id")
        .annotate(packed=Sum("parcel_line_items__quantity"))
        .values_list("sku_code", "quantity", "packed")
    )
    short = [
        ValidationError(
            "parcels",
            f"{sku_code}: {packed or 0} of {quantity} packed",
            error="not_packed",
            relationship=True,
            sku_code=sku_code,
            count=quantity - (packed or 0),
        )
        for sku_code, quantity, packed in lines
        if (packed or 0) < quantity
    ]
    if short:
        raise ValidationErrors(short)


def refuse_carrier_trigger(shipment: Shipment, value=True, *, ctx=None) -> Shipment:
    """`_get_rates` and `_purchase` (shipping.md "Out of scope: carrier integrations")."""
    raise ValidationError("base", "carrier accounts are not supported", error="not_supported")
