"""Which coupon and promotions an order gets: reads of the markets' rows, no writes (their
uses are counted by orders.services.usage)."""

from django.utils import timezone

from markets.models import Coupon, Promotion
from markets.selectors import running_promotions
from orders.models import Order


def find_coupon(code: str) -> Coupon | None:
    return Coupon.objects.select_related("promotion_rule__promotion").filter(code=code).first()


def active_promotions(order: Order, now=None, *, coupon=..., shown=frozenset()) -> list[Promotion]:
    """Promotions of the order's market that apply now: automatic ones, and those whose
    coupon the order carries (`coupon`: the caller read it already, None when none).

    A promotion at its usage limit is left out, unless its id is in `shown` (`_place` passes
    the promotions the cart's lines show): the limit read here, without a lock, may have been
    reached by a checkout that committed a moment ago, and the cart must then be refused
    naming it (orders.services.usage), not placed quietly at a price it was not shown."""
    now = now or timezone.now()
    if coupon is ...:
        coupon = find_coupon(order.coupon_code) if order.coupon_code else None
    result = []
    for promotion in running_promotions(order.market_id, now):
        if promotion.total_usage_reached and promotion.pk not in shown:
            continue
        if promotion.currency_code and promotion.currency_code != order.currency_code:
            continue
        rule = getattr(promotion, "coupon_codes_promotion_rule", None)
        if rule is not None and (coupon is None or coupon.promotion_rule_id != rule.pk):
            continue
        result.append(promotion)
    exclusive = [p for p in result if p.exclusive]
    return exclusive[:1] if exclusive else result


def coupon_problem(order: Order, code: str) -> str | None:
    """Why `code` can't be used on `order` (None when it can)."""
    return coupon_unusable(order, find_coupon(code))


def coupon_unusable(order: Order, coupon: Coupon | None) -> str | None:
    """Why `coupon` (None: no such code) can't be used on `order` (None when it can): read
    without a lock, so at `_place` its usage limit is then held by the conditional UPDATE."""
    if coupon is None:
        return "is not a valid coupon code"
    now = timezone.now()
    promotion = coupon.promotion_rule.promotion
    if promotion.market_id not in (None, order.market_id):
        return "is not valid in this market"
    if coupon.expires_at is not None and coupon.expires_at <= now:
        return "has expired"
    if coupon.usage_limit is not None and coupon.usage_count >= coupon.usage_limit:
        return "has reached its usage limit"
    if promotion.status_at(now) != "active":
        return "is not active"
    return None
