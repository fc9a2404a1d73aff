"""python manage.py purge_idempotency_keys: delete Idempotency-Key records past their 24 h.

Expired records are already ignored (and replaced) by requests; this only reclaims the space.
Run it from cron, e.g. hourly.
"""

from django.core.management.base import BaseCommand

from commerce.idempotency import purge


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records (older than IDEMPOTENCY_TTL, default 24 h)."

    def handle(self, *args, **options):
        deleted = purge()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
