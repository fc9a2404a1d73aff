"""A record's `events` relationship (bulk.md "Events": "resources with an `events` relationship
list theirs, newest first").

The types that have one are those resources.md gives it (`EVENTFUL_TYPES`, the one list);
ResourceDeclaration adds `EVENTS_REL` to each. It is read at its related endpoint
(`/api/skus/<id>/events`) and never through `include` (a query per record), by integration
tokens only, as the events list is.
"""

from commerce.jsonapi.serializers import Rel
from commerce.models import Event

# resources.md: every entry with an `events` relationship.
EVENTFUL_TYPES = frozenset(
    {
        "addresses",
        "authorizations",
        "bundles",
        "buy_x_pay_y_promotions",
        "captures",
        "cleanups",
        "coupons",
        "customer_addresses",
        "customer_password_resets",
        "customers",
        "exports",
        "external_tax_calculators",
        "fixed_amount_promotions",
        "fixed_price_promotions",
        "free_gift_promotions",
        "free_shipping_promotions",
        "gift_cards",
        "imports",
        "line_item_options",
        "line_items",
        "manual_tax_calculators",
        "order_copies",
        "orders",
        "parcels",
        "percentage_discount_promotions",
        "price_frequency_tiers",
        "price_volume_tiers",
        "promotions",
        "refunds",
        "returns",
        "shipments",
        "shipping_methods",
        "shipping_weight_tiers",
        "sku_options",
        "skus",
        "stock_transfers",
        "tax_calculators",
        "transactions",
        "voids",
    }
)
RELATIONSHIP = "events"


def events_of(record):
    """The record's events (by its public id: events name records so, and public ids are
    unique across types)."""
    return Event.objects.filter(resource_id=record.public_id)


EVENTS_REL = Rel(
    "events", many=True, getter=events_of, includable=False, ordering=("-created_at", "-id")
)


def give_events(resource_cls) -> None:
    if RELATIONSHIP not in resource_cls.relationships_map:
        resource_cls.relationships_map = {
            **resource_cls.relationships_map,
            RELATIONSHIP: EVENTS_REL,
        }
