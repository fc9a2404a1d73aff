from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self):
        # A token's scope names markets: found here, not by the kernel (commerce.auth.scopes).
        from catalog.services import register_list_user
        from commerce.auth.scopes import MARKET, register_scope_finder
        from markets import (  # noqa: F401 (their resources register themselves)
            bundle_views,
            catalog_views,
            customer_group_views,
            shipping_tier_views,
            views,
        )
        from markets.bundle_services import list_user
        from markets.selectors import scoped_market

        register_scope_finder(MARKET, scoped_market)
        # A bundle's list keeps its items (catalog.md "SKU lists": frozen while a bundle uses it).
        register_list_user(list_user)
