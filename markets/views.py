"""JSON:API resources of the markets app.

Sales channels and customers see their own market's settings by id (and through includes),
the prices of its price list (listable), and its delivery lead times (auth.md).
"""

import math
from functools import partial

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from catalog.models import SkuList, SkuListItem
from catalog.selectors import list_skus
from commerce.exceptions import BadRequest, NotFound, Unauthorized
from commerce.jsonapi.document import prefetches
from commerce.jsonapi.filters import build_filter_q
from commerce.jsonapi.registry import register, registry
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.services import create_record
from commerce.triggers import Trigger, TriggerSet
from inventory.models import Sku, StockItem, StockReservation
from markets import serializers as s
from markets import services, shipping_tier_views
from markets.catalog_views import SKU_LIST_ITEMS, sku_lists_of, sku_options_of
from markets.models import (
    BuyXPayYPromotion,
    Coupon,
    CouponCodesPromotionRule,
    DeliveryLeadTime,
    FixedAmountPromotion,
    FixedPricePromotion,
    FreeGiftPromotion,
    FreeShippingPromotion,
    ManualGateway,
    ManualTaxCalculator,
    Market,
    Merchant,
    OrderAmountPromotionRule,
    PaymentGateway,
    PaymentMethod,
    PercentageDiscountPromotion,
    Price,
    PriceList,
    Promotion,
    ShippingMethod,
    ShippingZone,
    SkuListPromotionRule,
    TaxCalculator,
    TaxCategory,
    TaxRule,
)

LIST_AND_READ_ALL = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}
READ_BY_ID = {
    "list": INTEGRATION_ONLY,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}
LIST_AND_READ = {**READ_BY_ID, "list": ALL_KINDS}
DISABLE_TRIGGERS = TriggerSet(
    Trigger("_disable", services.disable),
    Trigger("_enable", services.enable),
)


