"""Row locks, always taken in one global order so that concurrent checkouts queue instead of
deadlocking. The whole order is written down here, once; each step is taken by the module
named, in this order:

1. the order row: `lock_order` (this module), or the API's write path, which reads the row
   being written and its order under the order's lock (`locked_through`, commerce.jsonapi.rows);
2. the coupon, then the promotions one by one by primary key, those with a usage limit: the
   conditional UPDATE that counts a use (`_place`) or gives it back (`_cancel`, a full refund)
   is their lock (markets.usage, called by orders.services.usage);
3. the stock items by primary key (inventory.locks, called by orders.services.stock);
4. the coupon and the promotions without a usage limit, as in step 2: counted once the order is
   placed, so that a coupon anyone may use is not a queue for every checkout.

A step may be skipped, never taken out of turn: nothing locks a coupon or a promotion with a
usage limit once it holds a stock item, and nothing locks a stock item once it holds one
without a limit. Stock transfers (inventory.services) lock only stock items, by primary key.
"""

from orders.models import Order

# What the order's services read along with the order (the API's views read it so too).
ORDER_LOCK_RELATED = (
    "market__inventory_model",
    "payment_method__payment_gateway",
    "payment_source",
    "billing_address",
    "shipping_address",
)


def lock_order(order: Order) -> Order:
    """Re-read the order under its row lock (step 1), with what its services read."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related(*ORDER_LOCK_RELATED)
        .get(pk=order.pk)
    )
