"""Django admin of where we sell: merchants, markets, prices, shipping, payment, tax, promotions.

The SKU page (inventory/admin.py) is registered again here with the SKU's prices inline: prices
belong to markets, which depends on inventory, not the reverse.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count

from commerce import money
from commerce.admin import ResourceAdmin, ResourceInline
from inventory.admin import SkuAdmin
from inventory.models import Sku
from markets.models import (
    BuyXPayYPromotion,
    Coupon,
    CouponCodesPromotionRule,
    CustomerGroup,
    DeliveryLeadTime,
    ExternalGateway,
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
    PriceVolumeTier,
    Promotion,
    ShippingMethod,
    ShippingZone,
    SkuListPromotionRule,
    SkuOption,
    StripeGateway,
    TaxCalculator,
    TaxCategory,
    TaxRule,
)
from markets.shipping_tier_admin import ShippingWeightTierInline


def formatted(cents_attr: str, currency_attr: str, description: str):
    """A list column showing `cents_attr` formatted in its currency (`$7.00`, `€12,00`)."""

    @admin.display(description=description, ordering=cents_attr)
    def column(self, obj):
        currency = obj
        for part in currency_attr.split("."):
            currency = getattr(currency, part, None) if currency is not None else None
        return money.format_amount(getattr(obj, cents_attr), currency) or "-"

    return column


@admin.register(Merchant)
class MerchantAdmin(ResourceAdmin):
    list_display = ("name", "address", "public_id", "created_at")
    list_select_related = ("address",)
    search_fields = ("name", "public_id", "reference")
    autocomplete_fields = ("address",)


@admin.register(PriceList)
class PriceListAdmin(ResourceAdmin):
    list_display = ("name", "code", "currency_code", "tax_included", "public_id", "created_at")
    search_fields = ("name", "code", "public_id", "reference")
    list_filter = ("currency_code", "tax_included")


class PriceVolumeTierFormSet(forms.BaseInlineFormSet):
    """Every tier of the price is a form here: at most 5, one per `up_to` (blank included),
    checked across the forms (each form's own checks see the stored rows only)."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data.get("up_to")
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]
        if len(kept) > PriceVolumeTier.MAX_PER_PRICE:
            raise forms.ValidationError(
                f"A price has at most {PriceVolumeTier.MAX_PER_PRICE} volume tiers."
            )
        if len(set(kept)) < len(kept):
            raise forms.ValidationError("Each tier needs its own up to (one blank at most).")


class PriceVolumeTierInline(ResourceInline):
    """A price's volume tiers (catalog.md): at most 5, one per `up_to` (blank: past them all)."""

    model = PriceVolumeTier
    formset = PriceVolumeTierFormSet
    fields = ("public_id", "name", "up_to", "price_amount_cents")
    max_num = PriceVolumeTier.MAX_PER_PRICE


@admin.register(Price)
class PriceAdmin(ResourceAdmin):
    list_display = ("public_id", "sku", "price_list", "amount", "compare_at_amount", "updated_at")
    inlines = (PriceVolumeTierInline,)
    list_select_related = ("sku", "price_list")
    search_fields = ("public_id", "sku__code", "sku__name", "price_list__name", "price_list__code")
    list_filter = ("price_list", "price_list__currency_code")
    autocomplete_fields = ("sku", "price_list")

    amount = formatted("amount_cents", "price_list.currency_code", "amount")
    compare_at_amount = formatted(
        "compare_at_amount_cents", "price_list.currency_code", "compare at"
    )


class PriceInline(ResourceInline):
    model = Price
    fields = (
        "public_id",
        "price_list",
        "amount_cents",
        "compare_at_amount_cents",
        "formatted_amount",
    )
    readonly_fields = ("public_id", "formatted_amount")
    autocomplete_fields = ("price_list",)

    @admin.display(description="formatted")
    def formatted_amount(self, obj):
        if obj.pk is None:
            return "-"
        return money.format_amount(obj.amount_cents, obj.price_list.currency_code)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("price_list")


class SkuWithPricesAdmin(SkuAdmin):
    inlines = (*SkuAdmin.inlines, PriceInline)


