"""Reads that span the catalog and the markets (HackSoft's selectors)."""

from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from commerce import money
from commerce.auth.exceptions import InvalidScope
from commerce.auth.scopes import ScopedMarket, ScopeItem
from commerce.compiled import CompiledRead
from inventory.models import InventoryStockLocation, Sku, StockItem
from inventory.selectors import inventory_locations
from inventory.services import salable_quantities
from markets.models import (
    DeliveryLeadTime,
    Market,
    Price,
    PriceVolumeTier,
    Promotion,
    ShippingMethod,
    ShippingWeightTier,
    TaxRule,
)

# A cart's figures read these on every change: their SQL is built once (commerce/compiled.py).
_PROMOTIONS = CompiledRead(
    lambda market_id, now: (
        Promotion.objects.filter(
            Q(market_id=market_id) | Q(market__isnull=True),
            disabled_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
        )
        .select_related(
            "coupon_codes_promotion_rule",
            "sku_list_promotion_rule__sku_list",
            "order_amount_promotion_rule",
            "sku_list",
        )
        # Without a priority, last on both databases (SQLite sorts NULL first by default).
        .order_by(F("priority").asc(nulls_last=True), "created_at", "id")
    ),
    market_id=models.BigIntegerField(),
    now=models.DateTimeField(),
)
# With what availability reads of each (shipping.md "Availability"): its currency (its market's
# price list) and its zone, joined: no statement of their own.
_SHIPPING_METHODS = CompiledRead(
    lambda market_id: ShippingMethod.objects.filter(
        Q(market_id=market_id) | Q(market__isnull=True)
    ).select_related("market__price_list", "shipping_zone"),
    market_id=models.BigIntegerField(),
)


def _tier_unit(quantity) -> Coalesce:
    """A price's unit for `quantity` (catalog.md "Price volume tiers"): the tier with the
    smallest `up_to` >= it, past them all the `up_to` null one, else the price's own amount. A
    correlated subquery of the price's read: no statement of its own. The quantity is a Value,
    not a plain integer, so that Django sends it as a parameter whatever it is (a compiled
    read's stand-in is out of a positive column's range)."""
    tiers = (
        PriceVolumeTier.objects.filter(price=OuterRef("pk"))
        .filter(
            Q(up_to__gte=Value(quantity, output_field=models.BigIntegerField())) | Q(up_to=None)
        )
        .order_by(F("up_to").asc(nulls_last=True))
        .values("price_amount_cents")[:1]
    )
    return Coalesce(Subquery(tiers), F("amount_cents"))


def _priced(price_list_id, sku_id, quantity):
    """A SKU's price in a price list (one at most: price_unique_per_list) with its unit for
    `quantity` (`unit_amount_cents`): what `sku_price` reads, and `with_listed_price` as a
    subquery, so that both pick the same tier."""
    return (
        Price.objects.filter(price_list_id=price_list_id, sku_id=sku_id)
        .annotate(unit_amount_cents=_tier_unit(quantity))
        .order_by()
    )


_PRICE = CompiledRead(
    lambda price_list_id, sku_id, quantity, previous_quantity: _priced(
        price_list_id, sku_id, quantity
    ).annotate(previous_unit_amount_cents=_tier_unit(previous_quantity))[:1],
    price_list_id=models.BigIntegerField(),
    sku_id=models.BigIntegerField(),
    quantity=models.BigIntegerField(),
    previous_quantity=models.BigIntegerField(),
)
_MARKET = CompiledRead(
    lambda market_id: Market.objects.filter(pk=market_id).select_related("price_list"),
    market_id=models.BigIntegerField(),
)
_TAX_RULES = CompiledRead(
    lambda calculator_id: TaxRule.objects.filter(manual_tax_calculator_id=calculator_id),
    calculator_id=models.BigIntegerField(),
)


def running_promotions(market_id: int, now) -> list[Promotion]:
    """The enabled promotions of a market (and of no market) whose window holds `now`, in the
    order they apply: priority, then age."""
    return _PROMOTIONS.all(market_id=market_id, now=now)


def sku_price(
    price_list_id: int, sku_id: int, quantity: int = 1, *, previous_quantity: int | None = None
) -> Price | None:
    """A SKU's price in a price list, None without one. Its `unit_amount_cents` is a line's
    unit price for `quantity` (its volume tiers'); `previous_unit_amount_cents` the unit for
    `previous_quantity` (default: the same), which a line moving from that quantity had if it
    followed its price (orders.services.carts)."""
    return _PRICE.first(
        price_list_id=price_list_id,
        sku_id=sku_id,
        quantity=quantity,
        previous_quantity=quantity if previous_quantity is None else previous_quantity,
    )


def with_listed_price(skus, market_id: int, quantity: int):
    """`skus` (a read of SKUs) with what each costs in market `market_id` for `quantity`, read
    in the same statement: `listed_price_list_id` (the market's price list), `listed_quantity`
    and `listed_unit_amount_cents` (as `sku_price` finds it; NULL without a price). A
    storefront's new line item reads its SKU so, in its token's market, before the order is
    locked; `orders.services.carts.unit_price` takes that price only for the locked order's
    price list and the line's quantity."""
    price_list = Subquery(Market.objects.filter(pk=market_id).values("price_list_id")[:1])
    price = _priced(price_list, OuterRef("pk"), quantity).values("unit_amount_cents")[:1]
    return skus.annotate(
        listed_price_list_id=price_list,
        listed_quantity=Value(quantity, output_field=models.BigIntegerField()),
        listed_unit_amount_cents=Subquery(price),
    )


