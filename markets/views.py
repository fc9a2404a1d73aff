"""JSON:API resources of the markets app.

Sales channels and customers see their own market's settings by id (and through includes),
the prices of its price list (listable), and its delivery lead times (auth.md).
"""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from commerce.exceptions import BadRequest
from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.services import create_record
from commerce.triggers import Trigger, TriggerSet
from inventory.models import Sku, StockItem, StockReservation
from markets import serializers as s
from markets import services
from markets.models import (
    Coupon,
    CouponCodesPromotionRule,
    DeliveryLeadTime,
    FixedAmountPromotion,
    FreeShippingPromotion,
    ManualGateway,
    ManualTaxCalculator,
    Market,
    Merchant,
    PaymentGateway,
    PaymentMethod,
    PercentageDiscountPromotion,
    Price,
    PriceList,
    Promotion,
    ShippingMethod,
    ShippingZone,
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
        "shipping_zone": Rel("shipping_zones", create="optional", update=True),
        "shipping_category": Rel("shipping_categories", create="optional", update=True),
        "stock_location": Rel("stock_locations", create="optional", update=True),
        "delivery_lead_times": Rel("delivery_lead_times", many=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return qs if ctx.is_integration else qs.filter(_market_or_global(ctx))


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
)
STOREFRONT_HIDDEN_FILTERS = ("coupons_", "coupon_codes_promotion_rule_")
PROMOTIONS_READ = {
    "list": ALL_KINDS,
    "retrieve": ALL_KINDS,
    "create": INTEGRATION_ONLY,
    "update": INTEGRATION_ONLY,
    "delete": INTEGRATION_ONLY,
}


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
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        "coupon_codes_promotion_rule": Rel("coupon_codes_promotion_rules"),
        "coupons": Rel("coupons", many=True),
    }

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

    def collection_document(self, qs, query, resource_cls=None, *, whole=False, related=False):
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
        return super().collection_document(qs, query, resource_cls, whole=whole, related=related)


@register
class PromotionResource(PromotionResourceBase):
    """Read-only list of every promotion, whatever its kind (linkage names each one's kind)."""

    resource_type = "promotions"
    model = Promotion
    serializer_class = s.PromotionSerializer
    ops = frozenset({"list", "retrieve"})
    triggers = TriggerSet()
    relationships_map = {
        "market": Rel("markets"),
        "coupon_codes_promotion_rule": Rel("coupon_codes_promotion_rules"),
        "coupons": Rel("coupons", many=True),
    }


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


@register
class CouponCodesPromotionRuleResource(ResourceView):
    resource_type = "coupon_codes_promotion_rules"
    model = CouponCodesPromotionRule
    serializer_class = s.CouponCodesPromotionRuleSerializer
    relationships_map = {
        "promotion": Rel(PROMOTION_TYPES, create="required", update=True, type_of=_kind),
        "coupons": Rel("coupons", many=True),
    }


@register
class CouponResource(ResourceView):
    """Coupon codes (unique); secrets of the back office, so integration only."""

    resource_type = "coupons"
    model = Coupon
    serializer_class = s.CouponSerializer
    relationships_map = {
        "promotion_rule": Rel("coupon_codes_promotion_rules", create="required", update=True),
    }
