"""Purging abandoned carts (orders.md): draft orders without a customer, untouched for 60 days,
are deleted with everything hanging off them (line items, shipments, payment sources), each
recording `orders.destroy` as a shopper's delete does."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commerce.events import emit_event, recording_events
from orders.models import Order

DRAFT_ORDERS_KEPT_FOR = timedelta(days=60)
BATCH = 500


def purgeable_draft_orders(*, older_than: timedelta = DRAFT_ORDERS_KEPT_FOR, now=None):
    """Drafts nobody claimed (no customer) and nobody touched since `older_than` ago. An
    order that got an email, a customer or was placed is never a draft without a customer."""
    cutoff = (now or timezone.now()) - older_than
    return Order.objects.filter(status="draft", customer__isnull=True, updated_at__lt=cutoff)


def purge_draft_orders(*, older_than: timedelta = DRAFT_ORDERS_KEPT_FOR, now=None) -> int:
    """Delete the purgeable drafts in batches (one transaction each, rows locked and re-checked,
    so a cart touched meanwhile stays); returns how many went."""
    purged = 0
    while True:
        with transaction.atomic(), recording_events():
            orders = list(
                purgeable_draft_orders(older_than=older_than, now=now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .only("pk", "public_id")[:BATCH]
            )
            if not orders:
                return purged
            for order in orders:
                emit_event("orders.destroy", order)
            Order.objects.filter(pk__in=[order.pk for order in orders]).delete()
            purged += len(orders)
