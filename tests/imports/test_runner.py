"""The job runner (bulk/runner.py, bulk.md "Jobs"): at most N jobs of a kind run, the others
wait pending in creation order; a dead worker's chunk is taken over when its lease expires; a
failure of ours interrupts the job with it in `errors_log`; lists filter and sort."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bulk import runner
from bulk.models import Import, JobChunk
from catalog.models import Sku
from tests import factories as f
from tests.bulk_support import committed, run_jobs, run_tasks


@pytest.fixture
def category(db):
    return f.ShippingCategoryFactory()


def start(client, category, code):
    inputs = [{"code": code, "name": code, "shipping_category_id": category.public_id}]
    response = client.create("imports", {"resource_type": "skus", "inputs": inputs})
    assert response.status_code == 201, response.content
    return Import.objects.get(public_id=response.json()["data"]["id"])


def test_jobs_past_the_limit_wait_pending_in_creation_order(integration, category, settings):
    settings.BULK_MAX_RUNNING_JOBS = 1
    first, second = start(integration, category, "A-1"), start(integration, category, "A-2")
    with committed():
        assert runner.admit("imports") == [first.pk]
    second.refresh_from_db()
    assert second.status == "pending"
    run_jobs()  # the first completes, which lets the second in
    second.refresh_from_db()
    assert second.status == "completed"
    assert Sku.objects.filter(code__in=["A-1", "A-2"]).count() == 2


def test_a_dead_workers_chunk_is_taken_over_when_its_lease_expires(integration, category):
    job = start(integration, category, "LEASED")
    with committed():
        runner.admit("imports")
    (chunk,) = JobChunk.objects.filter(kind="imports", job_id=job.pk)
    assert runner.claim(chunk.pk) is not None  # a worker took it, then died
    run_tasks()  # the queued task finds it leased: not its to run
    assert not Sku.objects.filter(code="LEASED").exists()
    JobChunk.objects.filter(pk=chunk.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with committed():
        assert runner.sweep() == 1
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.processed_count) == ("completed", 1)
    assert Sku.objects.filter(code="LEASED").count() == 1
    chunk.refresh_from_db()
    assert chunk.attempts == 2


def test_a_failure_of_ours_interrupts_the_job(integration, category, monkeypatch):
    job = start(integration, category, "BOOM")

    def explode(job, chunk):
        raise RuntimeError("bug")

    monkeypatch.setitem(runner._KINDS["imports"], "process_chunk", explode)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "interrupted"
    assert job.errors_log == {"base": {"base": ["chunk 1 failed (RuntimeError)"]}}


def test_lists_filter_and_sort(integration, category):
    first = start(integration, category, "L-1")
    second = start(integration, category, "L-2")
    run_jobs()
    for job, reference in ((first, "grp-0001"), (second, "grp-0002")):
        response = integration.update("imports", job.public_id, {"reference": reference})
        assert response.status_code == 200, response.content
        attributes = response.json()["data"]["attributes"]
        assert (attributes["reference"], attributes["processed_count"]) == (reference, 1)
    response = integration.get(
        "/api/imports?filter[q][reference_start]=grp-&filter[q][status_eq]=completed"
        "&sort=-reference"
    )
    assert response.status_code == 200, response.content
    ids = [row["id"] for row in response.json()["data"]]
    assert ids == [second.public_id, first.public_id]
    response = integration.get("/api/imports?filter[q][processed_count_gteq]=1&sort=created_at")
    assert [row["id"] for row in response.json()["data"]] == [first.public_id, second.public_id]
