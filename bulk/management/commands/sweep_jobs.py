"""Re-enqueue bulk jobs' chunks whose worker died (lease expired) or whose task was lost, and
start the jobs waiting for a place (bulk/runner.py `sweep`).

Once by default; `--every SECONDS` keeps sweeping (beside `make worker`)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from bulk.runner import sweep


class Command(BaseCommand):
    help = "Re-enqueue the chunks of bulk jobs whose worker died, and admit waiting jobs."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="sweep every N seconds")

    def handle(self, *, every: float, verbosity: int, **options):
        try:
            while True:
                close_old_connections()
                count = sweep()
                if verbosity > 1 or count:
                    self.stdout.write(f"re-enqueued {count} chunk(s)")
                if not every:
                    return
                time.sleep(every)
        except KeyboardInterrupt:  # Ctrl-C
            pass
