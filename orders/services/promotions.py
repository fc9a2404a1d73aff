"""Which coupon and promotions an order gets: reads of the markets' rows, no writes (their
uses are counted by orders.services.usage)."""

from dataclasses import dataclass, field

from django.utils import timezone

from catalog.selectors import entries_of, list_size, list_skus
from markets.models import Coupon, Promotion
from markets.selectors import running_promotions
from orders.models import Order
from orders.transitions import CART_STATUSES, ORDER_STATUSES

USED_BY_CUSTOMER = "has already been used by this customer"
# The orders a coupon's use counts for: placed, not cancelled (the carts are not placed yet).
_PLACED_STATUSES = tuple(s for s in ORDER_STATUSES if s not in (*CART_STATUSES, "cancelled"))


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
    # An exclusive one applies alone only when it gives something: the pricing decides
    # (orders.pricing, step 2).
    return result


@dataclass
class ListMembers:
    """Which of an order's SKUs each SKU list of its promotions holds, in list order with the
    items' quantities (catalog.md "SKU lists")."""

    entries: dict[int, list[tuple[int, int | None]]] = field(default_factory=dict)

    def skus(self, list_id: int) -> set[int]:
        return {sku for sku, _ in self.entries.get(list_id, ())}


def lists_of(promotions) -> dict:
    """The SKU lists the promotions and their SKU-list rules point at, by pk."""
    lists = {}
    for promotion in promotions:
        if promotion.sku_list_id is not None:
            lists[promotion.sku_list_id] = promotion.sku_list
        rule = getattr(promotion, "sku_list_promotion_rule", None)
        if rule is not None and rule.sku_list_id is not None:
            lists[rule.sku_list_id] = rule.sku_list
    return lists


def bundle_list_id(line) -> int | None:
    """The SKU list of a bundle line's bundle (read with the line), None for another line: a
    bundle line is a line of its bundle's list, and of no other (catalog.md "Bundles": list
    promotions and SKU-list rules match it only through that list, not its components)."""
    return line.bundle.sku_list_id if line.bundle_id is not None else None


def applicable(promotions: list[Promotion], sku_lines) -> tuple[list[Promotion], ListMembers]:
    """The promotions whose SKU-list rule the lines meet, and the members of every list they
    use among the lines' SKUs: one query for the manual lists' items, none without lists.

    A SKU-list rule (catalog.md "Rules") holds when, over the lines of its list (its SKUs'
    lines, and the bundle lines of the list): with `min_quantity` > 0, their quantities sum to
    at least it; else with `all_skus`, every SKU of the list is on a line, or a bundle of the
    list is (a bundle holds them all); else any line is. A rule without a list never holds."""
    lists = lists_of(promotions)
    if not lists:
        return promotions, ListMembers()
    skus = {li.sku_id: li.sku for li in sku_lines if li.sku_id is not None}
    members = ListMembers(entries_of(lists.values(), skus.values()))
    kept = []
    for promotion in promotions:
        rule = getattr(promotion, "sku_list_promotion_rule", None)
        if rule is None or _rule_holds(rule, sku_lines, members):
            kept.append(promotion)
    return kept, members


def _rule_holds(rule, sku_lines, members: ListMembers) -> bool:
    if rule.sku_list_id is None:
        return False
    held = members.skus(rule.sku_list_id)
    bundles = [li for li in sku_lines if bundle_list_id(li) == rule.sku_list_id]
    matching = [li for li in sku_lines if li.sku_id in held] + bundles
    if rule.min_quantity:
        return sum(li.quantity for li in matching) >= rule.min_quantity
    if rule.all_skus:
        return bool(bundles) or (len(held) == list_size(rule.sku_list) and bool(held))
    return bool(matching)


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
    if coupon.customer_single_use and used_by_customer(order, coupon.code):
        return USED_BY_CUSTOMER
    return None


def used_by_customer(order: Order, code: str) -> bool:
    """Whether another placed, uncancelled order of `order`'s customer (its `customer`, else
    its `customer_email`) carries coupon `code` (catalog.md: `customer_single_use`). An order
    with neither names no customer: nothing to compare."""
    if order.customer_id is not None:
        same_customer = {"customer_id": order.customer_id}
    elif order.customer_email:
        same_customer = {"customer_email__iexact": order.customer_email}
    else:
        return False
    others = Order.objects.filter(coupon_code=code, status__in=_PLACED_STATUSES, **same_customer)
    return others.exclude(pk=order.pk).exists()


def available_free_skus(order: Order, sku_lines) -> list:
    """`orders.available_free_skus` (catalog.md, free gifts): the SKUs of the free gift the
    order qualifies for now (the first, in application order, whose rules hold: its coupon,
    its SKU-list rule, its order amount rule on the subtotal, nothing being given before a free
    gift), so a storefront can offer them; empty when none does. A read: nothing is written."""
    if not sku_lines:
        return []
    gifts = [
        p for p in active_promotions(order) if p.kind == "free_gift_promotions" and p.sku_list_id
    ]
    gifts, _ = applicable(gifts, sku_lines)
    for promotion in gifts:
        rule = getattr(promotion, "order_amount_promotion_rule", None)
        if rule is None or rule.order_amount_cents is None:
            return list(list_skus(promotion.sku_list))
        if order.subtotal_amount_cents >= rule.order_amount_cents:
            return list(list_skus(promotion.sku_list))
    return []
