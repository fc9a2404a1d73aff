"""Shipment planning, while the order is a cart: which stock location ships which lines (the
market's inventory strategy, inventory.strategies), and the shipments and stock line items kept
in step with that plan. A computation over the order under its row lock: it moves no status.

A bundle line counts as its components (inventory.md, catalog.md "Bundles"): one part per
component, quantity = bundles x item quantity, planned with the other lines (so lines needing
the same SKUs compete) and written as one stock line item per component and location, whose
`line_item` is the bundle line. The components are read only for an order that has bundle
lines, in one query for all of them (`stock_parts`).
"""

from collections.abc import Hashable
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from catalog.models import SkuListItem
from commerce.compiled import update_rows
from commerce.services import create_rows, delete_rows, write_fields, write_record
from inventory import strategies
from inventory.models import Sku
from inventory.selectors import inventory_locations
from inventory.services import stock_with_salable
from markets import shipping_rules
from markets.models import ShippingMethod
from orders.models import LineItem, Order, Shipment, StockLineItem
from orders.selectors import held_cart_stock, order_shipments, order_stock_line_items
from orders.services.shipping_costs import WEIGHT_ATTRIBUTE, ShippingContext, listed_price_cents
from orders.services.stock import own_reserved, read_stock, with_own_units
from orders.transitions import is_editable


@dataclass(frozen=True)
class StockPart:
    """What of a line ships, one SKU: a sku line whole, or one component of a bundle line."""

    key: Hashable  # in the plan: the sku line's pk, or (bundle line pk, component SKU pk)
    line: LineItem
    sku: Sku
    quantity: int

    @property
    def sku_id(self) -> int:
        return self.sku.pk

    @property
    def sku_code(self) -> str:
        return self.line.sku_code if self.line.item_type == "skus" else self.sku.code


def shippable_lines(order: Order, lines=None) -> list[StockPart]:
    """The parts of the order's lines that ship: its sku lines, and the components of its
    bundle lines (`do_not_ship` SKUs ship nothing, as sku lines of them). `lines` (already
    read with their SKUs) saves the query."""
    if lines is None:
        lines = order.line_items.all()
        if not order.is_prefetched("line_items"):
            lines = lines.select_related("sku")  # li.sku below: one query, not one per line
    return [part for part in stock_parts(lines) if not part.sku.do_not_ship]


def stock_parts(lines) -> list[StockPart]:
    """Every sku line whole, and each bundle line's components (`bundle_components`)."""
    components = bundle_components(lines)
    parts = []
    for li in lines:
        if li.item_type == "skus" and li.sku_id:
            parts.append(StockPart(li.pk, li, li.sku, li.quantity))
        elif li.item_type == "bundles":
            parts += [
                StockPart((li.pk, sku.pk), li, sku, li.quantity * per_bundle)
                for sku, per_bundle in components.get(li.bundle_id, ())
            ]
    return parts


def bundle_components(lines) -> dict[int, list[tuple[Sku, int]]]:
    """{bundle pk: [(component SKU, item quantity)]} of the bundle lines among `lines`, by
    position: one query for every bundle of them, none without any. Kept on each line, so
    that planning a `_place` twice (locks, then the figures) reads them once."""
    wanted = {li.bundle_id for li in lines if li.item_type == "bundles" and li.bundle_id}
    known = {}
    for li in lines:
        cached = li.__dict__.get("bundle_components")
        if cached is not None and cached[0] == li.bundle_id:
            known[li.bundle_id] = cached[1]
    missing = wanted - set(known)
    if missing:
        # The items of the bundles' lists with their SKUs, each row naming its bundle (two
        # bundles may share a list): one statement.
        items = (
            SkuListItem.objects.annotate(bundle_pk=F("sku_list__bundles__id"))
            .filter(bundle_pk__in=missing)
            .select_related("sku")
            .order_by("position", "created_at", "id")
        )
        for bundle_id in missing:
            known[bundle_id] = []
        for item in items:
            known[item.bundle_pk].append((item.sku, item.quantity))
        for li in lines:
            if li.bundle_id in missing:
                li.__dict__["bundle_components"] = (li.bundle_id, known[li.bundle_id])
    return {bundle_id: known[bundle_id] for bundle_id in wanted}


