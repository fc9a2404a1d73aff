"""A small shop for the order lifecycle tests (tests/shop.py builds it, and the carts in every
state), and a snapshot of all an order touches (so "refused" can be checked as "nothing
changed").
"""

import pytest

from commerce.models import Address, Event
from inventory.models import StockItem, StockReservation
from orders.models import LineItem, Order, PaymentSource, Shipment, Transaction
from tests import factories as f
from tests.shop import build_shop


@pytest.fixture
def shop(market):
    return build_shop(market, "ORD", free=True)


@pytest.fixture
def eu_shop(other_market):
    """The same kind of shop in a second market (EUR): the attacker's side."""
    f.InventoryStockLocationFactory(inventory_model=other_market.inventory_model, priority=1)
    return build_shop(other_market, "EU", free=True)


def snapshot(order: Order) -> dict:
    """Everything an order trigger may write, read back from the database."""
    return {
        "order": Order.objects.filter(pk=order.pk).values().get(),
        "line_items": list(LineItem.objects.filter(order=order).order_by("pk").values()),
        "shipments": list(Shipment.objects.filter(order=order).order_by("pk").values()),
        "transactions": list(Transaction.objects.filter(order=order).order_by("pk").values()),
        "payment_sources": list(PaymentSource.objects.filter(order=order).values_list("pk")),
        "reservations": list(StockReservation.objects.order_by("pk").values_list("pk", "quantity")),
        "stock": list(StockItem.objects.order_by("pk").values_list("pk", "quantity")),
        "addresses": Address.objects.count(),
        "events": Event.objects.count(),
    }


def events_since(last_id: int) -> list[tuple[str, str]]:
    return list(Event.objects.filter(id__gt=last_id).values_list("topic", "resource_id"))


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