admin.site.unregister(Sku)
admin.site.register(Sku, SkuWithPricesAdmin)


class GroupMarketInline(ResourceInline):
    """The markets a customer group makes private, shown on the group's page: a market is made
    private (or public again) on its own page, where its group is chosen."""

    model = Market
    fields = ("public_id", "code", "name", "disabled_at")
    readonly_fields = fields
    can_delete = False
    verbose_name = "private market"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ResourceAdmin):
    """Customer groups (catalog.md): their private markets inline. The orders app registers
    this page again with the group's customers (orders/admin.py), as customers live there. A
    group a market still uses can't be deleted (the market is PROTECTed): Django's delete page
    lists that market instead."""

    list_display = ("name", "code", "markets_count", "public_id", "created_at")
    search_fields = ("name", "code", "public_id", "reference")
    inlines = (GroupMarketInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(markets_count=Count("markets", distinct=True))

    @admin.display(description="private markets", ordering="markets_count")
    def markets_count(self, obj):
        return obj.markets_count


@admin.register(Market)
class MarketAdmin(ResourceAdmin):
    list_display = (
        "code",
        "name",
        "number",
        "merchant",
        "price_list",
        "currency",
        "inventory_model",
        "tax_calculator",
        "customer_group",
        "disabled_at",
        "public_id",
    )
    list_select_related = (
        "merchant",
        "price_list",
        "inventory_model",
        "tax_calculator",
        "customer_group",
    )
    search_fields = ("code", "name", "public_id", "reference")
    list_filter = ("price_list__currency_code", "inventory_model", "customer_group", "disabled_at")
    readonly_fields = (*ResourceAdmin.readonly_fields, "number", "shared_secret", "private")
    autocomplete_fields = (
        "merchant",
        "price_list",
        "inventory_model",
        "default_shipping_method",
        "default_payment_method",
        "tax_calculator",
        # A group makes the market private: only the group's customers buy there.
        "customer_group",
    )

    @admin.display(description="private", boolean=True)
    def private(self, obj):
        return obj.private

    @admin.display(description="currency", ordering="price_list__currency_code")
    def currency(self, obj):
        return obj.price_list.currency_code


@admin.register(ShippingZone)
class ShippingZoneAdmin(ResourceAdmin):
    list_display = (
        "name",
        "country_code_regex",
        "state_code_regex",
        "zip_code_regex",
        "public_id",
        "created_at",
    )
    search_fields = ("name", "public_id", "country_code_regex", "reference")


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ResourceAdmin):
    list_display = (
        "name",
        "market",
        "scheme",
        "price_amount",
        "free_over_amount",
        "shipping_category",
        "shipping_zone",
        "stock_location",
        "disabled_at",
        "circuit_state",
        "public_id",
    )
    list_select_related = (
        "market__price_list",
        "shipping_category",
        "shipping_zone",
        "stock_location",
    )
    search_fields = ("name", "public_id", "market__code", "reference")
    list_filter = ("market", "scheme", "currency_code", "circuit_state", "disabled_at")
    readonly_fields = (*ResourceAdmin.readonly_fields, "shared_secret")
    autocomplete_fields = ("market", "shipping_zone", "shipping_category", "stock_location")
    inlines = (ShippingWeightTierInline,)  # markets/shipping_tier_admin.py

    price_amount = formatted("price_amount_cents", "effective_currency_code", "price")
    free_over_amount = formatted("free_over_amount_cents", "effective_currency_code", "free over")


@admin.register(DeliveryLeadTime)
class DeliveryLeadTimeAdmin(ResourceAdmin):
    list_display = (
        "public_id",
        "shipping_method",
        "stock_location",
        "min_hours",
        "max_hours",
        "created_at",
    )
    list_select_related = ("shipping_method", "stock_location")
    search_fields = (
        "public_id",
        "shipping_method__name",
        "stock_location__code",
        "stock_location__name",
    )
    list_filter = ("shipping_method__market", "stock_location")
    autocomplete_fields = ("shipping_method", "stock_location")


