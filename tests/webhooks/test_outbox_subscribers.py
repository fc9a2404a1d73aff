"""The outbox INSERT of a write's events brings each event's enabled webhooks back with it on
PostgreSQL (commerce/events.py), so scheduling their deliveries reads no webhooks again: each
event of a subscribed topic gets one delivery per enabled webhook, open circuits included but
without a task, disabled webhooks and other topics none."""

from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from commerce.events import emit_event, recording_events
from commerce.webhooks import services
from commerce.webhooks.models import Delivery, Webhook
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

# SQLite has no UNNEST ... RETURNING of the webhooks: the webhooks are looked up after.
LOOKUP = 0 if connection.vendor == "postgresql" else 1


def hook(topic, **fields):
    return Webhook.objects.create(topic=topic, callback_url="https://hooks.example.com/", **fields)


def test_each_event_gets_a_delivery_per_enabled_webhook_of_its_topic(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    sku, sku2 = f.SkuFactory(code="OUTBOX-1"), f.SkuFactory(code="OUTBOX-2")
    closed, opened = hook("skus.update"), hook("skus.update", circuit_state=Webhook.OPEN)
    hook("skus.update", disabled_at=timezone.now())
    other = hook("skus.create")
    enqueued = []
    with (
        mock.patch.object(services, "enqueue", lambda ids: enqueued.extend(ids)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        with django_assert_num_queries(2 + LOOKUP):  # the events, then their deliveries
            with recording_events():  # the test's transaction stands for the request's
                emit_event("skus.update", sku)
                # (a second `skus.update` of the same SKU in one write would be the same event)
                emit_event("skus.update", sku2)
                emit_event("prices.update", sku)
    by_webhook = sorted(Delivery.objects.values_list("webhook_id", flat=True))
    assert by_webhook == sorted([closed.pk, closed.pk, opened.pk, opened.pk])
    assert other.pk not in by_webhook
    # once the change commits, a task for each delivery of a closed circuit only
    closed_ids = set(Delivery.objects.filter(webhook=closed).values_list("pk", flat=True))
    assert len(closed_ids) == 2 and sorted(enqueued) == sorted(closed_ids)


def test_events_no_webhook_listens_to_cost_one_statement(django_assert_num_queries):
    sku = f.SkuFactory(code="OUTBOX-2")
    hook("orders.place")
    with django_assert_num_queries(1 + LOOKUP):
        with recording_events():
            emit_event("skus.update", sku)
            emit_event("skus.destroy", sku)
    assert not Delivery.objects.exists()
