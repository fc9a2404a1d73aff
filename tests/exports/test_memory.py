"""Memory stays bounded whatever the size (bulk.md "Exports"): 10 000 SKUs, each with a price
included, written by the worker's pass while tracemalloc watches the Python heap.

The bound, 30 MB: the pass holds one batch at a time (500 SKUs and their prices as model
instances, their JSON:API documents, links and all, and their flat objects: about 25 KB a
record while rendered), at most one 1 MiB file row and one batch's gzip member; measured about
17 MiB on SQLite (most of it the batch's documents; with batches of 100 it is under 3 MiB).
Rendering the whole export at once (10 000 documents at about 25 KB each) costs several
times the bound, so the test fails for an implementation that does; the margin absorbs what
other code adds per model instance (events' snapshots)."""

import gzip
import json
import tracemalloc

import pytest

from bulk import exports, files
from bulk.models import FileChunk
from inventory.models import Sku
from markets.models import Price
from tests import factories as f

PEAK_BOUND = 30 * 1024 * 1024


@pytest.mark.django_db
def test_10000_skus_with_prices_stay_under_30_mb():
    category = f.ShippingCategoryFactory()
    price_list = f.PriceListFactory(currency_code="USD")
    Sku.objects.bulk_create(
        Sku(code=f"MEM-{n:05d}", name=f"Memory test product {n}", shipping_category=category)
        for n in range(exports.MAX_RECORDS)
    )
    Price.objects.bulk_create(
        Price(sku=sku, price_list=price_list, amount_cents=100 + n)
        for n, sku in enumerate(Sku.objects.order_by("id"))
    )
    export = exports.create_export({"resource_type": "skus", "includes": ["prices"]})
    assert export.records_count == exports.MAX_RECORDS

    tracemalloc.start()
    try:
        written = exports.write_export_file(export)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert written == exports.MAX_RECORDS
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MiB"
    rows = FileChunk.objects.filter(kind="exports", job_id=export.pk).order_by("position")
    sizes = [len(r.data) for r in rows]
    assert max(sizes) <= files.CHUNK_BYTES
    data = b"".join(bytes(r.data) for r in rows)
    records = json.loads(gzip.decompress(data))
    expected = list(Sku.objects.order_by("public_id").values_list("public_id", flat=True))
    assert [r["id"] for r in records] == expected
    assert all(len(r["prices"]) == 1 for r in records)
    print(f"peak {peak / 2**20:.1f} MiB, file {len(data)} bytes in {len(sizes)} rows")
