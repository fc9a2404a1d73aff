"""`purge_draft_orders` removes abandoned carts (orders.md): draft orders without a customer
untouched for 60 days, with their line items and shipments; every other order stays."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.models import LineItem, Order, Shipment
from orders.services.purge import purge_draft_orders
from tests import factories as f
from tests.orders.conftest import events_since, last_event_id
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def age(order, days):
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(days=days))


def draft_with_lines(shop, days):
    """A cart with a line item but no email: it stays a draft."""
    order = make_cart(shop, ready=False)
    f.LineItemFactory(order=order, sku=shop["sku"], quantity=2)
    from orders.services.totals import refresh_order

    refresh_order(order)
    assert Order.objects.get(pk=order.pk).status == "draft"
    age(order, days)
    return order


def test_old_drafts_go_with_their_lines_and_everything_else_stays(integration, shop, capsys):
    old = [draft_with_lines(shop, 61), draft_with_lines(shop, 400)]
    empty_old = make_cart(shop, ready=False)
    age(empty_old, 90)
    recent = draft_with_lines(shop, 59)
    customer = f.CustomerFactory()
    claimed = make_cart(shop, ready=False, customer=customer)
    age(claimed, 90)
    pending = make_cart(shop)
    age(pending, 90)
    placed = make_cart(shop)
    ok(integration.update("orders", placed.public_id, {"_place": True}))
    age(placed, 90)
    cancelled = make_cart(shop)
    ok(integration.update("orders", cancelled.public_id, {"_cancel": True}))
    age(cancelled, 90)
    assert Shipment.objects.filter(order__in=old).exists()
    mark = last_event_id()

    call_command("purge_draft_orders")

    assert "purged 3 draft order(s) older than 60 days" in capsys.readouterr().out
    gone = [*old, empty_old]
    assert not Order.objects.filter(pk__in=[o.pk for o in gone]).exists()
    assert not LineItem.objects.filter(order_id__in=[o.pk for o in gone]).exists()
    assert not Shipment.objects.filter(order_id__in=[o.pk for o in gone]).exists()
    kept = [recent, claimed, pending, placed, cancelled]
    assert set(Order.objects.values_list("pk", flat=True)) == {o.pk for o in kept}
    assert LineItem.objects.filter(order=recent).count() >= 1
    # Webhooks and the audit trail learn of each purge as of a shopper's delete.
    assert sorted(events_since(mark)) == sorted(("orders.destroy", o.public_id) for o in gone)


def test_the_age_is_configurable_and_a_second_run_finds_nothing(shop, capsys):
    order = draft_with_lines(shop, 10)
    call_command("purge_draft_orders", "--days", "30")
    assert Order.objects.filter(pk=order.pk).exists()
    call_command("purge_draft_orders", "--days", "7")
    assert not Order.objects.filter(pk=order.pk).exists()
    call_command("purge_draft_orders", "--days", "7")
    assert capsys.readouterr().out.splitlines() == [
        "purged 0 draft order(s) older than 30 days",
        "purged 1 draft order(s) older than 7 days",
        "purged 0 draft order(s) older than 7 days",
    ]


def test_purges_in_batches(shop, monkeypatch):
    monkeypatch.setattr("orders.services.purge.BATCH", 2)
    orders = [draft_with_lines(shop, 70) for _ in range(5)]
    assert purge_draft_orders() == 5
    assert not Order.objects.filter(pk__in=[o.pk for o in orders]).exists()


def test_days_must_be_positive():
    with pytest.raises(CommandError):
        call_command("purge_draft_orders", "--days", "0")
