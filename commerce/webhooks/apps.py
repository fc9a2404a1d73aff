from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "commerce.webhooks"
    label = "webhooks"

    def ready(self):
        from django.db.models.signals import post_save

        from commerce.models import Event
        from commerce.webhooks import services

        # Every committed event gets its delivery rows in the same transaction (the outbox).
        post_save.connect(services.on_event_saved, sender=Event, dispatch_uid="webhooks-deliveries")
