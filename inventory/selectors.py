"""Reads of inventory for other layers (HackSoft's selectors)."""

from django.db import models

from commerce.auth.exceptions import InvalidScope
from commerce.auth.scopes import ScopedMarket, ScopedStockLocation, ScopeItem
from commerce.compiled import CompiledRead
from inventory.models import InventoryStockLocation, StockLocation

_INVENTORY_LOCATIONS = CompiledRead(
    lambda model_id: (
        InventoryStockLocation.objects.filter(inventory_model_id=model_id)
        .select_related("stock_location")
        .order_by("priority", "id")
    ),
    model_id=models.BigIntegerField(),
)


def inventory_locations(inventory_model_id: int) -> list[InventoryStockLocation]:
    """An inventory model's stock locations (held ones too) with their locations, by priority;
    read on every change of a cart, so compiled once (commerce/compiled.py)."""
    return _INVENTORY_LOCATIONS.all(model_id=inventory_model_id)


def inventory_locations_read(inventory_model_id: int) -> tuple:
    """`inventory_locations` as (read, values), to be read ahead (commerce/together.py)."""
    return _INVENTORY_LOCATIONS, {"model_id": inventory_model_id}


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
