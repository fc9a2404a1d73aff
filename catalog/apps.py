from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        # Importing the views registers the resources of the catalog (sku lists).
        from catalog import views  # noqa: F401
