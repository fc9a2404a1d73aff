from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        # A token's scope names stock locations: found here, not by the kernel.
        from commerce.auth.scopes import STOCK_LOCATION, register_scope_finder
        from inventory import views  # noqa: F401 (its resources register themselves)
        from inventory.selectors import scoped_stock_location

        register_scope_finder(STOCK_LOCATION, scoped_stock_location)
