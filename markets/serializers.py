import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, prefetch_related_objects
from rest_framework import serializers

from commerce import codes, money
from commerce.exceptions import CommerceError
from commerce.jsonapi.fields import StrictCharField, validate_regex
from commerce.jsonapi.query import parse_include
from commerce.jsonapi.registry import registry
from commerce.jsonapi.serializers import ResourceSerializer
from commerce.webhooks import ssrf
from inventory import serializers as inventory_serializers
from markets import selectors
from markets.models import (
    Coupon,
    CouponCodesPromotionRule,
    DeliveryLeadTime,
    Market,
    Merchant,
    OrderAmountPromotionRule,
    PaymentGateway,
    PaymentMethod,
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

# The one check of currency codes (limits.md section 3), for every serializer here.
validate_currency_code = codes.currency_code


class MerchantSerializer(ResourceSerializer):
    class Meta:
        model = Merchant
        fields = ["name"]


class NoValueField(serializers.Field):
    """A read-only attribute resources.md lists that this backend has no value for (price
    rules engines, JWT custom claims): always rendered as null, so clients reading or asking
    for it (`fields[prices]=rule_outcomes`) are served."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, value):
        return None


class PriceListSerializer(ResourceSerializer):
    rule_outcomes = NoValueField()
    resource_payload = NoValueField()

    class Meta:
        model = PriceList
        fields = [
            "name",
            "code",
            "currency_code",
            "tax_included",
            "rule_outcomes",
            "rules",
            "resource_payload",
        ]

    def validate_currency_code(self, value):
        return validate_currency_code(value)


class PriceSerializer(ResourceSerializer):
    """`original_amount` is the amount before price rules and tiers; with neither in scope it
    is the amount itself (cents and formatted only, as in resources.md)."""

    money = {"amount": "currency_code", "compare_at_amount": "currency_code"}
    sku_code = StrictCharField(max_length=255, required=False)
    original_amount_cents = serializers.IntegerField(source="amount_cents", read_only=True)
    formatted_original_amount = serializers.SerializerMethodField()
    rule_outcomes = NoValueField()
    resource_payload = NoValueField()
    jwt_custom_claim = NoValueField()

    class Meta:
        model = Price
        fields = [
            "currency_code",
            "sku_code",
            "amount_cents",
            "original_amount_cents",
            "formatted_original_amount",
            "compare_at_amount_cents",
            "rule_outcomes",
            "processed_at",
            "rules",
            "resource_payload",
            "jwt_custom_claim",
        ]
        read_only_fields = ["currency_code"]
        update_only_fields = ["processed_at"]

    def get_formatted_original_amount(self, price) -> str | None:
        return money.format_amount(price.amount_cents, price.currency_code)


class MarketSerializer(ResourceSerializer):
    class Meta:
        model = Market
        fields = [
            "number",
            "name",
            "code",
            "facebook_pixel_id",
            "checkout_url",
            "external_prices_url",
            "external_order_validation_url",
            "private",
            "shipping_cost_cutoff",
            "disabled_at",
            "shared_secret",
            "external_includes",
        ]
        read_only_fields = ["number", "private", "disabled_at", "shared_secret"]


class ShippingZoneSerializer(ResourceSerializer):
    """Six regexes matched as Python's `re.search` (markets.shipping_rules): one that does not
    compile there is a 422 `invalid` on its attribute (shipping.md "Shipping zones"); 5000
    characters at most (the column)."""

    class Meta:
        model = ShippingZone
        fields = ["name", *ShippingZone.PATTERNS]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = {}
        for name in ShippingZone.PATTERNS:
            try:
                validate_regex(attrs.get(name))
            except serializers.ValidationError as exc:
                errors[name] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ShippingMethodSerializer(ResourceSerializer):
    money = {
        "price_amount": "effective_currency_code",
        "free_over_amount": "effective_currency_code",
        "price_amount_for_shipment": "effective_currency_code",
    }

    class Meta:
        model = ShippingMethod
        fields = [
            "name",
            "scheme",
            "currency_code",
            "external_prices_url",
            "price_amount_cents",
            "free_over_amount_cents",
            "use_subtotal",
            "min_weight",
            "max_weight",
            "unit_of_weight",
            "tax_code",
            "disabled_at",
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
            "external_includes",
        ]
        read_only_fields = [
            "disabled_at",
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
        ]

    def validate_currency_code(self, value):
        return validate_currency_code(value)

    def validate_external_prices_url(self, value):
        """The URL the `external` scheme calls: refused when saved, as an external gateway's
        are, by the webhooks' SSRF rule (the call checks it again: DNS may change)."""
        if value:
            try:
                ssrf.check_url(value)
            except ssrf.UnsafeURL as exc:
                raise serializers.ValidationError(str(exc)) from None
        return value

    def validate(self, attrs):
        """shipping.md "Weight" and "The `external` scheme", on the method as it will be (the
        stored values under those the request changes): `unit_of_weight` with `min_weight`,
        `max_weight` or scheme `weight_tiered`; `min_weight` at most `max_weight`;
        `external_prices_url` with scheme `external`."""
        attrs = super().validate(attrs)

        def value(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None) if self.instance is not None else None

        scheme = value("scheme") or "flat"
        low, high = value("min_weight"), value("max_weight")
        errors = {}
        if not value("unit_of_weight") and (
            low is not None or high is not None or scheme == "weight_tiered"
        ):
            errors["unit_of_weight"] = serializers.ErrorDetail("can't be blank", code="blank")
        if low is not None and high is not None and low > high:
            errors["max_weight"] = serializers.ErrorDetail(
                f"must be greater than or equal to {low:g}", code="greater_than_or_equal_to"
            )
        if scheme == "external" and not value("external_prices_url"):
            errors["external_prices_url"] = serializers.ErrorDetail("can't be blank", code="blank")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DeliveryLeadTimeSerializer(ResourceSerializer):
    class Meta:
        model = DeliveryLeadTime
        fields = ["min_hours", "max_hours", "min_days", "max_days"]

    def validate(self, attrs):
        instance = self.instance
        low = attrs.get("min_hours", instance.min_hours if instance else None)
        high = attrs.get("max_hours", instance.max_hours if instance else None)
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {
                    "max_hours": serializers.ErrorDetail(
                        f"must be greater than or equal to {low}", code="min_value"
                    )
                }
            )
        return attrs


