"""Writes of price volume tiers (catalog.md "Price volume tiers"), each one transaction.

The tier's price is read under its row lock (PriceVolumeTierResource's `price` relationship
locks it), so the checks below hold until the commit: at most 5 tiers per price, one per
`up_to` (null included), each refused as a 422 rather than left to the database's constraints.
"""

from django.db import transaction

from commerce.services import save_record
from markets.models import Price, PriceVolumeTier
from markets.tiers import check_tier


def _check(tier: PriceVolumeTier, price: Price) -> None:
    others = PriceVolumeTier.objects.filter(price=price)
    check_tier(
        tier, others, parent="price", most=PriceVolumeTier.MAX_PER_PRICE, what="volume tiers"
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