# A Stripe gateway's keys are write-only (payments.md): never shown or edited here; its
# webhook fields are Stripe's, written by the API's create and `_check`.
STRIPE_FIELDS = (
    "login",
    "publishable_key",
    "connected_account",
    "auto_payments",
    "webhook_endpoint_id",
    "webhook_endpoint_secret",
)
# An external gateway's (payments.md), edited through the API that checks its URLs.
EXTERNAL_FIELDS = (
    "authorize_url",
    "capture_url",
    "void_url",
    "refund_url",
    "token_url",
    "external_includes",
    "shared_secret",
    "circuit_state",
    "circuit_failure_count",
)


class GatewayAdminMixin:
    list_display = ("name", "kind", "force_payments", "disabled_at", "public_id", "created_at")
    search_fields = ("name", "public_id", "reference")
    list_filter = ("kind", "disabled_at")
    exclude = ("kind", *STRIPE_FIELDS, *EXTERNAL_FIELDS)


@admin.register(PaymentGateway)
class PaymentGatewayAdmin(GatewayAdminMixin, ResourceAdmin):
    """Every gateway, whatever its kind (the API's read-only `payment_gateways`)."""


@admin.register(ManualGateway)
class ManualGatewayAdmin(GatewayAdminMixin, ResourceAdmin):
    list_filter = ("disabled_at",)


@admin.register(StripeGateway)
class StripeGatewayAdmin(GatewayAdminMixin, ResourceAdmin):
    """Read and disabled here; created through the API, which registers the webhook endpoint
    at Stripe (payments.md)."""

    list_filter = ("disabled_at",)
    exclude = (
        "kind",
        "login",
        "publishable_key",
        "webhook_endpoint_secret",
        *EXTERNAL_FIELDS,
    )
    readonly_fields = ("connected_account", "auto_payments", "webhook_endpoint_id")

    def has_add_permission(self, request):
        return False


@admin.register(ExternalGateway)
class ExternalGatewayAdmin(GatewayAdminMixin, ResourceAdmin):
    """Read and disabled here; created through the API, which checks its URLs (payments.md)."""

    list_display = (*GatewayAdminMixin.list_display[:-2], "circuit_state", "public_id")
    list_filter = ("disabled_at", "circuit_state")
    exclude = ("kind", *STRIPE_FIELDS, "shared_secret")
    readonly_fields = tuple(name for name in EXTERNAL_FIELDS if name != "shared_secret")

    def has_add_permission(self, request):
        return False


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ResourceAdmin):
    list_display = (
        "name",
        "payment_source_type",
        "market",
        "payment_gateway",
        "price_amount",
        "disabled_at",
        "public_id",
    )
    list_select_related = ("market__price_list", "payment_gateway")
    search_fields = ("name", "public_id", "payment_source_type", "market__code", "reference")
    list_filter = ("market", "payment_source_type", "currency_code", "disabled_at")
    autocomplete_fields = ("market", "payment_gateway")

    price_amount = formatted("price_amount_cents", "effective_currency_code", "price")


class TaxRuleInline(ResourceInline):
    model = TaxRule
    fk_name = "manual_tax_calculator"
    fields = (
        "public_id",
        "name",
        "tax_rate",
        "freight_taxable",
        "country_code_regex",
        "state_code_regex",
        "zip_code_regex",
    )


class TaxCalculatorAdminMixin:
    list_display = ("name", "kind", "public_id", "created_at")
    search_fields = ("name", "public_id", "reference")
    list_filter = ("kind",)
    inlines = (TaxRuleInline,)


@admin.register(TaxCalculator)
class TaxCalculatorAdmin(TaxCalculatorAdminMixin, ResourceAdmin):
    """Every tax calculator, whatever its kind."""


@admin.register(ManualTaxCalculator)
class ManualTaxCalculatorAdmin(TaxCalculatorAdminMixin, ResourceAdmin):
    list_filter = ()
    exclude = ("kind",)


@admin.register(TaxRule)
class TaxRuleAdmin(ResourceAdmin):
    list_display = (
        "name",
        "manual_tax_calculator",
        "tax_rate",
        "freight_taxable",
        "country_code_regex",
        "state_code_regex",
        "public_id",
    )
    list_select_related = ("manual_tax_calculator",)
    search_fields = ("name", "public_id", "country_code_regex", "reference")
    list_filter = ("manual_tax_calculator", "freight_taxable")
    autocomplete_fields = ("manual_tax_calculator",)


