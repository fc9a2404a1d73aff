"""What a shipment weighs and what a shipping method costs for it (shipping.md "Weight", "What a
method costs for a shipment"); the rules themselves are markets.shipping_rules, over plain
values.

A shipment's weight is the sum over its stock line items of SKU `weight` x quantity, in grams,
exact (a SKU without weight weighs 0, a weight without unit is in grams). A method's price for a
shipment, before free-over, by `scheme`:
- `flat`: `price_amount_cents`;
- `weight_tiered`: its tier for the weight (markets.shipping_rules.tier_price_cents);
- `external`: when the figures are refreshed, the merchant's URL
  (orders.services.external_shipping); when methods are listed, `price_amount_cents` (the URL
  is never called for a list, as in Commerce Layer).
Free-over applies after it: in a refresh, orders.pricing does it; for what a document shows,
`free_over_applies` reads the figures the last refresh stored.

`ShippingContext` is what one refresh (or one document) reads about shipping, each thing at most
once and only when asked for: the candidate methods, the tiers of the weight_tiered ones (one
query for all of them, none in a market without one), the shipments' stock line items and SKUs
(none when no method has bounds or tiers: the weight is never asked for).
"""

from decimal import Decimal

from inventory.models import Sku
from markets import shipping_rules as rules
from markets.models import ShippingMethod
from markets.selectors import shipping_method_candidates, shipping_weight_tiers
from orders.models import LineItem, Order, Shipment, StockLineItem
from orders.services.external_shipping import external_price_cents

# What a shipment's weight is kept as on it, once known (planning sets it from its plan).
WEIGHT_ATTRIBUTE = "shipping_weight_grams"
_SKU = StockLineItem._meta.get_field("sku")
_LINE_SKU = LineItem._meta.get_field("sku")


class ShippingContext:
    """The shipping reads of one refresh of `order` (or, without an order, of one document's
    shipments of market `market_id`). `candidates`: the market's methods, when read already;
    `lines`: the order's line items with their SKUs, when read (their SKUs weigh the stock
    line items)."""

    def __init__(self, market_id: int, *, order: Order | None = None, candidates=None, lines=None):
        self.market_id = market_id
        self.order = order
        self._candidates = candidates
        self._lines = lines
        self._tiers: dict[int, list] = {}
        self._tiers_read = False
        self._stock_lines: dict[int, list[StockLineItem]] | None = None
        self._skus: dict[int, Sku] = {}

    def candidates(self) -> list[ShippingMethod]:
        """The methods the market's shipments may use (its own and those of no market), with
        their markets' price lists and zones."""
        if self._candidates is None:
            self._candidates = shipping_method_candidates(self.market_id)
        return self._candidates

    def tiers(self, method: ShippingMethod) -> list[tuple[float | None, int]]:
        """`(up_to, price_amount_cents)` of a method's weight tiers. The first call reads those
        of every weight_tiered candidate with them (one query)."""
        if method.pk not in self._tiers:
            wanted = {method.pk}
            if not self._tiers_read and self._candidates is not None:
                wanted |= {m.pk for m in self._candidates if m.scheme == "weight_tiered"}
            self._tiers_read = True
            self._tiers.update(shipping_weight_tiers(wanted - set(self._tiers)))
        return self._tiers[method.pk]

    def weight(self, shipment: Shipment) -> Decimal:
        """The shipment's weight in grams: kept on it once known (planning sets it from its
        plan), else from its stock line items: planned, prefetched, else read (for a refresh,
        the order's in one query with their SKUs)."""
        known = shipment.__dict__.get(WEIGHT_ATTRIBUTE)
        if known is not None:
            return known
        lines = getattr(shipment, "current_stock_line_items", None)
        if lines is None and shipment.pk is not None:
            if shipment.is_prefetched("stock_line_items"):
                lines = list(shipment.stock_line_items.all())
            else:
                lines = self._read_stock_lines(shipment)
        skus = self._skus_of(lines or [])
        grams = rules.total_grams(
            (skus[sli.sku_id].weight, skus[sli.sku_id].unit_of_weight, sli.quantity)
            for sli in lines or []
            if sli.sku_id is not None
        )
        shipment.__dict__[WEIGHT_ATTRIBUTE] = grams
        return grams

    def _read_stock_lines(self, shipment: Shipment) -> list[StockLineItem]:
        if self.order is None:
            return list(StockLineItem.objects.filter(shipment_id=shipment.pk).select_related("sku"))
        if self._stock_lines is None:
            self._stock_lines = {}
            rows = StockLineItem.objects.filter(shipment__order_id=self.order.pk).select_related(
                "sku"
            )
            for sli in rows.order_by("id"):
                self._stock_lines.setdefault(sli.shipment_id, []).append(sli)
        return self._stock_lines.get(shipment.pk, [])

    def _skus_of(self, lines) -> dict[int, Sku]:
        """The SKUs of stock line items: read with them, the order's lines', else one query
        for those still missing."""
        if self._lines is not None and not self._skus:
            self._skus = {
                li.sku_id: li.sku
                for li in self._lines
                if li.sku_id is not None and _LINE_SKU.is_cached(li)
            }
        for sli in lines:
            if sli.sku_id is not None and _SKU.is_cached(sli):
                self._skus.setdefault(sli.sku_id, sli.sku)
        missing = {sli.sku_id for sli in lines if sli.sku_id is not None} - set(self._skus)
        if missing:
            rows = Sku.objects.filter(pk__in=sorted(missing)).only("weight", "unit_of_weight")
            self._skus.update({sku.pk: sku for sku in rows})
        return self._skus


