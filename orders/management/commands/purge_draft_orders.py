"""`python manage.py purge_draft_orders [--days 60]`: delete abandoned carts (orders.md), i.e.
draft orders without a customer untouched for that many days. Safe to run from cron."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from orders.services.purge import DRAFT_ORDERS_KEPT_FOR, purge_draft_orders


class Command(BaseCommand):
    help = "Delete draft orders without a customer that nobody touched for --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DRAFT_ORDERS_KEPT_FOR.days)

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        purged = purge_draft_orders(older_than=timedelta(days=days))
        self.stdout.write(f"purged {purged} draft order(s) older than {days} days")
