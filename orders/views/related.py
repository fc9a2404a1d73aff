"""Relationships read through other rows, and the prefetches that feed them."""

from django.db.models import Prefetch

from inventory.models import StockReservation
from markets.models import DeliveryLeadTime
from orders.models import LineItem, Order, Shipment, StockLineItem

# --- relationships read through other rows ------------------------------------------------------
#
# A getter's `prefetch` names one Prefetch, with its own queryset, per level it walks (never a
# plain "a__b" string: Django refuses a lookup with a queryset on a path a plain lookup walked
# before it, and an include of `a` is such a lookup, so `include=origin_address,stock_location`
# was a 500). An include of the same level is then the same key, which the document builder
# deduplicates; either queryset holds the rows the getter reads, and each level selects what the
# target's attributes read (more than one lookup: the builder adds nothing below them). At a
# related endpoint nothing is prefetched on the parent: the getters answer one queryset instead.

BY_AGE = ("created_at", "id")


def levels(*lookups: tuple[str, object]) -> tuple:
    return tuple(Prefetch(path, queryset=queryset) for path, queryset in lookups)


# An order's stock line items (and their reservations), through its shipments.
ORDER_STOCK_LINES = (
    ("shipments", Shipment.objects.order_by(*BY_AGE)),
    ("shipments__stock_line_items", StockLineItem.objects.select_related("line_item")),
)


def order_stock_line_items(order):
    if not order.is_prefetched("shipments"):
        return StockLineItem.objects.filter(shipment__order=order)
    return [line for shipment in order.shipments.all() for line in shipment.stock_line_items.all()]


def order_stock_reservations(order):
    if not order.is_prefetched("shipments"):
        return StockReservation.objects.filter(stock_line_item__shipment__order=order)
    return [
        line.stock_reservation
        for line in order_stock_line_items(order)
        if line.stock_reservation_id is not None
    ]


def reservations_below(path: str) -> tuple:
    return (
        f"{path}__stock_reservation",
        StockReservation.objects.select_related("stock_item"),
    )


def line_items_at(path: str) -> tuple:
    """Line items at `path` with the order their attributes read (a level of its own too: an
    include may have joined the line items already, without it)."""
    return (
        (path, LineItem.objects.select_related("order")),
        (f"{path}__order", Order.objects.all()),
    )


def no_stock_transfers(record):
    """Stock transfers are made by hand (inventory.md: transfers for orders are a later
    milestone), so no order, shipment or line item has any: the relationship is always empty."""
    return []


# A shipment's line items: those of its stock line items.
def shipment_line_items(shipment):
    if not shipment.is_prefetched("stock_line_items"):
        return LineItem.objects.filter(stock_line_items__shipment=shipment).distinct()
    lines = shipment.stock_line_items.all()
    return list({line.line_item_id: line.line_item for line in lines}.values())


# A shipment's delivery lead time: its shipping method's from its stock location (read through
# the location, which the shipment's reach covers, like its `stock_location`).
def delivery_lead_time(shipment):
    if shipment.shipping_method_id is None or shipment.stock_location_id is None:
        return None
    location = shipment.stock_location
    if not location.is_prefetched("delivery_lead_times"):
        return DeliveryLeadTime.objects.filter(
            shipping_method_id=shipment.shipping_method_id, stock_location_id=location.pk
        ).first()
    times = location.delivery_lead_times.all()
    return next((t for t in times if t.shipping_method_id == shipment.shipping_method_id), None)


def origin_address(shipment):
    location = shipment.stock_location
    return location.address if location is not None else None


# A line item's reservations, through its stock line items.
def line_item_stock_reservations(line_item):
    if not line_item.is_prefetched("stock_line_items"):
        return StockReservation.objects.filter(stock_line_item__line_item=line_item)
    return [
        line.stock_reservation
        for line in line_item.stock_line_items.all()
        if line.stock_reservation_id is not None
    ]
