"""Reads of inventory for other layers (HackSoft's selectors)."""

from commerce.auth.exceptions import InvalidScope
from commerce.auth.scopes import ScopedMarket, ScopedStockLocation, ScopeItem
from inventory.models import StockLocation


def scoped_stock_location(
    item: ScopeItem, markets: tuple[ScopedMarket, ...]
) -> ScopedStockLocation:
    """The stock location a token scope names, which must be one of a scoped market's, for
    commerce.auth.scopes (registered in InventoryConfig.ready)."""
    lookup = {"public_id" if item.key == "id" else "code": item.value}
    location = StockLocation.objects.filter(**lookup).values("pk", "public_id", "code").first()
    if location is None:
        raise InvalidScope(f"The requested scope is invalid: unknown stock location {item}.")
    if not any(location["pk"] in m.stock_location_ids for m in markets):
        raise InvalidScope(
            f"A stock location in scope requires its market in scope: {item} belongs to no "
            "market in this scope."
        )
    return ScopedStockLocation(location["pk"], location["public_id"], location["code"])
