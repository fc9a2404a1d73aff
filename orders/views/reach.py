"""Who reaches which orders (auth.md): integration tokens see everything; a sales channel reaches
guest orders of its market by id (the id is the key), a customer its own orders; line items,
shipments, payment sources and transactions follow their order."""

from django.db.models import Exists, OuterRef, Q

from commerce.auth.context import CUSTOMER, INTEGRATION
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY
from commerce.models import Address
from orders.models import Order

# What the back office and a signed-in customer reach of their orders' after-sale records
# (returns, reorders: aftersale.md §6); sales channels none (401).
OWN_ORDERS = frozenset({INTEGRATION, CUSTOMER})

NO_LIST = {
    "list": INTEGRATION_ONLY,
    "retrieve": ALL_KINDS,
    "create": ALL_KINDS,
    "update": ALL_KINDS,
    "delete": INTEGRATION_ONLY,
}


def reachable_orders(qs, ctx, path: str = ""):
    """Orders (or records of orders, via `path`) the caller may reach."""
    if ctx.is_integration:
        return qs
    prefix = f"{path}__" if path else ""
    markets = Q(**{f"{prefix}market_id__in": ctx.market_ids or ()})
    if ctx.is_customer:
        return qs.filter(markets, **{f"{prefix}customer_id": ctx.customer_id})
    return qs.filter(markets, **{f"{prefix}guest": True})


def addresses_within_reach(qs, ctx):
    """auth.md's addresses row: an address on an order out of the caller's reach is out of its
    reach too (the id of another market's or another customer's address is no key to it),
    unless the caller's customer owns it. Registered as a rule of the addresses resource."""
    if ctx.is_integration:
        return qs
    linked_elsewhere = Order.objects.filter(
        Q(billing_address_id=OuterRef("pk")) | Q(shipping_address_id=OuterRef("pk"))
    ).exclude(pk__in=reachable_orders(Order.objects.all(), ctx).values("pk"))
    out_of_reach = Q(Exists(linked_elsewhere))
    if ctx.is_customer:
        out_of_reach &= ~Q(owner_customer_id=ctx.customer_id)
    return qs.exclude(out_of_reach)


def address_scope(ctx):
    """The addresses the caller may name on an order: its own, unowned ones, within reach."""
    qs = Address.objects.all()
    if ctx.is_integration:
        return qs
    if ctx.is_customer:
        qs = qs.filter(Q(owner_customer_id__isnull=True) | Q(owner_customer_id=ctx.customer_id))
    else:
        qs = qs.filter(owner_customer_id__isnull=True)
    return addresses_within_reach(qs, ctx)
