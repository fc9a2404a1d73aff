"""Shipments: built from the line items while the order is editable, then moved by the order's
lifecycle and by operators' triggers through `orders.transitions`."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commerce.events import emit_event
from commerce.exceptions import InvalidTransition, ValidationError
from inventory.models import InventoryStockLocation, StockItem
from inventory.services import salable_quantities
from markets.models import ShippingMethod
from orders.models import LineItem, Order, Shipment, StockLineItem
from orders.transitions import SHIPMENT_TARGETS, next_shipment_status

SHIPPED = ("shipped", "delivered")


def shippable_lines(order: Order) -> list[LineItem]:
    lines = order.line_items.all()
    if "line_items" not in getattr(order, "_prefetched_objects_cache", {}):
        lines = lines.select_related("sku")  # li.sku below: one query, not one per line
    return [li for li in lines if li.item_type == "skus" and li.sku_id and not li.sku.do_not_ship]


def available_shipping_methods(order: Order, shipment: Shipment | None = None, *, candidates=None):
    """Methods of the order's market (or of every market), enabled, for the shipment's
    category and stock location when the method names one; cheapest first. `candidates`
    (e.g. prefetched) replaces the query."""
    if candidates is None:
        candidates = ShippingMethod.objects.filter(
            Q(market_id=order.market_id) | Q(market__isnull=True)
        ).select_related("market__price_list")
    methods = []
    for method in sorted(candidates, key=lambda m: (m.price_amount_cents, m.pk)):
        if method.disabled_at is not None:
            continue
        if shipment is not None:
            if (
                method.shipping_category_id
                and method.shipping_category_id != shipment.shipping_category_id
            ):
                continue
            if method.stock_location_id and method.stock_location_id != shipment.stock_location_id:
                continue
        methods.append(method)
    return methods


def plan_shipments(
    order: Order, lines: list[LineItem], *, salable=None, strict: bool = False
) -> list[dict]:
    """Which location ships what, by the market's inventory strategy (inventory.strategies):
    `[{"inventory_stock_location", "shipping_category_id", "lines": [(line_item, qty)]}]`.

    `salable` ({(stock_location_id, sku_id): units}) is read from the database when not given
    (placing passes the figures it read under the stock locks). A cart whose stock is short is
    still planned from its primary location so that it shows shipments; with `strict` (placing)
    the shortage raises InsufficientStock.
    """
    from inventory import strategies  # noqa: PLC0415 (lands with the strategies module)

    model = order.market.inventory_model
    isls = list(
        InventoryStockLocation.objects.filter(inventory_model_id=model.pk)
        .select_related("stock_location")
        .order_by("priority", "id")
    )
    if salable is None:
        salable = current_salable(
            {li.sku_id for li in lines}, {isl.stock_location_id for isl in isls}
        )
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
            key=li.pk,
            sku=li.sku_id,
            quantity=li.quantity,
            shipping_category=li.sku.shipping_category_id,
            tracked=not li.sku.do_not_track,
        )
        for li in lines
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
            )
            for pl in plan_lines
        ]
        planned = strategies.plan("no_split", untracked, locations, cutoff=cutoff)
    by_isl = {isl.pk: isl for isl in isls}
    by_line = {li.pk: li for li in lines}
    return [
        {
            "inventory_stock_location": by_isl[p.location],
            "shipping_category_id": p.shipping_category,
            "lines": [(by_line[a.line], a.quantity) for a in p.allocations],
        }
        for p in planned
    ]


def current_salable(sku_ids, stock_location_ids) -> dict[tuple[int, int], int]:
    """{(stock_location_id, sku_id): salable} without locks (carts; placing re-reads locked)."""
    items = list(
        StockItem.objects.filter(sku_id__in=sku_ids, stock_location_id__in=stock_location_ids)
    )
    salable = salable_quantities(items)
    return {(item.stock_location_id, item.sku_id): salable[item.pk] for item in items}


@transaction.atomic
def build_shipments(order: Order, *, salable=None, strict: bool = False) -> list[Shipment]:
    """Keep a draft/pending order's shipments and stock line items in step with its lines.

    A shipment is identified by (stock location, shipping category, rank): one that is still
    needed keeps its id and its chosen shipping method, so a client holding it is not surprised.
    """
    if order.status not in ("draft", "pending"):
        return list(order.shipments.all())
    lines = shippable_lines(order)
    plan = plan_shipments(order, lines, salable=salable, strict=strict) if lines else []
    existing: dict = {}
    for shipment in order.shipments.select_related("shipping_method").order_by("id"):
        key = (shipment.stock_location_id, shipment.shipping_category_id)
        existing.setdefault(key, []).append(shipment)
    StockLineItem.objects.filter(shipment__order=order).delete()
    shipments = []
    for part in plan:
        isl = part["inventory_stock_location"]
        key = (isl.stock_location_id, part["shipping_category_id"])
        reuse = existing.get(key)
        shipment = (
            reuse.pop(0)
            if reuse
            else Shipment(
                order=order,
                inventory_stock_location=isl,
                stock_location=isl.stock_location,
                shipping_category_id=part["shipping_category_id"],
            )
        )
        methods = available_shipping_methods(order, shipment)
        if shipment.shipping_method_id not in {m.pk for m in methods}:
            shipment.shipping_method = _default_method(order, methods)
        shipment.inventory_stock_location = isl
        shipment.save()
        stock_items = {
            si.sku_id: si
            for si in StockItem.objects.filter(
                stock_location_id=isl.stock_location_id,
                sku_id__in=[line.sku_id for line, _ in part["lines"]],
            )
        }
        StockLineItem.objects.bulk_create(
            [
                StockLineItem(
                    shipment=shipment,
                    line_item=line,
                    sku_id=line.sku_id,
                    sku_code=line.sku_code or line.sku.code,
                    quantity=quantity,
                    stock_item=stock_items.get(line.sku_id),
                )
                for line, quantity in part["lines"]
            ]
        )
        shipments.append(shipment)
    for stale in [s for group in existing.values() for s in group]:
        stale.delete()
    for index, shipment in enumerate(shipments, start=1):
        number = f"{order.number}/S/{index:03d}"
        if shipment.number != number:
            shipment.number = number
            shipment.save(update_fields=["number", "updated_at"])
    return shipments


def _default_method(order: Order, methods: list[ShippingMethod]) -> ShippingMethod | None:
    default_id = order.market.default_shipping_method_id
    for method in methods:
        if method.pk == default_id:
            return method
    return methods[0] if methods else None


def set_shipping_method(shipment: Shipment, method: ShippingMethod | None) -> Shipment:
    """A client picks a shipment's method; it must be available for that shipment."""
    if shipment.order.status not in ("draft", "pending"):
        raise ValidationError(
            "shipping_method",
            "can't be changed once the order is placed",
            error="frozen",
            relationship=True,
        )
    if method is not None and method.pk not in {
        m.pk for m in available_shipping_methods(shipment.order, shipment)
    }:
        raise ValidationError(
            "shipping_method",
            "is not available for this shipment",
            error="invalid",
            relationship=True,
        )
    shipment.shipping_method = method
    shipment.save(update_fields=["shipping_method", "updated_at"])
    return shipment


