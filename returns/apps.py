from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"

    def ready(self):
        # Importing the views registers the resources of returns.
        from returns import views  # noqa: F401
