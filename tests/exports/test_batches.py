"""The worker's pass (bulk/exports.py): keyset batches in `id` order, one gzip member each,
includes read per batch (a fixed number of queries whatever the batch holds)."""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulk import exports
from bulk.models import FileChunk
from commerce.models import Event
from tests import factories as f
from tests.exports.helpers import export_and_run, records_of

pytestmark = pytest.mark.django_db


def test_csv_across_batches_has_one_header_and_every_record_in_order(
    integration, client, monkeypatch
):
    from inventory.models import Sku

    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    for n in range(5):
        f.SkuFactory(code=f"B-{n}")
    export = export_and_run(integration, resource_type="skus", format="csv", fields=["code"])
    rows = records_of(client, export)
    expected = list(Sku.objects.order_by("public_id").values_list("public_id", "code"))
    assert [(r["id"], r["code"]) for r in rows] == expected
    # Three batches, three gzip members (and nothing after the last batch for CSV).
    export_pk = exports.Export.objects.get(public_id=export["id"]).pk
    data = b"".join(bytes(c.data) for c in FileChunk.objects.filter(job_id=export_pk))
    assert data.count(b"\x1f\x8b\x08") >= 3
    assert gzip.decompress(data).decode().count("id,") == 1


def test_json_across_batches_is_one_array(integration, client, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    for n in range(4):
        f.SkuFactory(code=f"J-{n}")
    export = export_and_run(integration, resource_type="skus", fields=["code"])
    records = records_of(client, export)
    assert sorted(r["code"] for r in records) == ["J-0", "J-1", "J-2", "J-3"]
    names = set(Event.objects.filter(resource_id=export["id"]).values_list("topic", flat=True))
    assert {"exports.start", "exports.complete"} <= names


def _orders_with_lines(market, count):
    for _ in range(count):
        order = f.OrderFactory(market=market)
        f.LineItemFactory(order=order)
        f.LineItemFactory(order=order)


def _queries_of_pass(market):
    export = exports.create_export({"resource_type": "orders", "includes": ["line_items"]})
    with CaptureQueriesContext(connection) as captured:
        written = exports.write_export_file(export)
    file = b"".join(
        bytes(c.data) for c in FileChunk.objects.filter(job_id=export.pk).order_by("position")
    )
    assert len(json.loads(gzip.decompress(file))) == written
    return len(captured.captured_queries)


def test_an_orders_batch_costs_the_same_queries_for_2_and_12_orders(market):
    _orders_with_lines(market, 2)
    few = _queries_of_pass(market)
    _orders_with_lines(market, 10)
    many = _queries_of_pass(market)
    assert many == few, f"{few} queries for 2 orders, {many} for 12"
