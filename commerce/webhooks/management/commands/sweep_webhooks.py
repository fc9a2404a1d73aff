"""Re-enqueue webhook deliveries that are overdue or whose worker died (lease expired), and
prune the task queue's finished rows (at most hourly).

Once by default; `--every SECONDS` keeps sweeping (what `make worker` runs beside the worker).
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from commerce.webhooks.services import prune_task_results, sweep

PRUNE_EVERY_SECONDS = 3600

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Re-enqueue overdue webhook deliveries (lost tasks, expired leases)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="sweep every N seconds")

    def handle(self, *, every: float, verbosity: int, **options):
        try:
            self.sweep(every, verbosity)
        except KeyboardInterrupt:  # Ctrl-C in `make worker`
            pass

    def sweep(self, every: float, verbosity: int):
        pruned_at = None
        while True:
            close_old_connections()
            try:
                count = sweep()
                if pruned_at is None or time.monotonic() - pruned_at >= PRUNE_EVERY_SECONDS:
                    pruned = prune_task_results()
                    pruned_at = time.monotonic()
                    if pruned and verbosity:
                        self.stdout.write(f"pruned {pruned} finished task results")
            except Exception:  # a database blip must not end the loop
                if not every:
                    raise
                logger.exception("webhook sweep failed")
                count = 0
            if count and verbosity:
                self.stdout.write(f"re-enqueued {count} webhook deliveries")
            if not every:
                return
            time.sleep(every)