class PaymentGatewaySerializer(ResourceSerializer):
    class Meta:
        model = PaymentGateway
        fields = ["name", "force_payments", "credential_keys", "disabled_at"]
        read_only_fields = ["disabled_at", "credential_keys"]


class ExternalGatewaySerializer(ResourceSerializer):
    """payments.md "External gateways": the merchant's URLs (checked by the webhooks' SSRF guard
    when saved), `shared_secret` made on create and returned (integration tokens only), the
    circuit breaker's state."""

    URLS = ("authorize_url", "capture_url", "void_url", "refund_url", "token_url")

    class Meta:
        model = PaymentGateway
        fields = [
            *PaymentGatewaySerializer.Meta.fields,
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
            "external_includes",
            "authorize_url",
            "capture_url",
            "void_url",
            "refund_url",
            "token_url",
        ]
        read_only_fields = [
            *PaymentGatewaySerializer.Meta.read_only_fields,
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
        ]

    def validate(self, attrs):
        for name in self.URLS:
            url = attrs.get(name)
            if url:
                try:
                    ssrf.check_url(url)
                except ssrf.UnsafeURL as exc:
                    raise serializers.ValidationError({name: str(exc)}) from None
        return attrs

    def validate_external_includes(self, value):
        if value is None:
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("must be an array of strings")
        try:
            parse_include(",".join(value), registry, "external_payments")
        except CommerceError:
            raise serializers.ValidationError(
                "names a relationship an external payment does not have"
            ) from None
        return value


class StripeGatewaySerializer(ResourceSerializer):
    """payments.md "Stripe": the keys are written once, on create, and never rendered
    (`credential_keys` shows the secret key's last four characters)."""

    login = StrictCharField(write_only=True, max_length=255)
    publishable_key = StrictCharField(write_only=True, required=False, max_length=255)
    webhook_endpoint_url = serializers.CharField(read_only=True)

    class Meta:
        model = PaymentGateway
        fields = [
            *PaymentGatewaySerializer.Meta.fields,
            "connected_account",
            "auto_payments",
            "webhook_endpoint_id",
            "webhook_endpoint_secret",
            "webhook_endpoint_url",
            "login",
            "publishable_key",
        ]
        read_only_fields = [
            *PaymentGatewaySerializer.Meta.read_only_fields,
            "webhook_endpoint_id",
            "webhook_endpoint_secret",
        ]
        create_only_fields = ["login", "publishable_key"]

    def validate_login(self, value: str) -> str:
        if not value.startswith(("sk_", "rk_")):
            raise serializers.ValidationError("must be a Stripe secret key (sk_… or rk_…)")
        return value


