"""A shipment's shipping methods as documents show them (shipping.md "Availability", "What a
method costs for a shipment"): `available_shipping_methods`, and the
`price_amount_for_shipment_*` triplet of a method reached through a shipment.

- `available_shipping_methods` lists the methods available for the shipment now
  (planning.available_shipping_methods), cheapest first by their price for it before free-over,
  then by id. Listing never calls an external method's URL: it shows `price_amount_cents`.
- A method reached through a shipment (its `shipping_method` or `available_shipping_methods`, at
  any include depth, and the related endpoints `shipments/<id>/shipping_method` and
  `.../available_shipping_methods`) carries `price_amount_for_shipment`: the carried method
  the shipment's `cost_amount_cents` (what the last refresh charged, free-over applied), a
  listed one its listed price or 0 when free over (shipping_costs.shown_price_cents). A method
  reached through several shipments of one document shows the first one's. Read on its own, a
  method shows null.

Reads: the candidates, once per market object of the document (the prefetch gives the shipments
of one market one object); the weight tiers only when a candidate is weight_tiered, once per
market object too; the order's shipping address (a prefetch level) and the shipments' stock line
items with their SKUs (the level below, shared with the `stock_line_items` include) are what
zones and weights read. A related endpoint reads them for its one shipment.
"""

from django.db.models import BigIntegerField, Case, Value, When

from commerce.exceptions import Unauthorized
from commerce.jsonapi.document import prefetches
from commerce.jsonapi.registry import registry
from commerce.jsonapi.rows import unique_row
from commerce.models import Address
from markets.models import Market, ShippingMethod
from orders.models import Order, Shipment, StockLineItem
from orders.services import planning
from orders.services.shipping_costs import ShippingContext, shown_price_cents
from orders.views.related import BY_AGE, levels

RELATIONSHIPS = ("shipping_method", "available_shipping_methods")

# What `available_methods` reads of each shipment, prefetched for a document's shipments.
AVAILABLE_METHODS_READS = levels(
    ("order", Order.objects.all()),
    ("order__market", Market.objects.all()),
    ("order__shipping_address", Address.objects.all()),
    ("stock_line_items", StockLineItem.objects.select_related("sku").order_by(*BY_AGE)),
)


def _shown(method: ShippingMethod, cents: int) -> None:
    """Give `method` its price for a shipment, unless a shipment reached it first."""
    if method.price_amount_for_shipment_cents is None:
        method.price_amount_for_shipment_cents = cents


def available_methods(shipment: Shipment) -> list[ShippingMethod]:
    """The `available_shipping_methods` getter: what the shipments service would accept for the
    shipment, each with its price for it."""
    order = shipment.order
    market = order.market
    context = market.__dict__.get("_shipping_context")
    if context is None:
        context = market.__dict__["_shipping_context"] = ShippingContext(market.pk)
    methods = planning.available_shipping_methods(order, shipment, context=context)
    for method in methods:
        _shown(method, shown_price_cents(order, shipment, method, context))
    return methods


def carried_method_reached(shipment: Shipment, related: list) -> None:
    """The `shipping_method` relationship's `reached` hook: the method shows what the shipment's
    last refresh charged for it."""
    for method in related:
        _shown(method, shipment.cost_amount_cents)


def methods_document(view, pk: str, name: str) -> dict:
    """`shipments/<id>/shipping_method` and `.../available_shipping_methods`: the methods read
    again as any related endpoint reads its records (includes, sparse fields, filters, pages),
    each with its price for the shipment as an annotation of that query, the available ones
    cheapest first unless a `sort` says otherwise."""
    view.check_action("retrieve")
    rel = view.relationships()[name]
    target = registry["shipping_methods"]
    kinds = target.access.get("retrieve", ()) | target.access.get("list", ())
    if view.ctx.kind not in kinds and not rel.through_parent:
        raise Unauthorized()
    shipment = view.get_object(pk)
    if rel.through_parent:
        rows = target.base_queryset().order_by("created_at", "id")
    else:
        rows = target.scoped_queryset(view.ctx)
    if name == "available_shipping_methods":
        methods = available_methods(shipment)
        prices = {m.pk: m.price_amount_for_shipment_cents for m in methods}
        query = view.parse(collection=True, resource_type=target.resource_type)
        rows = rows.filter(pk__in=list(prices)).annotate(
            price_amount_for_shipment_cents=_by_pk(prices),
            listing_rank=_by_pk({m.pk: rank for rank, m in enumerate(methods)}),
        )
        return view.collection_document(
            rows.order_by("listing_rank"), query, resource_cls=target, related=True
        )
    query = view.parse(collection=False, resource_type=target.resource_type)
    instance = None
    if shipment.shipping_method_id is not None:
        rows = rows.filter(pk=shipment.shipping_method_id).annotate(
            price_amount_for_shipment_cents=Value(
                shipment.cost_amount_cents, output_field=BigIntegerField()
            )
        )
        instance = unique_row(rows.prefetch_related(*prefetches(target, query.include, view.ctx)))
    return view.builder(query).document(instance, target.resource_type, many=False)


def _by_pk(values: dict) -> Case | Value:
    """An annotation giving each row its value in `values` (by pk)."""
    if not values:
        return Value(None, output_field=BigIntegerField())
    return Case(
        *[When(pk=pk, then=Value(value)) for pk, value in values.items()],
        default=Value(None),
        output_field=BigIntegerField(),
    )