def _in_markets(ctx, path: str = "") -> Q:
    """Records of the token's markets (`path` leads from the record to a market)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}id__in": ctx.market_ids or ()})


@register
class MerchantResource(ResourceView):
    resource_type = "merchants"
    model = Merchant
    serializer_class = s.MerchantSerializer
    relationships_map = {"address": Rel("addresses", create="required", update=True)}


@register
class PriceListResource(ResourceView):
    resource_type = "price_lists"
    model = PriceList
    serializer_class = s.PriceListSerializer
    access = READ_BY_ID
    relationships_map = {"prices": Rel("prices", many=True)}

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(_in_markets(ctx, "markets")).distinct()


@register
class PriceResource(ResourceView):
    resource_type = "prices"
    model = Price
    serializer_class = s.PriceSerializer
    access = LIST_AND_READ
    select_related = ("price_list", "sku")
    filter_aliases = {"sku_code": "sku__code", "currency_code": "price_list__currency_code"}
    code_references = {"sku_code": ("sku", "code")}
    relationships_map = {
        "price_list": Rel("price_lists", create="required", update=True),
        "sku": Rel("skus", create="required", update=True),
        # One source, read once: `price_tiers` lists every kind of tier (volume tiers only here).
        "price_tiers": Rel("price_volume_tiers", many=True, source="volume_tiers"),
        "price_volume_tiers": Rel("price_volume_tiers", many=True, source="volume_tiers"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(price_list__in=PriceList.objects.filter(_in_markets(ctx, "markets")))


@register
class MarketResource(ResourceView):
    resource_type = "markets"
    model = Market
    serializer_class = s.MarketSerializer
    access = READ_BY_ID
    triggers = DISABLE_TRIGGERS
    relationships_map = {
        "merchant": Rel("merchants", create="required", update=True),
        "price_list": Rel("price_lists", create="required", update=True),
        # Read-only: the list prices fall back to; without price list schedulers it is the
        # market's price list itself.
        "base_price_list": Rel("price_lists", source="price_list"),
        "inventory_model": Rel("inventory_models", create="required", update=True),
        "default_shipping_method": Rel("shipping_methods", create="optional", update=True),
        "default_payment_method": Rel("payment_methods", create="optional", update=True),
        "tax_calculator": Rel(
            ("manual_tax_calculators",),
            create="optional",
            update=True,
            type_of=lambda calculator: calculator.kind,
        ),
        # Makes the market private (`private`, derived): only the group's customers buy there
        # (catalog.md). Integration only, as every market write.
        "customer_group": Rel("customer_groups", create="optional", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs if ctx.is_integration else qs.filter(_in_markets(ctx))

    def create_resource(self, values, ctx):
        return services.create_market(**values)


@register
class ShippingZoneResource(ResourceView):
    resource_type = "shipping_zones"
    model = ShippingZone
    serializer_class = s.ShippingZoneSerializer


def _market_or_global(ctx, path="market"):
    return Q(**{f"{path}__isnull": True}) | _in_markets(ctx, path)


@register
class ShippingMethodResource(ResourceView):
    resource_type = "shipping_methods"
    model = ShippingMethod
    serializer_class = s.ShippingMethodSerializer
    access = READ_BY_ID
    select_related = ("market__price_list",)
    triggers = TriggerSet(
        Trigger("_disable", services.disable),
        Trigger("_enable", services.enable),
        Trigger("_reset_circuit", services.reset_circuit, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        # Storefronts read a method's zone and tiers through the method (shipping.md "Access
        # and events"), never on their own.
        "shipping_zone": Rel("shipping_zones", create="optional", update=True, through_parent=True),
        "shipping_category": Rel("shipping_categories", create="optional", update=True),
        "stock_location": Rel("stock_locations", create="optional", update=True),
        "delivery_lead_times": Rel("delivery_lead_times", many=True),
        "shipping_weight_tiers": shipping_tier_views.TIER_RELATIONSHIP,
        "shipping_method_tiers": shipping_tier_views.TIER_RELATIONSHIP,
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs if ctx.is_integration else qs.filter(_market_or_global(ctx))

    def related_document(self, pk, name) -> dict:
        """Its tiers by `up_to`, null last (markets.shipping_tier_views)."""
        if name in shipping_tier_views.TIER_RELATIONSHIP_NAMES:
            return shipping_tier_views.tiers_document(self, pk)
        return super().related_document(pk, name)


@register
class DeliveryLeadTimeResource(ResourceView):
    resource_type = "delivery_lead_times"
    model = DeliveryLeadTime
    serializer_class = s.DeliveryLeadTimeSerializer
    access = LIST_AND_READ
    relationships_map = {
        "stock_location": Rel("stock_locations", create="required", update=True),
        "shipping_method": Rel("shipping_methods", create="required", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(_market_or_global(ctx, "shipping_method__market"))


@register
class PaymentGatewayResource(ResourceView):
    """Read-only list of every gateway, whatever its kind."""

    resource_type = "payment_gateways"
    model = PaymentGateway
    serializer_class = s.PaymentGatewaySerializer
    ops = frozenset({"list", "retrieve"})
    relationships_map = {"payment_methods": Rel("payment_methods", many=True)}


@register
class ManualGatewayResource(ResourceView):
    resource_type = "manual_gateways"
    model = ManualGateway
    serializer_class = s.PaymentGatewaySerializer
    triggers = DISABLE_TRIGGERS
    relationships_map = {"payment_methods": Rel("payment_methods", many=True)}


@register
class PaymentMethodResource(ResourceView):
    resource_type = "payment_methods"
    model = PaymentMethod
    serializer_class = s.PaymentMethodSerializer
    access = READ_BY_ID
    select_related = ("market__price_list",)
    triggers = DISABLE_TRIGGERS
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        "payment_gateway": Rel(
            ("manual_gateways", "stripe_gateways", "external_gateways", "payment_gateways"),
            create="required",
            update=True,
            type_of=lambda gateway: gateway.kind,
        ),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs if ctx.is_integration else qs.filter(_market_or_global(ctx))


def _sku_stock_reservations(sku):
    if not sku.is_prefetched("stock_items"):
        return StockReservation.objects.filter(stock_item__sku=sku)
    return [r for item in sku.stock_items.all() for r in item.stock_reservations.all()]


@register
class SkuResource(ResourceView):
    """SKUs are the shared catalog: every token may list and read them (auth.md). Served from
    markets because a SKU's `inventory` attribute is its availability in the caller's market."""

    resource_type = "skus"
    model = Sku
    serializer_class = s.SkuSerializer
    access = LIST_AND_READ_ALL
    relationships_map = {
        "shipping_category": Rel("shipping_categories", create="optional", update=True),
        "prices": Rel("prices", many=True),
        "stock_items": Rel("stock_items", many=True),
        # Held for placed orders and upcoming transfers at its stock items; integration only,
        # like every reservation (auth.md). One Prefetch per level: an include of `stock_items`
        # beside it is the same key (orders/views.py, "relationships read through other rows").
        "stock_reservations": Rel(
            "stock_reservations",
            many=True,
            getter=_sku_stock_reservations,
            prefetch=(
                Prefetch("stock_items", queryset=StockItem.objects.all()),
                Prefetch(
                    "stock_items__stock_reservations",
                    queryset=StockReservation.objects.select_related("stock_item"),
                ),
            ),
        ),
        "sku_list_items": Rel("sku_list_items", many=True),
        # Computed (markets/catalog_views.py): automatic lists and options match by regex.
        "sku_lists": Rel("sku_lists", many=True, getter=sku_lists_of, prefetch=(SKU_LIST_ITEMS,)),
        "sku_options": Rel("sku_options", many=True, getter=sku_options_of),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs

    @classmethod
    def serializer_context(cls, ctx):
        market_id = ctx.market_id
        if market_id is None:
            return {}
        return {
            "market": Market.objects.select_related("inventory_model", "price_list")
            .filter(pk=market_id)
            .first()
        }


# --- tax settings (integration only) -----------------------------------------------------------

# Tax calculator kinds in scope: only manual ones (external services are out of scope). A
# relationship to a calculator is polymorphic (`type_of`) but names only registered kinds, so
# includes are prefetched and scoped like any relationship.
TAX_CALCULATOR_TYPES = ("manual_tax_calculators",)


def _kind(record) -> str:
    return record.kind


@register
class TaxCalculatorResource(ResourceView):
    """Read-only list of every tax calculator, whatever its kind."""

    resource_type = "tax_calculators"
    model = TaxCalculator
    serializer_class = s.TaxCalculatorSerializer
    ops = frozenset({"list", "retrieve"})
    relationships_map = {"markets": Rel("markets", many=True)}


@register
class ManualTaxCalculatorResource(ResourceView):
    resource_type = "manual_tax_calculators"
    model = ManualTaxCalculator
    serializer_class = s.TaxCalculatorSerializer
    relationships_map = {
        "markets": Rel("markets", many=True),
        "tax_rules": Rel("tax_rules", many=True),
    }


@register
class TaxRuleResource(ResourceView):
    """A rate (a fraction, 0..1) for the addresses its regexes match."""

    resource_type = "tax_rules"
    model = TaxRule
    serializer_class = s.TaxRuleSerializer
    relationships_map = {
        "manual_tax_calculator": Rel("manual_tax_calculators", create="required", update=True),
    }


@register
class TaxCategoryResource(ResourceView):
    """A SKU's tax code for one calculator; the SKU by relationship or by `sku_code`."""

    resource_type = "tax_categories"
    model = TaxCategory
    serializer_class = s.TaxCategorySerializer
    select_related = ("sku",)
    filter_aliases = {"sku_code": "sku__code"}
    code_references = {"sku_code": ("sku", "code")}
    relationships_map = {
        "sku": Rel("skus", create="required", update=True),
        "tax_calculator": Rel(TAX_CALCULATOR_TYPES, create="required", type_of=_kind),
    }


