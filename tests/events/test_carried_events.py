"""On PostgreSQL a write's own events ride on its statement (commerce.events.carrying): the
INSERT of a record, or the UPDATE of one row, also inserts its `.create`/`.update` events and
returns their ids and subscribers. What a user sees must not change: the events exist once,
with their payloads, and subscribed webhooks get their deliveries."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.compiled import insert_rows, update_rows
from commerce.events import emit_event, recording_events
from commerce.models import Event
from commerce.webhooks.models import Delivery, Webhook
from inventory.models import Sku
from tests import factories as f
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def event_statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "commerce_event" in q["sql"]]


def test_an_address_and_its_event_are_one_statement_and_its_webhook_gets_a_delivery(
    integration,
):
    webhook = Webhook.objects.create(topic="addresses.create", callback_url="https://h.test/a")
    with CaptureQueriesContext(connection) as ctx:
        answer = integration.create("addresses", ADDRESS)
    assert answer.status_code == 201
    address_id = answer.json()["data"]["id"]
    (statement,) = event_statements(ctx)
    assert statement.startswith("WITH ev AS (INSERT INTO")
    assert 'INSERT INTO "commerce_address"' in statement
    event = Event.objects.get(topic="addresses.create", resource_id=address_id)
    assert Delivery.objects.filter(event=event, webhook=webhook).count() == 1


def test_what_a_later_emit_adds_to_a_carried_event_is_stored():
    category = f.ShippingCategoryFactory()
    sku = Sku(code="CARRY-1", name="Mug", shipping_category=category)
    with transaction.atomic(), recording_events():
        insert_rows([sku])
        emit_event("skus.create", sku, source="import")  # the same event, more to say
    (event,) = Event.objects.filter(resource_id=sku.public_id)
    assert (event.topic, event.payload) == ("skus.create", {"source": "import"})


def test_two_updates_of_a_row_are_one_event_with_both_changes():
    sku = f.SkuFactory(name="Mug")
    sku = Sku.objects.get(pk=sku.pk)
    with transaction.atomic(), recording_events():
        sku.name = "Big mug"
        update_rows([sku], ["name"])
        sku.description = "Holds a pint"
        update_rows([sku], ["description"])
    (event,) = Event.objects.filter(resource_id=sku.public_id, topic="skus.update")
    assert event.payload == {"changed": ["description", "name"]}


def test_an_update_of_a_row_that_is_gone_records_nothing():
    sku = f.SkuFactory(name="Mug")
    sku = Sku.objects.get(pk=sku.pk)
    Sku.objects.filter(pk=sku.pk).delete()
    with transaction.atomic(), recording_events():
        sku.name = "Big mug"
        assert update_rows([sku], ["name"]) == 0
    assert not Event.objects.filter(resource_id=sku.public_id).exists()


def test_an_insert_that_fails_leaves_no_event_behind():
    from django.db import IntegrityError

    category = f.ShippingCategoryFactory()
    taken = f.SkuFactory(code="CARRY-TAKEN", shipping_category=category)
    again = Sku(code=taken.code, name="Same code", shipping_category=category)
    with transaction.atomic(), recording_events():
        try:
            with transaction.atomic():  # a savepoint the caller rolls back and goes on
                insert_rows([again])
        except IntegrityError:
            pass
        sku = Sku(code="CARRY-NEXT", name="Next", shipping_category=category)
        insert_rows([sku])
    assert not Event.objects.filter(resource_id=again.public_id).exists()
    assert Event.objects.filter(resource_id=sku.public_id, topic="skus.create").count() == 1


def test_a_service_event_emitted_before_its_write_rides_on_it_with_the_write_changes():
    sku = Sku.objects.get(pk=f.SkuFactory(name="Mug").pk)
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic(), recording_events():
            emit_event("skus.update", sku, reason="renamed")  # the service's own, first
            sku.name = "Big mug"
            update_rows([sku], ["name"])
    (statement,) = event_statements(ctx)  # the UPDATE's: no events statement at the end
    assert statement.startswith("WITH ev AS (INSERT INTO") and 'UPDATE "inventory_sku"' in statement
    (event,) = Event.objects.filter(resource_id=sku.public_id, topic="skus.update")
    assert event.payload == {"reason": "renamed", "changed": ["name"]}


def test_a_service_event_emitted_before_a_write_that_writes_nothing_is_forgotten_with_it():
    category = f.ShippingCategoryFactory()
    gone = Sku.objects.get(pk=f.SkuFactory(name="Mug", shipping_category=category).pk)
    Sku.objects.filter(pk=gone.pk).delete()
    with transaction.atomic(), recording_events():
        emit_event("skus.update", gone, reason="renamed")
        gone.name = "Big mug"
        assert update_rows([gone], ["name"]) == 0
        kept = Sku(code="CARRY-KEPT", name="Kept", shipping_category=category)
        insert_rows([kept])
    assert not Event.objects.filter(resource_id=gone.public_id).exists()
    assert Event.objects.filter(resource_id=kept.public_id, topic="skus.create").count() == 1