class PaymentMethodSerializer(ResourceSerializer):
    money = {
        "price_amount": "effective_currency_code",
        "auto_capture_max_amount": "effective_currency_code",
    }

    class Meta:
        model = PaymentMethod
        fields = [
            "name",
            "payment_source_type",
            "currency_code",
            "moto",
            "require_capture",
            "auto_place",
            "auto_capture",
            "price_amount_cents",
            "auto_capture_max_amount_cents",
            "disabled_at",
        ]
        read_only_fields = ["disabled_at"]

    def validate_currency_code(self, value):
        return validate_currency_code(value)


class SkuSerializer(inventory_serializers.SkuSerializer):
    """A SKU with its availability in the caller's market (single GET only, as in CL)."""

    inventory = serializers.SerializerMethodField()
    jwt_custom_claim = NoValueField()

    class Meta(inventory_serializers.SkuSerializer.Meta):
        fields = [*inventory_serializers.SkuSerializer.Meta.fields, "inventory", "jwt_custom_claim"]

    def get_inventory(self, sku):
        market = self.context.get("market")
        if market is None or not self.context.get("single"):
            return None
        return selectors.sku_inventory(sku, market)


# --- tax settings and promotions ---------------------------------------------------------------


class DecimalNumberField(serializers.DecimalField):
    """A Decimal column as a JSON number: a strict number in (rounded half up to the column's
    places, never rejected for its precision), a float out; the database keeps the Decimal."""

    default_error_messages = {"invalid": "must be a number"}

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        return Decimal(str(data)).quantize(
            Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP
        )

    def to_representation(self, value):
        return None if value is None else float(value)


class TaxCalculatorSerializer(ResourceSerializer):
    class Meta:
        model = TaxCalculator
        fields = ["name"]


class TaxRuleSerializer(ResourceSerializer):
    tax_rate = DecimalNumberField(
        max_digits=9, decimal_places=6, min_value=0, max_value=1, required=False
    )

    class Meta:
        model = TaxRule
        fields = [
            "name",
            "tax_rate",
            "freight_taxable",
            "payment_method_taxable",
            "gift_card_taxable",
            "adjustment_taxable",
            "breakdown",
            *[
                f"{prefix}{name}_code_regex"
                for name in ("country", "state", "zip")
                for prefix in ("", "not_")
            ],
        ]
        read_only_fields = ["breakdown"]

    def validate(self, attrs):
        errors = {}
        for name, value in attrs.items():
            if name.endswith("_regex"):
                try:
                    validate_regex(value)
                except serializers.ValidationError as exc:
                    errors[name] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TaxCategorySerializer(ResourceSerializer):
    sku_code = StrictCharField(max_length=255, required=False)

    class Meta:
        model = TaxCategory
        fields = ["code", "sku_code"]


class PromotionListSerializer(serializers.ListSerializer):
    """Renders promotions however they were loaded (primary data, or included through a
    polymorphic relationship that only fetched the rows): what the attributes read from other
    tables — coupons_count, the market's price list for money — is loaded here for all of them
    at once, never one query per promotion."""

    def to_representation(self, data):
        promotions = list(data.all() if hasattr(data, "all") else data)
        fields = self.child.fields
        if "coupons_count" in fields:
            missing = [p for p in promotions if "coupons_count" not in p.__dict__]
            if missing:
                counts = dict(
                    Coupon.objects.filter(promotion__in=[p.pk for p in missing])
                    .order_by()
                    .values("promotion")
                    .annotate(n=Count("pk"))
                    .values_list("promotion", "n")
                )
                for promotion in missing:
                    promotion.coupons_count = counts.get(promotion.pk, 0)
        if self.child.money:
            prefetch_related_objects(
                [p for p in promotions if not p.currency_code and p.market_id], "market__price_list"
            )
        return super().to_representation(promotions)


