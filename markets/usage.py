"""Coupon and promotion usage limits (catalog.md "Coupons and usage limits").

A use is counted by one conditional UPDATE (`usage_count = usage_count + 1 WHERE id = … AND
(usage_limit IS NULL OR usage_count < usage_limit)`), which is also the row's lock: of N
checkouts racing for the last use, PostgreSQL lets one update the row and re-checks the
condition for the others once it commits, so they update nothing and are refused. No read
comes first: what a read saw may be gone by the time the row is written.

A step of the caller's transaction, in the global lock order (inventory/locks.py): the caller
holds the order's row lock; the coupon comes next, then the promotions one by one in primary-key
order, then the stock items; those without a usage limit come after the stock items
(orders.services.usage says why).
"""

from django.db.models import F, Q

from markets.models import Coupon, Promotion

_COUPON_BELOW_LIMIT = Q(usage_limit__isnull=True) | Q(usage_count__lt=F("usage_limit"))
_PROMOTION_BELOW_LIMIT = Q(total_usage_limit__isnull=True) | Q(
    total_usage_count__lt=F("total_usage_limit")
)


def take_coupon_use(coupon_id: int) -> bool:
    """Count one use of the coupon; False (nothing written) when its usage_limit is reached."""
    updated = Coupon.objects.filter(_COUPON_BELOW_LIMIT, pk=coupon_id).update(
        usage_count=F("usage_count") + 1
    )
    return updated == 1


def take_promotion_uses(promotion_ids) -> set[int]:
    """Count one use of each promotion, one row at a time in primary-key order (a single UPDATE
    of several rows locks them in whatever order the scan meets them, which could deadlock with
    a checkout locking the same promotions). Returns the ids whose total_usage_limit was reached
    (not counted)."""
    refused = set()
    for pk in sorted(set(promotion_ids)):
        updated = Promotion.objects.filter(_PROMOTION_BELOW_LIMIT, pk=pk).update(
            total_usage_count=F("total_usage_count") + 1
        )
        if not updated:
            refused.add(pk)
    return refused


def give_back_coupon_use(coupon_id: int) -> None:
    """A use given back (a cancelled order), never below 0."""
    Coupon.objects.filter(pk=coupon_id, usage_count__gt=0).update(usage_count=F("usage_count") - 1)


def give_back_promotion_uses(promotion_ids) -> None:
    """One use of each promotion given back, never below 0, in primary-key order as counted."""
    for pk in sorted(set(promotion_ids)):
        Promotion.objects.filter(pk=pk, total_usage_count__gt=0).update(
            total_usage_count=F("total_usage_count") - 1
        )