# --- promotions ----------------------------------------------------------------------------------

PROMOTION_TYPES = (
    "percentage_discount_promotions",
    "fixed_amount_promotions",
    "free_shipping_promotions",
    "buy_x_pay_y_promotions",
    "free_gift_promotions",
    "fixed_price_promotions",
)
# The rule kinds, each a table of its own; a promotion has at most one rule of each kind.
RULE_TYPES = (
    "coupon_codes_promotion_rules",
    "sku_list_promotion_rules",
    "order_amount_promotion_rules",
)
# A promotion's relationship to its rule of each kind (the reverse one-to-ones).
RULE_RELATIONSHIPS = tuple(type_name.removesuffix("s") for type_name in RULE_TYPES)
STOREFRONT_HIDDEN_FILTERS = (
    "coupons_",
    "promotion_rules_",
    *(f"{name}_" for name in RULE_RELATIONSHIPS),
)
PROMOTIONS_READ = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}
_RULE_TYPE_OF_MODEL = {
    CouponCodesPromotionRule: "coupon_codes_promotion_rules",
    SkuListPromotionRule: "sku_list_promotion_rules",
    OrderAmountPromotionRule: "order_amount_promotion_rules",
}


def _rule_type(rule) -> str:
    return _RULE_TYPE_OF_MODEL[type(rule)]


