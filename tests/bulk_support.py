"""Running bulk jobs in tests (bulk/runner.py): `run_jobs()` does in process what the API's
commit and the task workers do: admit the pending jobs (what `start_job` leaves to on_commit,
which a test's transaction never reaches) and run every queued task with django-tasks-db's own
worker function until none is left."""

from django.db import transaction
from django.test import TestCase
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from bulk import runner


def committed():
    """The end of this block stands for a commit: its on_commit callbacks run then."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _worker() -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-bulk-worker",
        excluded_queue_names=[],
    )


def run_tasks(limit: int | None = None) -> int:
    """Run queued tasks (at most `limit`) as `db_worker` does; returns how many ran."""
    worker, ran = _worker(), 0
    while limit is None or ran < limit:
        with committed():
            with transaction.atomic():
                task_result = DBTaskResult.objects.ready().get_locked()
                if task_result is not None:
                    task_result.claim(worker.worker_id)
            if task_result is None:
                return ran
            worker.run_task(task_result)
        ran += 1
    return ran


def run_jobs() -> int:
    """Admit and run every bulk job until nothing is left to do; returns the tasks run."""
    total = 0
    while True:
        with committed():
            started = [pk for kind in runner.MODELS for pk in runner.admit(kind)]
        ran = run_tasks()
        total += ran
        if not ran and not started:
            return total
