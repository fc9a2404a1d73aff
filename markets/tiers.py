"""What a list of tiers may hold, for a price's volume tiers and a shipping method's weight tiers
alike (catalog.md "Price volume tiers", shipping.md "What a method costs for a shipment"): each
`up_to` once per parent (at most one null, the tier beyond the others), at most `most` tiers."""

from commerce.exceptions import ValidationError


def check_tier(tier, others, *, parent: str, most: int, what: str) -> None:
    """Refuse `tier` (about to be written) beside `others`, the parent's stored tiers: 422 on
    `up_to` when taken, on the `parent` relationship past `most` tiers."""
    if tier.pk is not None:
        others = others.exclude(pk=tier.pk)
    taken = set(others.values_list("up_to", flat=True))
    if tier.up_to in taken:
        raise ValidationError(
            "up_to",
            "has already been taken" if tier.up_to is not None else "is already null on a tier",
            error="taken",
        )
    if len(taken) >= most:
        raise ValidationError(
            parent,
            f"can have at most {most} {what}",
            error="too_many",
            relationship=True,
            count=most,
        )
