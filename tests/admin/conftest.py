"""The operators' admin beside the API: a small shop, orders moved over HTTP with an integration
token, admin users, and snapshots that say what an order, its shipments, money and stock are."""

import html
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse

from commerce.models import Event
from inventory.models import StockItem, StockReservation
from orders.models import Order, Shipment
from tests.shop import build_shop


@pytest.fixture
def shop(market):
    return build_shop(market, "ADM")


def logged_in(user) -> Client:
    """A browser of its own (the `client` fixture carries the API's bearer token)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(django_user_model):
    """A superuser (force_login: no password to hash)."""
    return logged_in(
        django_user_model.objects.create(username="operator", is_staff=True, is_superuser=True)
    )


@pytest.fixture
def viewer_client(django_user_model):
    """Staff that may only look at orders and shipments."""
    user = django_user_model.objects.create(username="viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_order", "view_shipment"])
    )
    return logged_in(user)


@pytest.fixture
def shopper_client(django_user_model):
    """A logged-in user who is not staff."""
    return logged_in(django_user_model.objects.create(username="shopper"))


def admin_url(obj, page="change", *args):
    opts = obj._meta
    if page == "changelist":
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk, *args])


def messages_of(response) -> list[str]:
    return [html.unescape(str(m)) for m in response.context["messages"]]


def api_errors(response) -> list[str]:
    return [error["detail"] for error in response.json()["errors"]]


def order_snapshot(order: Order) -> dict:
    """What an order is, without ids, numbers or timestamps (so twins compare equal)."""
    order = Order.objects.get(pk=order.pk)
    shipments = list(Shipment.objects.filter(order=order).order_by("pk"))
    return {
        "status": order.status,
        "payment_status": order.payment_status,
        "fulfillment_status": order.fulfillment_status,
        "approved": order.approved_at is not None,
        "cancelled": order.cancelled_at is not None,
        "archived": order.archived_at is not None,
        "total": order.total_amount_with_taxes_cents,
        "transactions": sorted(
            (t.kind, t.amount_cents, t.succeeded) for t in order.transactions.all()
        ),
        "shipments": [s.status for s in shipments],
        "events": sorted(
            Event.objects.filter(
                resource_id__in=[order.public_id, *[s.public_id for s in shipments]]
            ).values_list("topic", flat=True)
        ),
    }


def stock_snapshot() -> dict:
    return {
        "on_hand": sorted(StockItem.objects.values_list("pk", "quantity")),
        "reserved": sorted(StockReservation.objects.values_list("stock_item_id", "quantity")),
    }


def stock_change(before: dict, after: dict) -> dict:
    """Units on hand and reserved that moved, per stock item."""
    on_hand = dict(after["on_hand"])
    change = {pk: on_hand[pk] - qty for pk, qty in before["on_hand"]}

    def reserved(snapshot):
        totals = {}
        for pk, qty in snapshot["reserved"]:
            totals[pk] = totals.get(pk, 0) + qty
        return totals

    held_before, held_after = reserved(before), reserved(after)
    return {
        "on_hand": {pk: d for pk, d in change.items() if d},
        "reserved": {
            pk: held_after.get(pk, 0) - held_before.get(pk, 0)
            for pk in set(held_before) | set(held_after)
            if held_after.get(pk, 0) != held_before.get(pk, 0)
        },
    }


def rows_of(order: Order) -> dict:
    """The order's rows as stored, timestamps included."""
    return {
        "order": Order.objects.filter(pk=order.pk).values().get(),
        "shipments": list(Shipment.objects.filter(order=order).order_by("pk").values()),
        "transactions": list(order.transactions.order_by("pk").values()),
    }


def full_snapshot(order: Order) -> dict:
    """Everything a refused move must leave alone: the order's rows, all stock, the outbox."""
    return {**rows_of(order), "stock": stock_snapshot(), "events": Event.objects.count()}


class _RolledBack(Exception):
    pass


@contextmanager
def undone():
    """Run the block in a savepoint rolled back afterwards: the next move starts from the same
    rows (ids and numbers included)."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


API_TYPES = {
    "order": "orders",
    "shipment": "shipments",
    "stocktransfer": "stock_transfers",
    "stockitem": "stock_items",
}


def what_the_api_does(api, obj, change, snapshot):
    """(HTTP status, error details, snapshot(), stock change) of a PATCH of `obj` over the API,
    undone afterwards. `change` is a trigger name (`_approve`) or the attributes to send."""
    attributes = {change: True} if isinstance(change, str) else change
    stock = stock_snapshot()
    with undone():
        answer = api.update(API_TYPES[obj._meta.model_name], obj.public_id, attributes)
        errors = api_errors(answer) if answer.status_code != 200 else []
        result = (answer.status_code, errors, snapshot(), stock_change(stock, stock_snapshot()))
    return result
