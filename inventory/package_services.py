"""Writes of packages (shipping.md "Packages"), each one transaction recording its event
(`packages.create`, `packages.update`, `packages.destroy`). The API's views and the admin both
call them, so the same rules answer the same way:

- `length`, `width`, `height` > 0: 422 on each attribute (`meta.error` `greater_than`,
  `meta.count` 0), every bad one at once;
- `code` unique per stock location (422 `taken` on `code`); a blank code is no code;
- `stock_location` may change only while no parcel uses the package (a parcel's package is at
  its shipment's stock location): 422 on `/data/relationships/stock_location` otherwise
  (unconfirmed for CL; the spec is silent);
- deleting a package a parcel uses: 423 `LOCKED` (the parcel's foreign key protects it).

A change or a delete re-reads the package under its row lock (as a parcel being made from it
locks it, orders.locks.lock_package), so a delete and a new parcel never cross, and the admin,
which hands over the row it read, gets the same guarantee as the API's write path.
"""

from django.db import transaction

from commerce.events import emit_event
from commerce.exceptions import ValidationError, ValidationErrors
from commerce.services import delete_record, save_record
from inventory.models import Package, StockLocation

DIMENSIONS = ("length", "width", "height")


def _check_dimensions(package: Package) -> list[ValidationError]:
    return [
        ValidationError(name, "must be greater than 0", error="greater_than", count=0)
        for name in DIMENSIONS
        if getattr(package, name) is not None and not getattr(package, name) > 0
    ]


def _check_code(package: Package) -> list[ValidationError]:
    if package.code is None:
        return []
    others = Package.objects.filter(stock_location_id=package.stock_location_id, code=package.code)
    if package.pk is not None:
        others = others.exclude(pk=package.pk)
    if others.exists():
        return [
            ValidationError("code", "has already been taken", error="taken", value=package.code)
        ]
    return []


def package_problems(package: Package, *, moved: bool = False) -> list[ValidationError]:
    """Every rule above that `package`, about to be written, breaks (the admin shows them as
    form errors). `moved`: its stock location changes."""
    if package.code == "":
        package.code = None
    problems = _check_dimensions(package)
    if moved and package.pk is not None and package.parcels.exists():
        problems.append(
            ValidationError(
                "stock_location",
                "can't change: parcels are made from this package",
                error="in_use",
                relationship=True,
            )
        )
    return problems + _check_code(package)


def _check(package: Package, *, moved: bool = False) -> None:
    problems = package_problems(package, moved=moved)
    if problems:
        raise ValidationErrors(problems)


@transaction.atomic(savepoint=False)
def create_package(*, stock_location: StockLocation, **values) -> Package:
    return add_package(Package(stock_location=stock_location, **values))


@transaction.atomic(savepoint=False)
def add_package(package: Package) -> Package:
    """A new package (the API's values, or the admin's form) checked and written."""
    _check(package)
    save_record(package)
    emit_event("packages.create", package)
    return package


def _locked(package: Package) -> Package:
    return Package.objects.select_for_update(of=("self",)).get(pk=package.pk)


@transaction.atomic(savepoint=False)
def update_package(package: Package, values: dict) -> Package:
    """Records `packages.update` when something changed."""
    package = _locked(package)
    if values.get("code") == "":
        values = {**values, "code": None}
    changed = sorted(name for name, value in values.items() if getattr(package, name) != value)
    if not changed:
        return package
    moved = "stock_location" in changed
    for name in changed:
        setattr(package, name, values[name])
    _check(package, moved=moved)
    save_record(package, validate=[n for n in changed if n != "stock_location"])
    emit_event("packages.update", package, changed=changed)
    return package


@transaction.atomic(savepoint=False)
def delete_package(package: Package) -> None:
    """423 `LOCKED` while a parcel is made from it (commerce.services.delete_record)."""
    package = _locked(package)
    delete_record(package)
    emit_event("packages.destroy", package)