@admin.register(TaxCategory)
class TaxCategoryAdmin(ResourceAdmin):
    list_display = ("code", "sku", "tax_calculator", "public_id", "created_at")
    list_select_related = ("sku", "tax_calculator")
    search_fields = ("code", "public_id", "sku__code")
    list_filter = ("tax_calculator",)
    autocomplete_fields = ("sku", "tax_calculator")


# The fields of one kind only (catalog.md "Promotions"); a kind's page shows its own.
KIND_FIELDS = {
    PercentageDiscountPromotion: ("percentage",),
    FixedAmountPromotion: ("fixed_amount_cents",),
    FreeShippingPromotion: (),
    BuyXPayYPromotion: ("x", "y", "cheapest_free"),
    FreeGiftPromotion: ("max_quantity",),
    FixedPricePromotion: ("fixed_amount_cents",),
}
_SPECIFIC_FIELDS = {name for names in KIND_FIELDS.values() for name in names}
KIND_OF = {
    PercentageDiscountPromotion: "percentage_discount_promotions",
    FixedAmountPromotion: "fixed_amount_promotions",
    FreeShippingPromotion: "free_shipping_promotions",
    BuyXPayYPromotion: "buy_x_pay_y_promotions",
    FreeGiftPromotion: "free_gift_promotions",
    FixedPricePromotion: "fixed_price_promotions",
}


class PromotionKindForm(forms.ModelForm):
    """What the API's serializers require of a kind, for the operators' forms: its own amount,
    a `sku_list` for the kinds that need one, x > y >= 1, `max_quantity` >= 1 (1 when blank)."""

    REQUIRED = {
        "percentage_discount_promotions": ("percentage",),
        "fixed_amount_promotions": ("fixed_amount_cents",),
        "buy_x_pay_y_promotions": ("sku_list", "x", "y"),
        "free_gift_promotions": ("sku_list",),
        "fixed_price_promotions": ("sku_list", "fixed_amount_cents"),
    }

    def clean(self):
        data = super().clean()
        # A kind's own page (a proxy) or the page of every kind (`kind` chosen on it).
        kind = KIND_OF.get(self._meta.model) or data.get("kind") or self.instance.kind
        for name in self.REQUIRED.get(kind, ()):
            if name in self.fields and data.get(name) is None and name not in self.errors:
                self.add_error(name, "This field is required.")
        for name in ("x", "y", "max_quantity"):
            if name in self.fields and data.get(name) is not None and data[name] < 1:
                self.add_error(name, "Ensure this value is greater than or equal to 1.")
        x, y = data.get("x"), data.get("y")
        if "y" in self.fields and x is not None and y is not None and x <= y:
            self.add_error("y", f"Ensure this value is less than x ({x}).")
        if kind == "free_gift_promotions" and data.get("max_quantity") is None:
            data["max_quantity"] = 1
        return data


class SkuListPromotionRuleInline(ResourceInline):
    """The promotion's SKU-list rule (one at most)."""

    model = SkuListPromotionRule
    fields = ("public_id", "sku_list", "all_skus", "min_quantity")
    max_num = 1


class OrderAmountPromotionRuleInline(ResourceInline):
    """The promotion's order-amount rule (one at most), in cents of its currency."""

    model = OrderAmountPromotionRule
    fields = ("public_id", "order_amount_cents", "use_subtotal")
    max_num = 1


class PromotionAdminMixin:
    list_display = (
        "name",
        "kind",
        "market",
        "status",
        "percentage",
        "fixed_amount",
        "starts_at",
        "expires_at",
        "total_usage_count",
        "public_id",
    )
    list_select_related = ("market__price_list",)
    search_fields = ("name", "public_id", "market__code", "reference")
    list_filter = ("kind", "market", "currency_code", "disabled_at")
    readonly_fields = (*ResourceAdmin.readonly_fields, "total_usage_count")
    autocomplete_fields = ("market",)
    form = PromotionKindForm
    inlines = (SkuListPromotionRuleInline, OrderAmountPromotionRuleInline)

    fixed_amount = formatted("fixed_amount_cents", "effective_currency_code", "fixed amount")

    @admin.display(description="status")
    def status(self, obj):
        return obj.status