def shipping_method_candidates(market_id: int) -> list[ShippingMethod]:
    """The methods a market's shipments may use: its own and those of no market."""
    return _SHIPPING_METHODS.all(market_id=market_id)


def shipping_weight_tiers(method_ids) -> dict[int, list[tuple[float | None, int]]]:
    """The weight tiers of the methods `method_ids`, `{method pk: [(up_to, price_amount_cents)]}`
    (every pk asked is a key), in one query; none without a pk."""
    tiers: dict[int, list[tuple[float | None, int]]] = {pk: [] for pk in method_ids}
    if tiers:
        rows = ShippingWeightTier.objects.filter(shipping_method_id__in=sorted(tiers)).values_list(
            "shipping_method_id", "up_to", "price_amount_cents"
        )
        for method_id, up_to, cents in rows.order_by():
            tiers[method_id].append((up_to, cents))
    return tiers


def market_with_price_list(market_id: int) -> Market | None:
    """A market with its price list (a new cart's currency)."""
    return _MARKET.first(market_id=market_id)


def tax_rules(calculator_id: int) -> list[TaxRule]:
    """The rules of a manual tax calculator."""
    return _TAX_RULES.all(calculator_id=calculator_id)


# The calls above as (read, values), for a caller that reads them ahead with others in one
# statement (commerce/together.py).
def running_promotions_read(market_id: int, now) -> tuple:
    return _PROMOTIONS, {"market_id": market_id, "now": now}


def shipping_method_candidates_read(market_id: int) -> tuple:
    return _SHIPPING_METHODS, {"market_id": market_id}


def tax_rules_read(calculator_id: int) -> tuple:
    return _TAX_RULES, {"calculator_id": calculator_id}


def market_with_price_list_read(market_id: int) -> tuple:
    return _MARKET, {"market_id": market_id}


def market_locations(market: Market) -> list[InventoryStockLocation]:
    """The locations a market sells from: by priority, held ones skipped, up to the cutoff."""
    model = market.inventory_model
    isls = [isl for isl in inventory_locations(model.pk) if not isl.on_hold]
    cutoff = model.stock_locations_cutoff
    # As source selection counts it (inventory.strategies.usable_locations): None is no cutoff.
    return isls if cutoff is None else isls[:cutoff]


def sku_inventory(sku: Sku, market: Market) -> dict:
    """The SKU `inventory` attribute (inventory.md "Availability") for one market."""
    isls = market_locations(market)
    location_ids = [isl.stock_location_id for isl in isls]
    items = {
        item.stock_location_id: item
        for item in StockItem.objects.filter(sku=sku, stock_location_id__in=location_ids)
    }
    salable = salable_quantities(items.values())
    lead_times: dict[int, list] = {}
    for lead_time in (
        DeliveryLeadTime.objects.filter(stock_location_id__in=location_ids)
        .filter(shipping_method__market_id=market.pk, shipping_method__disabled_at__isnull=True)
        .select_related("shipping_method")
        # Cheapest method first: drop-in.js's cl-availability (rule "cheapest", its default)
        # shows a level's first lead time as the cheapest one.
        .order_by("shipping_method__price_amount_cents", "min_hours", "id")
    ):
        lead_times.setdefault(lead_time.stock_location_id, []).append(_lead_time(lead_time, market))
    levels = []
    total = 0
    for isl in isls:
        item = items.get(isl.stock_location_id)
        quantity = max(salable.get(item.pk, 0), 0) if item else 0
        if quantity > 0 or sku.do_not_track:
            levels.append(
                {
                    "quantity": quantity,
                    "delivery_lead_times": lead_times.get(isl.stock_location_id, []),
                }
            )
        total += quantity
    return {"available": sku.do_not_track or total > 0, "quantity": total, "levels": levels}


def _lead_time(lead_time: DeliveryLeadTime, market: Market) -> dict:
    method = lead_time.shipping_method
    currency = method.currency_code or market.price_list.currency_code
    return {
        "shipping_method": {
            "name": method.name,
            "reference": method.reference,
            **money.money_triplet("price_amount", method.price_amount_cents, currency),
            **money.money_triplet("free_over_amount", method.free_over_amount_cents, currency),
        },
        "min": {"hours": lead_time.min_hours, "days": lead_time.min_days},
        "max": {"hours": lead_time.max_hours, "days": lead_time.max_days},
    }


def scoped_market(item: ScopeItem, *, enabled_only: bool) -> ScopedMarket:
    """The market a token scope names (`market:code:usa`, `market:id:...`) with its stock
    locations, for commerce.auth.scopes (registered in MarketsConfig.ready)."""
    lookup = {"public_id" if item.key == "id" else "code": item.value}
    queryset = Market.objects.filter(**lookup)
    if enabled_only:
        queryset = queryset.filter(disabled_at__isnull=True)
    market = (
        queryset.select_related("price_list", "inventory_model")
        .prefetch_related(
            Prefetch(
                "inventory_model__inventory_stock_locations",
                queryset=InventoryStockLocation.objects.select_related("stock_location").order_by(
                    "priority", "id"
                ),
            )
        )
        .first()
    )
    if market is None:
        raise InvalidScope(f"The requested scope is invalid: unknown market {item}.")
    links = list(market.inventory_model.inventory_stock_locations.all())
    return ScopedMarket(
        id=market.pk,
        public_id=market.public_id,
        code=market.code,
        price_list_id=market.price_list.public_id if market.price_list_id else None,
        stock_location_ids=tuple(link.stock_location_id for link in links),
        stock_location_public_ids=tuple(link.stock_location.public_id for link in links),
        customer_group_id=market.customer_group_id,
    )
