from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Commerce kernel"

    def ready(self):
        # Registers the system check of the rate-limit settings (a bad rate would fail requests).
        # The kernel's own resources (addresses, API clients...) register themselves.
        from commerce import (
            ratelimit,  # noqa: F401
            views,  # noqa: F401
        )