def method_available(
    order: Order, shipment: Shipment, method: ShippingMethod, context: ShippingContext
) -> bool:
    """Whether `method` is available for `shipment` now (shipping.md "Availability"): enabled;
    of the order's market or of none; in the order's currency (its own, else its market's price
    list's; with neither, any); the shipment's category and stock location when it names one;
    its zone, if any, matching the order's shipping address (none yet: no zoned method); the
    shipment's weight within its bounds, if any. The weight is asked for only then."""
    if method.disabled_at is not None:
        return False
    if method.market_id is not None and method.market_id != order.market_id:
        return False
    currency = method.effective_currency_code
    if currency and currency != order.currency_code:
        return False
    if method.shipping_category_id and method.shipping_category_id != shipment.shipping_category_id:
        return False
    if method.stock_location_id and method.stock_location_id != shipment.stock_location_id:
        return False
    if method.shipping_zone_id is not None and not shipping_rules.zone_matches(
        method.shipping_zone, order.shipping_address if order.shipping_address_id else None
    ):
        return False
    if method.min_weight is not None or method.max_weight is not None:
        return shipping_rules.within_bounds(
            context.weight(shipment), method.min_weight, method.max_weight, method.unit_of_weight
        )
    return True


def available_shipping_methods(
    order: Order, shipment: Shipment, *, candidates=None, context: ShippingContext | None = None
) -> list[ShippingMethod]:
    """The candidates (the market's methods and those of no market) available for the shipment
    (`method_available`), cheapest first by their price for that shipment, then by id.

    The price that sorts is the method's before free-over (shipping_costs.listed_price_cents: a
    tier's, an external method's `price_amount_cents`): the list keeps its order while the cart's
    subtotal moves, and the backend's pick (`_default_method`) is made while shipments are
    planned, before the discounts are known. `context` (or `candidates`, read already) saves
    what it read."""
    if context is None:
        context = ShippingContext(order.market_id, order=order, candidates=candidates)
    methods = [m for m in context.candidates() if method_available(order, shipment, m, context)]
    return sorted(methods, key=lambda m: (listed_price_cents(m, shipment, context), m.pk))


def keep_shipping_methods(order: Order, shipments, context: ShippingContext) -> None:
    """A refresh that does not re-plan the shipments (a new address, coupon, payment method)
    checks each one's method again (shipping.md "Which method a shipment carries"): the
    backend's own pick that is no longer available, or no method at all, is replaced by the
    backend's pick (`_default_method`); a client's choice stays, available or not. Each
    shipment is left with `method_available`. The candidates are read only for a shipment to
    pick for."""
    for shipment in shipments:
        method = shipment.shipping_method
        available = method is not None and method_available(order, shipment, method, context)
        if method is None or not (available or shipment.shipping_method_chosen):
            methods = available_shipping_methods(order, shipment, context=context)
            pick = _default_method(order, methods)
            if (pick and pick.pk) != shipment.shipping_method_id or shipment.shipping_method_chosen:
                shipment.shipping_method = pick
                shipment.shipping_method_chosen = False
                write_fields(shipment, ["shipping_method", "shipping_method_chosen", "updated_at"])
            available = pick is not None
        shipment.method_available = available


