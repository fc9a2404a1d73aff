"""`_place` counts the order's coupon and promotion uses and `_cancel` gives them back
(catalog.md "Coupons and usage limits"), each a step of the caller's transaction under the
order's row lock and before any stock item is locked (the global lock order, inventory/locks.py).

Which promotions an order gets is known before the stock is locked (`active_promotions`, what
the pricing is then given), whether each gives anything only once the figures are computed:
so every candidate is counted first (markets.usage), and one that gave nothing (no line item)
has its use given back after the figures, its row locked already, the lock order unchanged.

Only what has a limit is counted before the stock (and a `customer_single_use` coupon, whose
row lock serialises the check that no other placed order of the customer carries it): a coupon
or promotion without one can't be refused, and locking its row that early would make it a
queue for every checkout of the market (the row lock is held until commit, through the
payment's authorization). Those are counted once the order is known to be placed
(`take_unlimited_uses`), after the stock items, as every checkout does: a row is locked before
the stock exactly when it has a limit (or is single-use), so all checkouts agree on its place in
the lock order. (An operator setting a limit while checkouts run could
make two disagree once; PostgreSQL would then break the deadlock, answered 409, retry.)

Refusals, one error per problem (an order is placed with the discounts it was shown or not at
all):
- the coupon, or the promotion it brings, at its limit: 422 "has reached its usage limit" on
  `/data/attributes/coupon_code`, the same error a `coupon_code` PATCH gets when the limit is
  already reached;
- an automatic promotion at its limit that would have given something: 422 on
  `/data/relationships/line_items` (the lines it discounts), naming the promotion, so the
  shopper sees why the total changed; a refresh then drops it.
"""

from commerce.exceptions import ValidationError
from markets.models import Coupon, Promotion
from markets.usage import (
    give_back_coupon_use,
    give_back_promotion_uses,
    take_coupon_use,
    take_promotion_uses,
)
from orders.models import LineItem, Order
from orders.services.promotions import USED_BY_CUSTOMER, used_by_customer

REACHED = "has reached its usage limit"


def take_uses(
    coupon: Coupon | None, promotions: list[Promotion], *, order: Order | None = None
) -> tuple[list, set[int]]:
    """On `_place`, before the stock items are locked: count a use of the (usable) coupon and of
    every candidate promotion. Returns the coupon's refusal (a list of at most one error) and
    the ids of the promotions refused (judged by `promotion_errors` once the figures are in).

    A `customer_single_use` coupon is checked again once its row is locked by the count: two
    carts of one customer placing at once are serialised there, and the second sees the first
    order once it has committed (each statement reads what is committed when it starts)."""
    errors = []
    if coupon is not None and _coupon_first(coupon):
        if not take_coupon_use(coupon.pk):
            errors.append(ValidationError("coupon_code", REACHED, error="invalid"))
        elif coupon.customer_single_use and order and used_by_customer(order, coupon.code):
            errors.append(ValidationError("coupon_code", USED_BY_CUSTOMER, error="invalid"))
    return errors, take_promotion_uses(p.pk for p in promotions if _limited(p))


def take_unlimited_uses(coupon: Coupon | None, promotions: list[Promotion], lines) -> None:
    """Once the order is placed, after the stock items: count the uses that have no limit (the
    coupon's, and those of the promotions that gave something)."""
    if coupon is not None and not _coupon_first(coupon):
        take_coupon_use(coupon.pk)
    applied = {li.promotion_id for li in lines if li.promotion_id}
    take_promotion_uses(p.pk for p in promotions if not _limited(p) and p.pk in applied)


def _limited(promotion: Promotion) -> bool:
    return promotion.total_usage_limit is not None


def _coupon_first(coupon: Coupon) -> bool:
    """Whether the coupon's use is counted (its row locked) before the stock items."""
    return coupon.usage_limit is not None or coupon.customer_single_use


def promotion_errors(
    promotions: list[Promotion], refused: set[int], lines, coupon_refused: bool
) -> list[ValidationError]:
    """After the figures: a candidate that gave nothing gets its use back; a refused one that
    gives something is an error (on `coupon_code` for a coupon's promotion, unless the coupon
    was refused already)."""
    applied = {li.promotion_id for li in lines if li.promotion_id}
    unused = {p.pk for p in promotions if _limited(p)} - applied - refused
    if unused:
        give_back_promotion_uses(unused)
    errors = []
    for promotion in promotions:
        if promotion.pk not in refused or promotion.pk not in applied:
            continue
        if getattr(promotion, "coupon_codes_promotion_rule", None) is not None:
            if not coupon_refused:
                errors.append(ValidationError("coupon_code", REACHED, error="invalid"))
            continue
        errors.append(
            ValidationError(
                "line_items",
                f"promotion {promotion.name} {REACHED}",
                error="invalid",
                relationship=True,
                promotion_id=promotion.public_id,
            )
        )
    return errors


def give_back_uses(order: Order):
    """On `_cancel` (or a full refund) of a placed order: the coupon's use and each promotion's
    (its promotion line items) given back, never below 0, in two steps where `_place` counted
    them: those with a usage limit (and a single-use coupon's) now (call it before the stock
    items are released); the others by the function returned (call it after them)."""
    coupon = None
    if order.coupon_code:  # by code: the order keeps the code it was placed with
        coupon = Coupon.objects.filter(code=order.coupon_code).values_list(
            "pk", "usage_limit", "customer_single_use"
        )
        coupon = coupon.order_by().first()
    promotions = list(
        LineItem.objects.filter(order=order, promotion__isnull=False).values_list(
            "promotion_id", "promotion__total_usage_limit"
        )
    )

    def give_back(limited: bool) -> None:
        if coupon is not None and (coupon[1] is not None or coupon[2]) == limited:
            give_back_coupon_use(coupon[0])
        give_back_promotion_uses(pk for pk, limit in promotions if (limit is not None) == limited)

    give_back(True)
    return lambda: give_back(False)