def _promotion_rules(promotion) -> list:
    """The promotion's rules, one of each kind at most (prefetched with the promotion)."""
    rules = []
    for name in RULE_RELATIONSHIPS:
        try:
            rules.append(getattr(promotion, name))
        except ObjectDoesNotExist:
            pass
    return rules


def _list_skus(record) -> list:
    """The SKUs of a promotion's or a rule's `sku_list` (catalog.md "SKU lists"): a manual
    list's from its prefetched items; otherwise read once per list instance (records that
    prefetched the same list share it)."""
    sku_list = record.sku_list
    if sku_list is None:
        return []
    if sku_list.manual and sku_list.is_prefetched("sku_list_items"):
        # Prefetched by whichever include came first: ordered here, as list_skus orders them.
        items = sorted(
            sku_list.sku_list_items.all(), key=lambda i: (i.position, i.created_at, i.pk)
        )
        return [item.sku for item in items]
    skus = sku_list.__dict__.get("_listed_skus")
    if skus is None:
        skus = sku_list.__dict__["_listed_skus"] = list(list_skus(sku_list))
    return skus


# Read only: what the record's `sku_list` holds. Unscoped prefetch (the getter reads the list
# itself); a storefront can't include a computed relationship (reading.check_storefront_include).
SKU_LIST_SKUS = Rel(
    "skus",
    many=True,
    getter=_list_skus,
    prefetch=(
        Prefetch("sku_list", queryset=SkuList.objects.all()),
        Prefetch("sku_list__sku_list_items", queryset=SkuListItem.objects.select_related("sku")),
    ),
)


def list_skus_document(view, record) -> dict:
    """`{type}/{id}/skus`: the SKUs of the record's `sku_list` in the list's own order (position,
    or code), which a related list read by ids would lose; a `sort` still wins."""
    skus = registry["skus"]
    query = view.parse(collection=True, resource_type="skus")
    rows = list_skus(record.sku_list) if record.sku_list_id else skus.model.objects.none()
    return view.collection_document(
        skus.scope(rows, view.ctx), query, resource_cls=skus, related=True
    )


# Every rule of the promotion, whatever its kind, listed through `promotion_rules`.
PROMOTION_RULES = Rel(
    RULE_TYPES,
    many=True,
    getter=_promotion_rules,
    type_of=_rule_type,
    prefetch=RULE_RELATIONSHIPS,
    collection="promotion_rules",
)