def listed_price_cents(method: ShippingMethod, shipment: Shipment, context: ShippingContext) -> int:
    """The method's price for the shipment before free-over, as a list of methods shows it and
    sorts by: an external method's `price_amount_cents` (its URL is never called to list)."""
    if method.scheme == "weight_tiered":
        return rules.tier_price_cents(
            context.weight(shipment),
            context.tiers(method),
            method.unit_of_weight,
            method.price_amount_cents,
        )
    return method.price_amount_cents


def charged_price_cents(
    order: Order, shipment: Shipment, method: ShippingMethod, context: ShippingContext
) -> int:
    """The method's price for the shipment before free-over, as a refresh of the figures
    charges it: an external method asks the merchant's URL (orders.services.external_shipping,
    which falls back on `price_amount_cents`)."""
    if method.scheme == "external":
        return external_price_cents(order, shipment, method)
    return listed_price_cents(method, shipment, context)


def free_over_applies(order: Order, method: ShippingMethod) -> bool:
    """Whether `free_over_amount_cents` makes the method free for the order, from the figures
    its last refresh stored (orders.pricing step 3: the basis is the subtotal with
    `use_subtotal`, else the subtotal plus the sku discount, free-shipping promotions left out).

    The order stores the discount with its free-shipping part in it, which is 0 or minus the
    whole shipping amount: the sku discount is `discount` or `discount + shipping`. Only when
    the threshold lies between the two bases is one query asked whether a free-shipping
    promotion applied (its line item)."""
    threshold = method.free_over_amount_cents
    if threshold is None:
        return False
    subtotal = order.subtotal_amount_cents
    if method.use_subtotal:
        return subtotal >= threshold
    low = subtotal + order.discount_amount_cents
    high = low + order.shipping_amount_cents
    if (low >= threshold) == (high >= threshold):
        return low >= threshold
    return (high if _free_shipping_applied(order) else low) >= threshold


def _free_shipping_applied(order: Order) -> bool:
    known = order.__dict__.get("_free_shipping_applied")
    if known is None:
        kind = "free_shipping_promotions"
        if order.is_prefetched("line_items"):
            known = any(li.item_type == kind for li in order.line_items.all())
        else:
            known = order.line_items.filter(item_type=kind).exists()
        order.__dict__["_free_shipping_applied"] = known
    return known


def shown_price_cents(
    order: Order, shipment: Shipment, method: ShippingMethod, context: ShippingContext
) -> int:
    """The method's `price_amount_for_shipment` in a list of the shipment's available methods:
    its listed price, or 0 when free over (the "zero or price amount" of the typings)."""
    if free_over_applies(order, method):
        return 0
    return listed_price_cents(method, shipment, context)
