"""Stock item row locks, by primary key: step 3 of the global lock order, which is written
down once in orders/locks.py (this app may not import that one)."""

from django.db.models import Q, QuerySet

from inventory.models import StockItem


def lock_stock_items(stock_item_ids) -> dict[int, StockItem]:
    ids = sorted(set(stock_item_ids))
    if not ids:
        return {}
    rows = StockItem.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",))
    return {item.pk: item for item in rows}


def lock_stock_items_for(sku_ids, stock_location_ids, *, also=()) -> dict[int, StockItem]:
    """Lock every stock item of these SKUs at these locations (pk order); the locations may
    be a queryset (then a subquery, not a query of its own). `also`: more stock items by pk,
    locked in the same statement (so the whole set is taken in one pk order)."""
    if not isinstance(stock_location_ids, QuerySet):
        stock_location_ids = set(stock_location_ids)
    wanted = Q(sku_id__in=set(sku_ids), stock_location_id__in=stock_location_ids)
    if also:
        wanted |= Q(pk__in=set(also))
    rows = StockItem.objects.filter(wanted).order_by("pk").select_for_update(of=("self",))
    return {item.pk: item for item in rows}
