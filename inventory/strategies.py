"""Source selection: which stock location ships which part of an order (inventory.md).

A pure pipeline over plain values, no models and no database, in Solidus's shape:

1. filter the locations: priority order (ties keep the input order), held ones skipped, at most
   ``cutoff`` of them (``usable_locations``);
2. allocate each line item to locations, by the strategy's rule, consuming salable units as it
   goes (two lines of one SKU share the stock, in line order);
3. collect every short line into one ``InsufficientStock``;
4. split the allocations into shipments: one per (location, shipping category), and for
   ``split_by_line_items`` one per line item within that.

The service loads the rows under lock, calls ``plan`` and writes stock line items, shipments and
reservations from the result. ``STRATEGIES`` maps each inventory model strategy to its function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "STRATEGIES",
    "Allocation",
    "InsufficientStock",
    "Line",
    "Location",
    "PlannedShipment",
    "Shortage",
    "available",
    "plan",
    "usable_locations",
]


@dataclass(frozen=True)
class Line:
    """One SKU line item of the order."""

    key: Hashable  # the caller's id of the line item
    sku: Hashable  # the caller's id of the SKU
    quantity: int
    shipping_category: Hashable | None = None
    tracked: bool = True  # False for do_not_track SKUs: always available, never reserved
    # The line item it is part of, when several lines are one (a bundle's components): what
    # split_by_line_items keeps together. None: the line is a line item of its own.
    group: Hashable | None = None


@dataclass(frozen=True)
class Location:
    """One stock location of the market's inventory model."""

    key: Hashable  # the caller's id (e.g. the inventory_stock_location pk)
    priority: int  # 1 first
    on_hold: bool = False
    salable: Mapping[Hashable, int] = field(default_factory=dict)  # sku -> salable units here


@dataclass(frozen=True)
class Allocation:
    """Part of a line item shipped from one location: becomes one stock line item."""

    line: Hashable
    sku: Hashable
    location: Hashable
    quantity: int


@dataclass(frozen=True)
class PlannedShipment:
    """One shipment: a location x shipping category (x line item for split_by_line_items)."""

    location: Hashable
    shipping_category: Hashable | None
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True)
class Shortage:
    """A tracked line item the strategy cannot fill."""

    line: Hashable
    sku: Hashable
    requested: int
    available: int

    @property
    def detail(self) -> str:
        return f"{self.sku}: {self.requested} requested, {self.available} available"


class InsufficientStock(Exception):
    """Every short line item of the order at once (one 422, a pointer per line)."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = list(shortages)
        super().__init__("; ".join(s.detail for s in self.shortages))


# -- 1. filter and sort the locations ------------------------------------------------------------


def usable_locations(locations: Sequence[Location], cutoff: int | None) -> list[Location]:
    """The locations a strategy may use: not on hold, by priority, the first ``cutoff`` of them."""
    if cutoff is not None and cutoff < 0:
        raise ValueError(f"stock locations cutoff must be >= 0, not {cutoff}")
    ordered = sorted((loc for loc in locations if not loc.on_hold), key=lambda loc: loc.priority)
    return ordered if cutoff is None else ordered[:cutoff]


def _salable(location: Location, sku: Hashable) -> int:
    # An operator may lower quantity below what is reserved: salable <= 0 ships nothing.
    return max(0, location.salable.get(sku, 0))


def available(sku: Hashable, locations: Sequence[Location], cutoff: int | None) -> int:
    """The market's available quantity of a SKU: salable summed over the usable locations."""
    return sum(_salable(loc, sku) for loc in usable_locations(locations, cutoff))


# -- 2. allocate ---------------------------------------------------------------------------------

# Working values: stock[i][sku] is what is left at usable location i; a placement is
# (location index, line index, quantity).
_Stock = list[dict[Hashable, int]]
_Placement = tuple[int, int, int]


def _stock(usable: list[Location]) -> _Stock:
    return [{sku: max(0, qty) for sku, qty in loc.salable.items()} for loc in usable]


def _take(
    stock: _Stock, where: Sequence[int], line: Line, index: int
) -> tuple[list[_Placement], int]:
    """Take the line from the given locations in turn, as much as each has left."""
    placements, missing = [], line.quantity
    for i in where:
        if missing == 0:
            break
        got = min(missing, stock[i].get(line.sku, 0))
        if got:
            stock[i][line.sku] -= got
            placements.append((i, index, got))
            missing -= got
    return placements, line.quantity - missing


def _allocate(
    lines: Sequence[Line], usable: list[Location], where: Sequence[int]
) -> list[_Placement]:
    """Allocate every line from the locations ``where`` (indexes into ``usable``), in turn, as
    much as each has left; raise on any shortage, every short line at once.

    Untracked lines never need stock: they ship in full from the first of those locations.
    """
    stock = _stock(usable)
    placements: list[_Placement] = []
    shortages: list[Shortage] = []
    for index, line in enumerate(lines):
        if line.quantity < 0:
            raise ValueError(f"line {line.key!r}: quantity must be >= 0, not {line.quantity}")
        if line.quantity == 0:
            continue
        if not line.tracked:
            if where:
                placements.append((where[0], index, line.quantity))
            continue
        taken, got = _take(stock, where, line, index)
        placements.extend(taken)
        if got < line.quantity:
            shortages.append(Shortage(line.key, line.sku, line.quantity, got))
    if shortages:
        raise InsufficientStock(shortages)
    return placements


