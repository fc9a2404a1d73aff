"""JSON:API resources of the orders app: orders and everything reached through them, one module
per family (orders, shipments, payments, customers), over who reaches what (reach.py) and the
relationships read through other rows (related.py). Importing this package registers them."""

from orders.views import (
    adjustments,
    customers,
    gateways,
    gift_cards,
    line_item_options,
    order_copies,
    orders,
    parcels,
    payment_options,
    payments,
    shipments,
    wallet,
)
from orders.views.reach import addresses_within_reach, reachable_orders

__all__ = [
    "adjustments",
    "customers",
    "gateways",
    "gift_cards",
    "line_item_options",
    "order_copies",
    "orders",
    "parcels",
    "payment_options",
    "payments",
    "shipments",
    "wallet",
    "addresses_within_reach",
    "reachable_orders",
]
