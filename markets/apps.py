from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self):
        # A token's scope names markets: found here, not by the kernel (commerce.auth.scopes).
        from commerce.auth.scopes import MARKET, register_scope_finder
        from markets import catalog_views, views  # noqa: F401 (their resources register themselves)
        from markets.selectors import scoped_market

        register_scope_finder(MARKET, scoped_market)
