from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Operators' bulk jobs (bulk.md): imports, exports and cleanups, run on the task workers.
    Above every domain app: it writes their records through their own services."""

    name = "bulk"

    def ready(self):
        # Importing the views registers the resources of bulk.
        from bulk import views  # noqa: F401