def plan_shipments(
    order: Order, lines: list[StockPart], *, held=None, strict: bool = False
) -> tuple[list[dict], dict]:
    """Which location ships what, by the market's inventory strategy (inventory.strategies):
    `[{"inventory_stock_location", "shipping_category_id", "lines": [(part, qty)]}]` (`lines`:
    the shippable parts), and the stock items it looked at, {(stock_location_id, sku_id):
    StockItem}. A bundle's components are one line item to the strategy (`group`): what
    `split_by_line_items` ships together.

    The stock items and their salable units are read from the database when `held` is not given
    (placing passes the items it locked and the salable it read under the locks). A cart whose
    stock is short is still planned from its primary location so that it shows shipments; with
    `strict` (placing) the shortage raises InsufficientStock.
    """
    model = order.market.inventory_model
    isls = inventory_locations(model.pk)
    if held is None:
        skus, locations = {li.sku_id for li in lines}, {isl.stock_location_id for isl in isls}
        # The refresh read its sku lines' stock ahead (orders.selectors.held_cart_stock); a
        # bundle's components are not in it, nor is anything when nothing was read ahead.
        ahead = held_cart_stock(order) if all(li.line.item_type == "skus" for li in lines) else None
        stock = (
            stock_with_salable(skus, locations)
            if ahead is None
            else [i for i in ahead if i.sku_id in skus and i.stock_location_id in locations]
        )
        held = read_stock(stock)
        if order.status == "editing":  # its own reservations count as salable to it
            held = with_own_units(held, own_reserved(order))
    items, salable = held
    locations = [
        strategies.Location(
            key=isl.pk,
            priority=isl.priority,
            on_hold=isl.on_hold,
            salable={
                sku: units for (loc, sku), units in salable.items() if loc == isl.stock_location_id
            },
        )
        for isl in isls
    ]
    plan_lines = [
        strategies.Line(
            key=part.key,
            sku=part.sku_id,
            quantity=part.quantity,
            shipping_category=part.sku.shipping_category_id,
            tracked=not part.sku.do_not_track,
            group=part.line.pk,
        )
        for part in lines
    ]
    cutoff = model.stock_locations_cutoff
    try:
        planned = strategies.plan(model.strategy, plan_lines, locations, cutoff=cutoff)
    except strategies.InsufficientStock:
        if strict:
            raise
        untracked = [
            strategies.Line(
                key=pl.key,
                sku=pl.sku,
                quantity=pl.quantity,
                shipping_category=pl.shipping_category,
                tracked=False,
                group=pl.group,
            )
            for pl in plan_lines
        ]
        planned = strategies.plan("no_split", untracked, locations, cutoff=cutoff)
    by_isl = {isl.pk: isl for isl in isls}
    by_line = {part.key: part for part in lines}
    plan = [
        {
            "inventory_stock_location": by_isl[p.location],
            "shipping_category_id": p.shipping_category,
            "lines": [(by_line[a.line], a.quantity) for a in p.allocations],
        }
        for p in planned
    ]
    return plan, items


