from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Commerce kernel"

    def ready(self):
        # Registers the system check of the rate-limit settings (a bad rate would fail requests).
        # The kernel's own resources (addresses, API clients...) register themselves.
        # Served records remember what they were loaded with, so a write records `.update`
        # only when it changed something (commerce.events, bulk.md "Events"), with no query.
        from django.apps import apps
        from django.db.models.signals import post_init

        from commerce import (
            application_views,  # noqa: F401
            event_views,  # noqa: F401
            ratelimit,  # noqa: F401
            tag_views,  # noqa: F401
            views,  # noqa: F401
        )
        from commerce.compiled import let_psycopg_cache_long_statements
        from commerce.events import snapshot
        from commerce.pgtimestamps import read_timestamps_in_c

        let_psycopg_cache_long_statements()
        read_timestamps_in_c()

        for model in apps.get_models():
            if any(field.name == "public_id" for field in model._meta.concrete_fields):
                post_init.connect(snapshot, sender=model, weak=False)
