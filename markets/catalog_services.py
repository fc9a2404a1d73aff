"""Writes of price volume tiers (catalog.md "Price volume tiers"), each one transaction.

The tier's price is read under its row lock (PriceVolumeTierResource's `price` relationship
locks it), so the checks below hold until the commit: at most 5 tiers per price, one per
`up_to` (null included), each refused as a 422 rather than left to the database's constraints.
"""

from django.db import transaction

from commerce.exceptions import ValidationError
from commerce.services import save_record
from markets.models import Price, PriceVolumeTier


def _check(tier: PriceVolumeTier, price: Price) -> None:
    others = PriceVolumeTier.objects.filter(price=price)
    if tier.pk is not None:
        others = others.exclude(pk=tier.pk)
    taken = set(others.values_list("up_to", flat=True))
    if tier.up_to in taken:
        raise ValidationError(
            "up_to",
            "has already been taken" if tier.up_to is not None else "is already null on a tier",
            error="taken",
        )
    if len(taken) >= PriceVolumeTier.MAX_PER_PRICE:
        raise ValidationError(
            "price",
            f"can have at most {PriceVolumeTier.MAX_PER_PRICE} volume tiers",
            error="too_many",
            relationship=True,
            count=PriceVolumeTier.MAX_PER_PRICE,
        )


@transaction.atomic(savepoint=False)
def create_volume_tier(*, price: Price, **values) -> PriceVolumeTier:
    tier = PriceVolumeTier(price=price, **values)
    _check(tier, price)
    return save_record(tier)


@transaction.atomic(savepoint=False)
def update_volume_tier(tier: PriceVolumeTier, values: dict) -> PriceVolumeTier:
    for name, value in values.items():
        setattr(tier, name, value)
    if "up_to" in values or "price" in values:
        _check(tier, tier.price)
    return save_record(tier)