def build_shipments(
    order: Order,
    *,
    lines=None,
    held=None,
    strict: bool = False,
    context: ShippingContext | None = None,
) -> list[Shipment]:
    """Keep a draft/pending order's shipments and stock line items in step with its lines.

    A shipment is identified by (stock location, shipping category, rank): one that is still
    needed keeps its id and its shipping method, so a client holding it is not surprised;
    so do its stock line items (a bundle line's, one per component, by line and SKU). Only
    what changed is written. `lines`: the order's line items with their SKUs, when the caller
    has read them; `held`: see plan_shipments; `context`: the refresh's shipping reads. Each
    shipment returned carries its stock line items in `current_stock_line_items`, its weight
    (from the plan's SKUs: no query) and `method_available`.

    Its method (shipping.md "Which method a shipment carries"): a client's choice
    (`shipping_method_chosen`) is never replaced, available or not; the backend's own pick is
    replaced when no longer available, and an empty one filled (`_default_method`).
    """
    if not is_editable(order.status):
        return list(order.shipments.all())
    lines = shippable_lines(order, lines)
    plan, stock_items = ([], {})
    if lines:
        plan, stock_items = plan_shipments(order, lines, held=held, strict=strict)
    existing: dict = {}
    for shipment in order_shipments(order):
        key = (shipment.stock_location_id, shipment.shipping_category_id)
        existing.setdefault(key, []).append(shipment)
    if not plan and not existing:
        return []
    stock_line_items = order_stock_line_items(order) if existing else {}
    if context is None:
        context = ShippingContext(order.market_id, order=order, lines=lines)
    context.candidates()  # read once for every shipment (and before their writes, as always)
    shipments, kept, new, stale = [], [], [], []
    for index, part in enumerate(plan, start=1):
        isl = part["inventory_stock_location"]
        key = (isl.stock_location_id, part["shipping_category_id"])
        reuse = existing.get(key)
        kept_shipment = bool(reuse)
        shipment = (
            reuse.pop(0)
            if kept_shipment
            else Shipment(
                order=order,
                inventory_stock_location=isl,
                stock_location=isl.stock_location,
                shipping_category_id=part["shipping_category_id"],
            )
        )
        before = (
            shipment.shipping_method_id,
            shipment.shipping_method_chosen,
            shipment.inventory_stock_location_id,
            shipment.number,
        )
        shipment.__dict__[WEIGHT_ATTRIBUTE] = shipping_rules.total_grams(
            (stock.sku.weight, stock.sku.unit_of_weight, quantity)
            for stock, quantity in part["lines"]
        )
        methods = available_shipping_methods(order, shipment, context=context)
        offered = {m.pk for m in methods}
        if shipment.shipping_method_id is None or not (
            shipment.shipping_method_id in offered or shipment.shipping_method_chosen
        ):
            shipment.shipping_method = _default_method(order, methods)
            shipment.shipping_method_chosen = False
        shipment.method_available = shipment.shipping_method_id in offered
        shipment.inventory_stock_location = isl
        shipment.number = f"{order.number}/S/{index:03d}"
        after = (
            shipment.shipping_method_id,
            shipment.shipping_method_chosen,
            shipment.inventory_stock_location_id,
            shipment.number,
        )
        if shipment.pk is None and shipment.shipping_method is not None:
            # Inserted at its method's listed price, what the refresh charges for a flat or
            # tiered method below free-over (no UPDATE of it); it writes what it finds otherwise.
            shipment.cost_amount_cents = listed_price_cents(
                shipment.shipping_method, shipment, context
            )
        if shipment.pk is None or after != before:
            write_record(shipment)
        wanted = {
            stock.key: (quantity, stock_items.get((isl.stock_location_id, stock.sku_id)), stock)
            for stock, quantity in part["lines"]
        }
        current = []
        for sli in stock_line_items.get(shipment.pk, []) if kept_shipment else []:
            sli.shipment = shipment
            # A bundle's component by (line, SKU), a sku line by its line (whatever its SKU).
            want = wanted.pop((sli.line_item_id, sli.sku_id), None) or wanted.pop(
                sli.line_item_id, None
            )
            if want is None:
                stale.append(sli)
                continue
            quantity, stock_item, stock = want
            sli.line_item, sli.sku = stock.line, stock.sku
            if (sli.quantity, sli.stock_item_id) != (quantity, stock_item and stock_item.pk):
                sli.quantity, sli.updated_at = quantity, timezone.now()
                kept.append(sli)
            sli.stock_item = stock_item
            current.append(sli)
        added = [
            StockLineItem(
                shipment=shipment,
                line_item=stock.line,
                sku=stock.sku,
                sku_code=stock.sku_code or stock.sku.code,
                quantity=quantity,
                stock_item=stock_item,
            )
            for quantity, stock_item, stock in wanted.values()
        ]
        new += added
        shipment.current_stock_line_items = current + added
        shipments.append(shipment)
    if stale:
        delete_rows(stale)
    if kept:
        update_rows(kept, ["quantity", "stock_item", "updated_at"])
    if new:
        create_rows(new)
    gone = [s for group in existing.values() for s in group]
    if gone:
        # Their stock line items go with them (the database cascades): events for both.
        delete_rows(gone, cascaded=[sli for s in gone for sli in stock_line_items.get(s.pk, [])])
    return shipments


def _default_method(order: Order, methods: list[ShippingMethod]) -> ShippingMethod | None:
    default_id = order.market.default_shipping_method_id
    for method in methods:
        if method.pk == default_id:
            return method
    return methods[0] if methods else None