class PromotionSerializer(ResourceSerializer):
    """Attributes every promotion kind shares; `status`/`active` are computed at read time."""

    coupons_count = serializers.SerializerMethodField()

    class Meta:
        model = Promotion
        fields = [
            "name",
            "currency_code",
            "exclusive",
            "priority",
            "starts_at",
            "expires_at",
            "total_usage_limit",
            "total_usage_count",
            "total_usage_reached",
            "active",
            "status",
            "weight",
            "coupons_count",
            "disabled_at",
        ]
        read_only_fields = ["total_usage_count", "disabled_at"]
        extra_kwargs = {"starts_at": {"required": True}, "expires_at": {"required": True}}
        list_serializer_class = PromotionListSerializer

    def get_coupons_count(self, promotion) -> int:
        count = getattr(promotion, "coupons_count", None)
        return promotion.coupons.count() if count is None else count

    def validate_currency_code(self, value):
        return validate_currency_code(value)

    def validate(self, attrs):
        instance = self.instance
        starts = attrs.get("starts_at", instance.starts_at if instance else None)
        expires = attrs.get("expires_at", instance.expires_at if instance else None)
        if starts is not None and expires is not None and expires <= starts:
            raise serializers.ValidationError(
                {
                    "expires_at": serializers.ErrorDetail(
                        "must be after starts_at", code="greater_than"
                    )
                }
            )
        return attrs


class PercentageDiscountPromotionSerializer(PromotionSerializer):
    percentage = DecimalNumberField(max_digits=7, decimal_places=4, min_value=0, max_value=100)

    class Meta(PromotionSerializer.Meta):
        fields = [*PromotionSerializer.Meta.fields, "percentage"]


class FixedAmountPromotionSerializer(PromotionSerializer):
    money = {"fixed_amount": "effective_currency_code"}

    class Meta(PromotionSerializer.Meta):
        fields = [*PromotionSerializer.Meta.fields, "fixed_amount_cents"]
        extra_kwargs = {
            **PromotionSerializer.Meta.extra_kwargs,
            "fixed_amount_cents": {"required": True, "allow_null": False},
        }


class BuyXPayYPromotionSerializer(PromotionSerializer):
    """Buy `x` units of the list's SKUs, pay `y` of them: both >= 1 and x > y (catalog.md)."""

    class Meta(PromotionSerializer.Meta):
        fields = [*PromotionSerializer.Meta.fields, "x", "y", "cheapest_free"]
        extra_kwargs = {
            **PromotionSerializer.Meta.extra_kwargs,
            "x": {"required": True, "allow_null": False, "min_value": 1},
            "y": {"required": True, "allow_null": False, "min_value": 1},
        }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        x = attrs.get("x", instance.x if instance else None)
        y = attrs.get("y", instance.y if instance else None)
        if x is not None and y is not None and x <= y:
            raise serializers.ValidationError(
                {"y": serializers.ErrorDetail(f"must be less than {x}", code="less_than")}
            )
        return attrs


class FreeGiftPromotionSerializer(PromotionSerializer):
    """`max_quantity`: the free units in all, at least 1 (1 when not given)."""

    class Meta(PromotionSerializer.Meta):
        fields = [*PromotionSerializer.Meta.fields, "max_quantity"]
        extra_kwargs = {
            **PromotionSerializer.Meta.extra_kwargs,
            "max_quantity": {"allow_null": False, "min_value": 1, "default": 1},
        }


class FixedPricePromotionSerializer(FixedAmountPromotionSerializer):
    """`fixed_amount`: the price of each unit of the list's SKUs, in the promotion's currency."""


class CouponCodesPromotionRuleSerializer(ResourceSerializer):
    class Meta:
        model = CouponCodesPromotionRule
        fields = []


class SkuListPromotionRuleSerializer(ResourceSerializer):
    class Meta:
        model = SkuListPromotionRule
        fields = ["all_skus", "min_quantity"]


class OrderAmountPromotionRuleSerializer(ResourceSerializer):
    """`order_amount` is money in the promotion's currency (its own, else its market's)."""

    money = {"order_amount": "currency_code"}

    class Meta:
        model = OrderAmountPromotionRule
        fields = ["order_amount_cents", "use_subtotal"]


class PromotionRuleSerializer(ResourceSerializer):
    """The polymorphic `promotion_rules` list: the attributes every rule kind has."""

    class Meta:
        model = CouponCodesPromotionRule
        fields = []


class CouponSerializer(ResourceSerializer):
    class Meta:
        model = Coupon
        fields = [
            "code",
            "customer_single_use",
            "usage_limit",
            "usage_count",
            "recipient_email",
            "expires_at",
        ]
        read_only_fields = ["usage_count"]
        # 8 to 40 characters (catalog.md "Coupons and usage limits").
        extra_kwargs = {"code": {"min_length": 8, "max_length": 40}}
