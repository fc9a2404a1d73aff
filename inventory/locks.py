"""Row locks, always taken in one global order so that concurrent checkouts queue instead of
deadlocking. The whole order is written down here, once; its other steps live in the apps above
this one (which this module may not import):

1. the order row (the caller's `select_for_update`, orders.services.lifecycle.lock_order);
2. the coupon, then the promotions one by one by primary key, those with a usage limit: the
   conditional UPDATE that counts a use (`_place`) or gives it back (`_cancel`, a full refund)
   is their lock (markets.usage);
3. the stock items by primary key (this module);
4. the coupon and the promotions without a usage limit, as in step 2: counted once the order is
   placed, so that a coupon anyone may use is not a queue for every checkout.

A step may be skipped, never taken out of turn: nothing locks a coupon or a promotion with a
usage limit once it holds a stock item, and nothing locks a stock item once it holds one
without a limit.
"""

from django.db.models import QuerySet

from inventory.models import StockItem


def lock_stock_items(stock_item_ids) -> dict[int, StockItem]:
    ids = sorted(set(stock_item_ids))
    if not ids:
        return {}
    rows = StockItem.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",))
    return {item.pk: item for item in rows}


def lock_stock_items_for(sku_ids, stock_location_ids) -> dict[int, StockItem]:
    """Lock every stock item of these SKUs at these locations (pk order); the locations may
    be a queryset (then a subquery, not a query of its own)."""
    if not isinstance(stock_location_ids, QuerySet):
        stock_location_ids = set(stock_location_ids)
    rows = (
        StockItem.objects.filter(sku_id__in=set(sku_ids), stock_location_id__in=stock_location_ids)
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    return {item.pk: item for item in rows}
