"""Two task workers running one import's chunks at the same time (PostgreSQL only: SQLite runs
one writer at a time): every chunk is claimed once (SKIP LOCKED, leases), chunks racing on the
same unique keys never make a duplicate nor a spurious error (the loser retries as an update),
and the job completes once."""

import threading

import pytest
from django.db import connection, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from bulk import imports, runner
from bulk.models import Import, JobChunk
from catalog.models import Sku
from commerce.models import Event
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


def work(worker_id: str, ran: list, failures: list) -> None:
    """What `db_worker` does, until no task is ready, on this thread's own connection."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    try:
        while True:
            with transaction.atomic():
                task_result = DBTaskResult.objects.ready().get_locked()
                if task_result is not None:
                    task_result.claim(worker.worker_id)
            if task_result is None:
                return
            worker.run_task(task_result)
            task_result.refresh_from_db()
            if task_result.status != "SUCCESSFUL":
                failures.append(task_result.exception_class_path)
            ran.append(worker_id)
    finally:
        connection.close()


def test_two_workers_share_one_import_without_duplicates(monkeypatch):
    category = f.ShippingCategoryFactory()
    monkeypatch.setattr(imports, "CHUNK_SIZE", 40)
    # Every chunk holds the same 40 keys: the chunks race on each of them.
    inputs = [
        {"code": f"PAR-{n}", "name": f"Round {r} {n}", "shipping_category_id": category.public_id}
        for r in range(4)
        for n in range(40)
    ]
    # Both workers hold a chunk at once before either goes on.
    barrier = threading.Barrier(2, timeout=30)
    started = set()
    process = runner._KINDS["imports"]["process_chunk"]

    def process_together(job, chunk):
        if threading.get_ident() not in started:
            started.add(threading.get_ident())
            barrier.wait()
        process(job, chunk)

    monkeypatch.setitem(runner._KINDS["imports"], "process_chunk", process_together)
    job = imports.create_import({"resource_type": "skus", "inputs": inputs})  # commits: admitted
    ran, failures = [], []
    threads = [threading.Thread(target=work, args=(f"w{i}", ran, failures)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sorted(set(ran)) == ["w0", "w1"]
    job.refresh_from_db()
    assert job.status == "completed"
    assert (job.processed_count, job.errors_count, job.errors_log) == (160, 0, {})
    assert (job.chunks_count, job.chunks_done) == (4, 4)
    assert Sku.objects.filter(code__startswith="PAR-").count() == 40
    chunks = JobChunk.objects.filter(kind="imports", job_id=job.pk)
    assert sorted(c.attempts for c in chunks) == [1, 1, 1, 1]
    completes = Event.objects.filter(topic="imports.complete", resource_id=job.public_id)
    assert completes.count() == 1
    assert Import.objects.get(pk=job.pk).inputs is None
