"""Writes of shipping weight tiers (shipping.md "What a method costs for a shipment"), each one
transaction recording its event (`shipping_weight_tiers.create` / `.update` / `.destroy`).

The tier's method is read under its row lock first (`_lock_methods`: the method it leaves too,
when a tier moves, in primary key order), so the checks below hold until the commit, each a 422
rather than the database's constraint:
- at most 5 tiers per method: a 6th is a 422 on `/data/relationships/shipping_method`;
- `up_to` unique per method, and at most one null (`up_to` > 0 is the serializer's check and
  the database's).
Tiers of a method of another scheme are kept (and ignored by its price).
"""

from django.db import transaction

from commerce.events import emit_event
from commerce.services import delete_record, save_record
from markets.models import ShippingMethod, ShippingWeightTier
from markets.tiers import check_tier


def _lock_methods(*method_ids) -> None:
    ids = sorted({pk for pk in method_ids if pk is not None})
    if ids:
        list(
            ShippingMethod.objects.filter(pk__in=ids)
            .order_by("pk")
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )


def check_weight_tier(tier: ShippingWeightTier) -> None:
    """The rules above, for `tier` as it is about to be written (its method's other tiers as
    stored)."""
    others = ShippingWeightTier.objects.filter(shipping_method_id=tier.shipping_method_id)
    check_tier(
        tier,
        others,
        parent="shipping_method",
        most=ShippingWeightTier.MAX_PER_METHOD,
        what="weight tiers",
    )


@transaction.atomic(savepoint=False)
def add_weight_tier(tier: ShippingWeightTier) -> ShippingWeightTier:
    """A new tier (the API's create, the admin's form)."""
    _lock_methods(tier.shipping_method_id)
    check_weight_tier(tier)
    save_record(tier)
    emit_event("shipping_weight_tiers.create", tier)
    return tier


def create_weight_tier(*, shipping_method: ShippingMethod, **values) -> ShippingWeightTier:
    return add_weight_tier(ShippingWeightTier(shipping_method=shipping_method, **values))


@transaction.atomic(savepoint=False)
def update_weight_tier(tier: ShippingWeightTier, values: dict) -> ShippingWeightTier:
    """`values` applied to a stored tier; checked again when its `up_to` or method changes."""
    stored_method_id = ShippingWeightTier.objects.filter(pk=tier.pk).values_list(
        "shipping_method_id", flat=True
    )
    for name, value in values.items():
        setattr(tier, name, value)
    if "up_to" in values or "shipping_method" in values:
        _lock_methods(tier.shipping_method_id, *stored_method_id)
        check_weight_tier(tier)
    save_record(tier)
    emit_event("shipping_weight_tiers.update", tier, changed=sorted(values))
    return tier


@transaction.atomic(savepoint=False)
def delete_weight_tier(tier: ShippingWeightTier) -> None:
    emit_event("shipping_weight_tiers.destroy", tier)
    delete_record(tier)
