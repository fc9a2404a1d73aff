from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "commerce.webhooks"
    label = "webhooks"

    def ready(self):
        from commerce.events import events_recorded
        from commerce.webhooks import services, views  # noqa: F401 (views: its resources)

        # Every recorded event gets its delivery rows in the same transaction (the outbox).
        events_recorded.connect(services.on_events_recorded, dispatch_uid="webhooks-deliveries")