def promotion_relationships(*, sku_list: str | None, skus: bool = True) -> dict[str, Rel]:
    """A promotion kind's relationships (resources.md). `sku_list`: its Rel's `create` (the kinds
    that need a list say "required"), None for the read-only `promotions` list."""
    writable = sku_list is not None
    rels = {
        "market": Rel("markets", create="optional" if writable else None, update=writable),
        "coupon_codes_promotion_rule": Rel("coupon_codes_promotion_rules"),
        "coupons": Rel("coupons", many=True),
        "sku_list": Rel("sku_lists", create=sku_list, update=writable),
        "promotion_rules": PROMOTION_RULES,
        "sku_list_promotion_rule": Rel("sku_list_promotion_rules"),
        "order_amount_promotion_rule": Rel("order_amount_promotion_rules"),
    }
    if skus:
        rels["skus"] = SKU_LIST_SKUS
    return rels


class PromotionResourceBase(ResourceView):
    """What every promotion resource shares (not registered itself).

    Integration tokens reach every promotion; sales channels and customers list and read those
    that are `active` now and belong to their market or to none (auth.md). `coupons_count` is
    annotated here (a correlated count, no GROUP BY, so `select_for_update` still works);
    promotions reached otherwise get it from PromotionListSerializer, in one query.
    """

    access = PROMOTIONS_READ
    select_related = ("market__price_list",)
    triggers = DISABLE_TRIGGERS
    relationships_map = promotion_relationships(sku_list="optional")

    @classmethod
    def base_queryset(cls):
        coupons = (
            Coupon.objects.filter(promotion=OuterRef("pk"))
            .order_by()
            .values("promotion")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().base_queryset().annotate(coupons_count=Coalesce(Subquery(coupons), 0))

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(services.active_promotion_q() & _market_or_global(ctx))

    def create_resource(self, values, ctx):
        return create_record(self.model, {**values, "kind": self.resource_type})

    def collection_document(self, qs, query, resource_cls=None, **kinds):
        # Coupons and rules are back-office secrets: a storefront may not probe them through
        # filters either (`filter[q][coupons_code_start]=A`).
        if not self.ctx.is_integration and resource_cls in (None, type(self)):
            for key in query.filters:
                if key.startswith(STOREFRONT_HIDDEN_FILTERS):
                    raise BadRequest(
                        f"{key} is not allowed.",
                        title="Filter not allowed",
                        code="FILTER_NOT_ALLOWED",
                        parameter=f"filter[q][{key}]",
                    )
        return super().collection_document(qs, query, resource_cls, **kinds)

    def related_document(self, pk, name) -> dict:
        """`promotion_rules` lists rules of three tables (PromotionRuleResource), `skus` in the
        list's order; the others as any relationship."""
        if name not in ("promotion_rules", "skus") or name not in self.relationships():
            return super().related_document(pk, name)
        self.check_action("retrieve")
        parent = self.get_object(pk)
        if name == "skus":
            return list_skus_document(self, parent)
        if not PromotionRuleResource.readable_by(self.ctx):
            raise Unauthorized()
        query = self.parse(collection=True, resource_type="promotion_rules")
        return rules_document(self, query, promotion=parent)


@register
class PromotionResource(PromotionResourceBase):
    """Read-only list of every promotion, whatever its kind (linkage names each one's kind)."""

    resource_type = "promotions"
    model = Promotion
    serializer_class = s.PromotionSerializer
    ops = frozenset({"list", "retrieve"})
    triggers = TriggerSet()
    relationships_map = promotion_relationships(sku_list=None, skus=False)


@register
class PercentageDiscountPromotionResource(PromotionResourceBase):
    resource_type = "percentage_discount_promotions"
    model = PercentageDiscountPromotion
    serializer_class = s.PercentageDiscountPromotionSerializer


@register
class FixedAmountPromotionResource(PromotionResourceBase):
    """`fixed_amount` is money in the promotion's currency: its own, else its market's."""

    resource_type = "fixed_amount_promotions"
    model = FixedAmountPromotion
    serializer_class = s.FixedAmountPromotionSerializer


@register
class FreeShippingPromotionResource(PromotionResourceBase):
    resource_type = "free_shipping_promotions"
    model = FreeShippingPromotion
    serializer_class = s.PromotionSerializer
    relationships_map = promotion_relationships(sku_list="optional", skus=False)


@register
class BuyXPayYPromotionResource(PromotionResourceBase):
    """Buy `x` units of the list's SKUs, pay `y` (catalog.md "Promotions")."""

    resource_type = "buy_x_pay_y_promotions"
    model = BuyXPayYPromotion
    serializer_class = s.BuyXPayYPromotionSerializer
    relationships_map = promotion_relationships(sku_list="required")


@register
class FreeGiftPromotionResource(PromotionResourceBase):
    """Units of the list's SKUs the order holds become free, `max_quantity` in all."""

    resource_type = "free_gift_promotions"
    model = FreeGiftPromotion
    serializer_class = s.FreeGiftPromotionSerializer
    relationships_map = promotion_relationships(sku_list="required")


@register
class FixedPricePromotionResource(PromotionResourceBase):
    """The list's SKUs at `fixed_amount` each, money in the promotion's currency."""

    resource_type = "fixed_price_promotions"
    model = FixedPricePromotion
    serializer_class = s.FixedPricePromotionSerializer
    relationships_map = promotion_relationships(sku_list="required")


# --- promotion rules and coupons: integration only -----------------------------------------------


def _rule_promotion() -> Rel:
    return Rel(PROMOTION_TYPES, create="required", update=True, type_of=_kind)


@register
class CouponCodesPromotionRuleResource(ResourceView):
    resource_type = "coupon_codes_promotion_rules"
    model = CouponCodesPromotionRule
    serializer_class = s.CouponCodesPromotionRuleSerializer
    relationships_map = {
        "promotion": _rule_promotion(),
        "coupons": Rel("coupons", many=True),
    }


@register
class SkuListPromotionRuleResource(ResourceView):
    """The promotion applies when the order holds SKUs of `sku_list` (catalog.md "Rules")."""

    resource_type = "sku_list_promotion_rules"
    model = SkuListPromotionRule
    serializer_class = s.SkuListPromotionRuleSerializer
    relationships_map = {
        "promotion": _rule_promotion(),
        "sku_list": Rel("sku_lists", create="optional", update=True),
        "skus": SKU_LIST_SKUS,
    }

    def related_document(self, pk, name) -> dict:
        if name != "skus":
            return super().related_document(pk, name)
        self.check_action("retrieve")
        return list_skus_document(self, self.get_object(pk))


@register
class OrderAmountPromotionRuleResource(ResourceView):
    """The promotion applies when the order's amount reaches `order_amount`, money in the
    promotion's currency (read with it)."""

    resource_type = "order_amount_promotion_rules"
    model = OrderAmountPromotionRule
    serializer_class = s.OrderAmountPromotionRuleSerializer
    select_related = ("promotion__market__price_list",)
    relationships_map = {"promotion": _rule_promotion()}


def _rule_rows(condition: Q, columns: list[str]):
    """(columns..., `rule_kind`: index in RULE_TYPES) of every rule meeting `condition`, the
    three tables in one UNION ALL."""
    parts = [
        registry[type_name]
        .model._default_manager.filter(condition)
        .order_by()
        .annotate(rule_kind=Value(index))
        .values(*columns, "rule_kind")
        for index, type_name in enumerate(RULE_TYPES)
    ]
    return parts[0].union(*parts[1:], all=True)


def _load_rules(rows, include: dict, ctx) -> list:
    """The rules of `rows` (dicts with `id` and `rule_kind`) in their order, each kind read in
    one query with its includes, each rule typed as its own kind."""
    by_kind: dict[int, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["rule_kind"], []).append(row["id"])
    loaded = {}
    for index, pks in by_kind.items():
        type_name = RULE_TYPES[index]
        target = registry[type_name]
        lookups = prefetches(target, include, ctx)
        for rule in target.base_queryset().filter(pk__in=pks).prefetch_related(*lookups):
            rule.resource_type_name = type_name
            loaded[(index, rule.pk)] = rule
    rules = (loaded.get((row["rule_kind"], row["id"])) for row in rows)
    return [rule for rule in rules if rule is not None]


def rules_document(view, query, *, promotion=None) -> dict:
    """A page of the rules of every kind (of `promotion`, when given), filtered and sorted as
    `query` says on the attributes all kinds share; each rendered as its own type. The page's
    keys come from one UNION ALL of the three tables, sorted and sliced by the database, then
    each kind's rows are read by primary key: a fixed number of queries for any page."""
    resource_cls = registry["promotion_rules"]
    condition = Q()
    if query.filters:
        resolver = partial(resource_cls.resolve_filter_path, ctx=view.ctx)
        condition, _ = build_filter_q(resource_cls.model, resolver, query.filters)
    if promotion is not None:
        condition &= Q(promotion=promotion)
    paths = resource_cls.filterable_fields()
    order = [(paths[name], desc) for name, desc in query.sort] or [("created_at", False)]
    order.append(("id", False))
    rows = _rule_rows(condition, list(dict.fromkeys(column for column, _ in order)))
    size = query.page_size
    start = (query.page_number - 1) * size
    # Ids are per table: the kind breaks their ties.
    ordered = rows.order_by(
        *[("-" if desc else "") + column for column, desc in order], "rule_kind"
    )
    page_rows = list(ordered[start : start + size])
    record_count = rows.count()
    page_count = math.ceil(record_count / size)
    return view.builder(query).document(
        _load_rules(page_rows, query.include, view.ctx),
        "promotion_rules",
        many=True,
        meta={"record_count": record_count, "page_count": page_count},
        links=view.pagination_links(query, page_count),
    )


@register
class PromotionRuleResource(ResourceView):
    """Read-only list of every promotion rule, whatever its kind: each row is rendered as its
    own kind (`coupon_codes_promotion_rules` ...), as a promotion's `promotion_rules` links
    them. Integration only. The kinds are three tables, so the list and a member are read by
    `rules_document` and `get_object` here, not through one queryset; filters and sorts are
    those of the attributes every kind has (`model` names them)."""

    resource_type = "promotion_rules"
    model = CouponCodesPromotionRule
    serializer_class = s.PromotionRuleSerializer
    ops = frozenset({"list", "retrieve"})
    document_types = RULE_TYPES
    relationships_map = {"promotion": Rel(PROMOTION_TYPES, type_of=_kind)}

    def list_document(self, query) -> dict:
        return rules_document(self, query)

    def get_object(self, pk, *, for_update=False, query=None, unscoped=False):
        if not isinstance(pk, str) or len(pk) > 64 or not self.ctx.is_integration:
            raise NotFound()
        found = list(_rule_rows(Q(public_id=pk), ["id"])[:1])
        rules = _load_rules(found, query.include if query is not None else {}, self.ctx)
        if not rules:
            raise NotFound()
        return rules[0]


@register
class CouponResource(ResourceView):
    """Coupon codes (unique, 8 to 40 characters); secrets of the back office, so integration
    only."""

    resource_type = "coupons"
    model = Coupon
    serializer_class = s.CouponSerializer
    relationships_map = {
        "promotion_rule": Rel("coupon_codes_promotion_rules", create="required", update=True),
    }
