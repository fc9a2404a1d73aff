"""python manage.py create_demo_superuser: the demo's admin login, `admin` / `admin`.

`make run` calls it. Development only: the password is published, so it refuses to run with
DEBUG off (use `manage.py createsuperuser` on a real deployment). An existing `admin` user is
left as it is."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 (demo only, refused with DEBUG off)


class Command(BaseCommand):
    help = (
        "Create the demo superuser admin/admin for the Django admin. Development only: "
        "refuses to run with DEBUG off. Leaves an existing 'admin' user alone."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo superuser's password is published (admin/admin): "
                "create_demo_superuser refuses to run with DEBUG off. "
                "Create a real login with: manage.py createsuperuser"
            )
        users = get_user_model()
        if users.objects.filter(username=USERNAME).exists():
            self.stdout.write(f"Admin login: the user '{USERNAME}' already exists (unchanged).")
            return
        users.objects.create_superuser(USERNAME, email="", password=PASSWORD)
        self.stdout.write(f"Admin login: {USERNAME} / {PASSWORD} (demo superuser, created).")
