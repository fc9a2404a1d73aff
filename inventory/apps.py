from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        # A token's scope names stock locations: found here, not by the kernel.
        from commerce.auth.scopes import STOCK_LOCATION, register_scope_finder
        from inventory import (  # noqa: F401 (their resources register themselves)
            package_views,
            views,
        )
        from inventory.selectors import scoped_stock_location

        register_scope_finder(STOCK_LOCATION, scoped_stock_location)