def move_shipment(shipment: Shipment, trigger: str) -> Shipment:
    """Apply one transition of the shipment table, stamping its `<status>_at`."""
    shipment.status = next_shipment_status(shipment.status, trigger)
    stamp = f"{shipment.status}_at"
    if hasattr(shipment, stamp):
        setattr(shipment, stamp, timezone.now())
    shipment.save()
    emit_event(f"shipments.{trigger}", shipment, status=shipment.status)
    return shipment


def move_order_shipments(order: Order, trigger: str, *, from_statuses: tuple) -> None:
    for shipment in order.shipments.all():
        if shipment.status in from_statuses:
            move_shipment(shipment, trigger)


def fulfillment_status(order: Order, statuses: list[str]) -> str:
    """unfulfilled until a shipment is picking; in_progress; fulfilled when every live
    shipment is shipped or delivered (and one is); not_required when nothing ships."""
    if not statuses:
        return "not_required" if order.skus_count else order.fulfillment_status
    live = [s for s in statuses if s != "cancelled"]
    if not live:
        return "unfulfilled"
    if all(s in SHIPPED for s in live):
        return "fulfilled"
    if any(s not in ("draft", "upcoming", "on_hold") for s in live):
        return "in_progress"
    return "unfulfilled"


# Operators' triggers. The order drives draft -> upcoming -> picking and the cancellations;
# these are the moves an operator asks for, guarded as inventory.md says.
def operator_move(shipment: Shipment, trigger: str) -> Shipment:
    from orders.services.lifecycle import lock_order, save_order

    order = lock_order(shipment.order)
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment.pk)
    ready = order.status == "approved" and order.payment_status in ("paid", "free")
    if shipment.status == "draft" or trigger == "cancel":
        # Draft shipments go upcoming when their order is placed, and shipments are cancelled
        # with their order: neither is an operator's move (inventory.md "Shipments").
        raise InvalidTransition(
            shipment.status,
            SHIPMENT_TARGETS.get(trigger, trigger),
            message="shipments are placed and cancelled with their order",
        )
    if trigger in ("picking", "packing", "ready_to_ship", "ship", "deliver") and not ready:
        raise ValidationError(
            "status", "the order must be approved and paid (or free) first", error="not_ready"
        )
    if trigger == "upcoming" and ready:
        raise ValidationError("status", "the order is ready: use _picking", error="invalid")
    move_shipment(shipment, trigger)
    save_order(order)
    return shipment


def update_shipment(shipment: Shipment, values: dict, *, ctx) -> Shipment:
    from orders.services.lifecycle import lock_order
    from orders.services.totals import refresh_order

    order = lock_order(shipment.order)
    changed = sorted(values)
    if "shipping_method" in values:
        set_shipping_method(shipment, values.pop("shipping_method"))
    for name, value in values.items():
        setattr(shipment, name, value)
    if values:
        shipment.save()
    refresh_order(order)
    if changed:
        method = shipment.shipping_method
        emit_event(
            "shipments.update",
            shipment,
            changed=changed,
            shipping_method=method.public_id if method else None,
        )
    return shipment