def _fills_every_line(lines: Sequence[Line], salable: Mapping[Hashable, int]) -> bool:
    needed: dict[Hashable, int] = {}
    for line in lines:
        if line.tracked and line.quantity > 0:
            needed[line.sku] = needed.get(line.sku, 0) + line.quantity
    return all(salable.get(sku, 0) >= qty for sku, qty in needed.items())


def _primary(lines: Sequence[Line], usable: list[Location]) -> Sequence[int]:
    return range(min(1, len(usable)))


def _by_priority(lines: Sequence[Line], usable: list[Location]) -> Sequence[int]:
    # The primary first: a line it has in full ships from it, otherwise the next ones top it up.
    return range(len(usable))


def _first_available_or_primary(lines: Sequence[Line], usable: list[Location]) -> Sequence[int]:
    first = next(
        (i for i, loc in enumerate(usable) if _fills_every_line(lines, _stock([loc])[0])), 0
    )
    return range(first, first + 1) if usable else ()


# -- 4. split into shipments ---------------------------------------------------------------------


def _split(
    placements: list[_Placement],
    lines: Sequence[Line],
    usable: list[Location],
    *,
    by_line: bool,
) -> list[PlannedShipment]:
    """Group by location (priority order), shipping category (first seen among the order's
    lines) and, with ``by_line``, line item (a line's ``group``, first seen); allocations in
    line order within each."""
    category_rank: dict[Hashable | None, int] = {}
    item_rank: dict[Hashable, int] = {}
    for index, line in enumerate(lines):
        category_rank.setdefault(line.shipping_category, len(category_rank))
        item_rank.setdefault(_line_item(line, index), len(item_rank))
    groups: dict[tuple[int, int, int], list[_Placement]] = {}
    for placement in placements:
        i, index, _ = placement
        category = category_rank[lines[index].shipping_category]
        item = item_rank[_line_item(lines[index], index)] if by_line else -1
        groups.setdefault((i, category, item), []).append(placement)
    shipments = []
    for group_key in sorted(groups):
        members = sorted(groups[group_key], key=lambda p: p[1])
        location = usable[group_key[0]].key
        shipments.append(
            PlannedShipment(
                location=location,
                shipping_category=lines[members[0][1]].shipping_category,
                allocations=tuple(
                    Allocation(lines[index].key, lines[index].sku, location, qty)
                    for _, index, qty in members
                ),
            )
        )
    return shipments


def _line_item(line: Line, index: int) -> Hashable:
    return ("group", line.group) if line.group is not None else ("line", index)


# -- the strategies: filter -> choose locations -> allocate -> split ----------------------------

_Strategy = Callable[[Sequence[Line], list[Location]], list[PlannedShipment]]


def _strategy(
    choose: Callable[[Sequence[Line], list[Location]], Sequence[int]], *, by_line: bool
) -> _Strategy:
    def run(lines: Sequence[Line], usable: list[Location]) -> list[PlannedShipment]:
        placements = _allocate(lines, usable, choose(lines, usable))
        return _split(placements, lines, usable, by_line=by_line)

    return run


STRATEGIES: dict[str, _Strategy] = {
    # The primary location ships the whole order.
    "no_split": _strategy(_primary, by_line=False),
    # Each line from the locations in priority order, as much as each has (Magento's priority SSA).
    "split_shipments": _strategy(_by_priority, by_line=False),
    # As split_shipments, with at least one shipment per line item.
    "split_by_line_items": _strategy(_by_priority, by_line=True),
    # The primary ships everything (automatic stock transfers to it are a later milestone).
    "ship_from_primary": _strategy(_primary, by_line=False),
    # The first location having every line in full ships the whole order, else the primary.
    "ship_from_first_available_or_primary": _strategy(_first_available_or_primary, by_line=False),
}


def plan(
    strategy: str,
    lines: Sequence[Line],
    locations: Sequence[Location],
    *,
    cutoff: int | None,
) -> list[PlannedShipment]:
    """The order's shipments under ``strategy``; ``InsufficientStock`` lists every short line.

    Shipments come in location priority order, then shipping category (first seen), then line
    item (split_by_line_items only); zero quantities never appear. With no usable location every
    tracked line is short (available 0), and untracked lines alone plan no shipment.
    """
    try:
        run = STRATEGIES[strategy]
    except KeyError:
        raise ValueError(f"unknown inventory strategy {strategy!r}") from None
    return run(lines, usable_locations(locations, cutoff))