@admin.register(Promotion)
class PromotionAdmin(PromotionAdminMixin, ResourceAdmin):
    """Every promotion, whatever its kind."""


class PromotionKindAdmin(PromotionAdminMixin, ResourceAdmin):
    list_filter = ("market", "currency_code", "disabled_at")

    def get_exclude(self, request, obj=None):
        others = _SPECIFIC_FIELDS - set(KIND_FIELDS[self.model])
        return ("kind", *sorted(others))


for _kind_model in KIND_FIELDS:
    admin.site.register(_kind_model, PromotionKindAdmin)


class CouponForm(forms.ModelForm):
    """Codes of 8 to 40 characters (catalog.md "Coupons and usage limits"), as the API has them."""

    code = forms.CharField(min_length=8, max_length=40)


class CouponInline(ResourceInline):
    model = Coupon
    form = CouponForm
    fields = (
        "public_id",
        "code",
        "usage_limit",
        "usage_count",
        "customer_single_use",
        "expires_at",
    )
    readonly_fields = ("public_id", "usage_count")


@admin.register(CouponCodesPromotionRule)
class CouponCodesPromotionRuleAdmin(ResourceAdmin):
    list_display = ("public_id", "promotion", "created_at")
    list_select_related = ("promotion",)
    search_fields = ("public_id", "promotion__name")
    autocomplete_fields = ("promotion",)
    inlines = (CouponInline,)


@admin.register(Coupon)
class CouponAdmin(ResourceAdmin):
    form = CouponForm
    list_display = (
        "code",
        "promotion",
        "usage_count",
        "usage_limit",
        "customer_single_use",
        "expires_at",
        "public_id",
    )
    list_select_related = ("promotion",)
    search_fields = ("code", "public_id", "recipient_email", "promotion__name")
    list_filter = ("customer_single_use",)
    readonly_fields = (*ResourceAdmin.readonly_fields, "usage_count", "promotion")
    autocomplete_fields = ("promotion_rule",)


class PromotionRuleAdmin(ResourceAdmin):
    """A rule kind's own list; each is also inline on its promotion's page."""

    list_select_related = ("promotion",)
    search_fields = ("public_id", "promotion__name")
    autocomplete_fields = ("promotion",)


@admin.register(SkuListPromotionRule)
class SkuListPromotionRuleAdmin(PromotionRuleAdmin):
    list_display = ("public_id", "promotion", "sku_list", "all_skus", "min_quantity", "created_at")
    list_select_related = ("promotion", "sku_list")


@admin.register(OrderAmountPromotionRule)
class OrderAmountPromotionRuleAdmin(PromotionRuleAdmin):
    list_display = ("public_id", "promotion", "order_amount", "use_subtotal", "created_at")
    list_select_related = ("promotion__market__price_list",)

    order_amount = formatted("order_amount_cents", "currency_code", "order amount")


@admin.register(PriceVolumeTier)
class PriceVolumeTierAdmin(ResourceAdmin):
    """Volume tiers on their own (also inline on their price's page)."""

    list_display = ("name", "price", "up_to", "price_amount", "public_id", "created_at")
    list_select_related = ("price__sku", "price__price_list")
    search_fields = ("name", "public_id", "price__sku__code", "price__public_id")
    list_filter = ("price__price_list",)
    autocomplete_fields = ("price",)

    price_amount = formatted("price_amount_cents", "currency_code", "price")


@admin.register(SkuOption)
class SkuOptionAdmin(ResourceAdmin):
    list_display = (
        "name",
        "market",
        "price_amount",
        "sku_code_regex",
        "delay_hours",
        "public_id",
        "created_at",
    )
    list_select_related = ("market__price_list",)
    search_fields = ("name", "public_id", "sku_code_regex", "reference")
    list_filter = ("market", "currency_code")
    autocomplete_fields = ("market",)

    price_amount = formatted("price_amount_cents", "effective_currency_code", "price")


# Bundles' pages, in a module of their own (catalog.md "Bundles").
from markets import bundle_admin  # noqa: E402, F401
