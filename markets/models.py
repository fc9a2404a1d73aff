"""Where we sell: merchants, markets, price lists and prices, shipping and payment methods."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import SkuList
from commerce.models import Address, Resource
from inventory.models import InventoryModel, ShippingCategory, Sku, StockLocation


def new_shared_secret() -> str:
    return secrets.token_hex(16)


class Merchant(Resource):
    name = models.CharField(max_length=255)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")


class PriceList(Resource):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, unique=True, null=True, blank=True)
    currency_code = models.CharField(max_length=3)
    tax_included = models.BooleanField(default=False)
    rules = models.JSONField(null=True, blank=True)


class Price(Resource):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="prices")
    amount_cents = models.BigIntegerField()
    compare_at_amount_cents = models.BigIntegerField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    rules = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "sku"], name="price_unique_per_list"),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="price_amount_gte_0"),
        ]

    @property
    def currency_code(self) -> str:
        return self.price_list.currency_code

    @property
    def sku_code(self) -> str:
        return self.sku.code


class PriceVolumeTier(Resource):
    """A price's unit amount up to a line quantity (catalog.md "Price volume tiers"): the
    tier with the smallest `up_to` >= the quantity, else the `up_to` null one, else the price's
    own amount. At most 5 per price (the service checks), one per `up_to` (null included)."""

    MAX_PER_PRICE = 5

    price = models.ForeignKey(Price, on_delete=models.CASCADE, related_name="volume_tiers")
    name = models.CharField(max_length=255)
    up_to = models.PositiveIntegerField(null=True, blank=True)
    price_amount_cents = models.BigIntegerField()

    class Meta:
        ordering = [models.F("up_to").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["price", "up_to"], name="price_tier_unique_up_to"),
            models.UniqueConstraint(
                fields=["price"], condition=Q(up_to__isnull=True), name="price_tier_one_open"
            ),
            models.CheckConstraint(condition=Q(up_to__gte=1), name="price_tier_up_to_gte_1"),
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0), name="price_tier_amount_gte_0"
            ),
        ]

    @property
    def currency_code(self) -> str:
        return self.price.price_list.currency_code


class ShippingZone(Resource):
    # Its six patterns (shipping.md "Shipping zones"; markets.shipping_rules matches them).
    PATTERNS = (
        "country_code_regex",
        "not_country_code_regex",
        "state_code_regex",
        "not_state_code_regex",
        "zip_code_regex",
        "not_zip_code_regex",
    )

    name = models.CharField(max_length=255)
    country_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_country_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    state_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_state_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    zip_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_zip_code_regex = models.CharField(max_length=5000, null=True, blank=True)


class ShippingMethod(Resource):
    SCHEMES = [("flat", "flat"), ("weight_tiered", "weight_tiered"), ("external", "external")]
    CIRCUIT_STATES = [("closed", "closed"), ("open", "open")]

    name = models.CharField(max_length=255)
    scheme = models.CharField(max_length=32, choices=SCHEMES, default="flat")
    currency_code = models.CharField(max_length=3, null=True, blank=True)
    external_prices_url = models.URLField(max_length=2000, null=True, blank=True)
    price_amount_cents = models.BigIntegerField()
    free_over_amount_cents = models.BigIntegerField(null=True, blank=True)
    use_subtotal = models.BooleanField(default=False)
    min_weight = models.FloatField(null=True, blank=True)
    max_weight = models.FloatField(null=True, blank=True)
    unit_of_weight = models.CharField(
        max_length=2, choices=Sku.UNITS_OF_WEIGHT, null=True, blank=True
    )
    tax_code = models.CharField(max_length=255, null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    circuit_state = models.CharField(max_length=8, choices=CIRCUIT_STATES, default="closed")
    circuit_failure_count = models.PositiveIntegerField(default=0)
    shared_secret = models.CharField(max_length=64, default=new_shared_secret, editable=False)
    external_includes = models.JSONField(null=True, blank=True)
    secret_fields = ("shared_secret",)
    market = models.ForeignKey(
        "Market", on_delete=models.CASCADE, null=True, blank=True, related_name="shipping_methods"
    )
    shipping_zone = models.ForeignKey(
        ShippingZone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shipping_methods",
    )
    shipping_category = models.ForeignKey(
        ShippingCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shipping_methods",
    )
    stock_location = models.ForeignKey(
        StockLocation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shipping_methods",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0), name="shipping_method_price_gte_0"
            ),
        ]

    @property
    def effective_currency_code(self) -> str | None:
        if self.currency_code:
            return self.currency_code
        return self.market.price_list.currency_code if self.market_id else None

    @property
    def price_amount_for_shipment_cents(self) -> int | None:
        """What the method costs for the shipment that reached it, after free-over (shipping.md
        "What a method costs for a shipment"), set by that shipment's relationships
        (orders.views.shipment_methods) or a query's annotation; None for a method read on its
        own."""
        return self.__dict__.get("_price_for_shipment_cents")

    @price_amount_for_shipment_cents.setter
    def price_amount_for_shipment_cents(self, cents: int | None) -> None:
        self.__dict__["_price_for_shipment_cents"] = cents


class ShippingWeightTier(Resource):
    """A weight_tiered method's price up to a shipment weight (shipping.md "What a method costs
    for a shipment"): `up_to` in the method's `unit_of_weight`, null for the tier beyond every
    other; a weight equal to `up_to` takes that tier."""

    MAX_PER_METHOD = 5

    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.CASCADE, related_name="shipping_weight_tiers"
    )
    name = models.CharField(max_length=255)
    up_to = models.FloatField(null=True, blank=True)
    price_amount_cents = models.BigIntegerField()

    class Meta:
        ordering = [models.F("up_to").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipping_method", "up_to"], name="shipping_weight_tier_unique_up_to"
            ),
            models.UniqueConstraint(
                fields=["shipping_method"],
                condition=Q(up_to__isnull=True),
                name="shipping_weight_tier_one_open",
            ),
            models.CheckConstraint(
                condition=Q(up_to__isnull=True) | Q(up_to__gt=0),
                name="shipping_weight_tier_up_to_gt_0",
            ),
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0), name="shipping_weight_tier_amount_gte_0"
            ),
        ]

    @property
    def currency_code(self) -> str | None:
        return self.shipping_method.effective_currency_code


class DeliveryLeadTime(Resource):
    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.CASCADE, related_name="delivery_lead_times"
    )
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.CASCADE, related_name="delivery_lead_times"
    )
    min_hours = models.PositiveIntegerField()
    max_hours = models.PositiveIntegerField()

    @property
    def min_days(self) -> int:
        return round(self.min_hours / 24)

    @property
    def max_days(self) -> int:
        return round(self.max_hours / 24)


class PaymentGateway(Resource):
    """Every gateway kind in one table; `kind` is its JSON:API type. The fields after
    `disabled_at` are a Stripe gateway's (payments.md "Stripe"): `login` and
    `publishable_key` are write-only, never rendered, logged or shown."""

    KINDS = [
        ("manual_gateways", "manual_gateways"),
        ("stripe_gateways", "stripe_gateways"),
        ("external_gateways", "external_gateways"),
    ]
    secret_fields = ("login", "webhook_endpoint_secret", "shared_secret")
    # The payment source type each gateway kind's methods take (payments.md).
    SOURCE_TYPES = {
        "manual_gateways": "wire_transfers",
        "stripe_gateways": "stripe_payments",
        "external_gateways": "external_payments",
    }

    kind = models.CharField(max_length=64, choices=KINDS, default="manual_gateways")
    name = models.CharField(max_length=255)
    force_payments = models.BooleanField(default=False)
    disabled_at = models.DateTimeField(null=True, blank=True)
    login = models.CharField(max_length=255, blank=True, default="")
    publishable_key = models.CharField(max_length=255, blank=True, default="")
    connected_account = models.CharField(max_length=255, null=True, blank=True)
    auto_payments = models.BooleanField(default=False)
    webhook_endpoint_id = models.CharField(max_length=255, null=True, blank=True)
    webhook_endpoint_secret = models.CharField(max_length=255, null=True, blank=True)
    # An external gateway's (payments.md "External gateways"): the merchant's URLs, what its
    # payloads include besides the order, the secret signing them, and the circuit breaker.
    authorize_url = models.CharField(max_length=2048, null=True, blank=True)
    capture_url = models.CharField(max_length=2048, null=True, blank=True)
    void_url = models.CharField(max_length=2048, null=True, blank=True)
    refund_url = models.CharField(max_length=2048, null=True, blank=True)
    token_url = models.CharField(max_length=2048, null=True, blank=True)
    external_includes = models.JSONField(null=True, blank=True)
    shared_secret = models.CharField(max_length=64, default=new_shared_secret, editable=False)
    circuit_state = models.CharField(
        max_length=8, choices=ShippingMethod.CIRCUIT_STATES, default="closed"
    )
    circuit_failure_count = models.PositiveIntegerField(default=0)

    @property
    def credential_keys(self) -> dict:
        if self.kind == "stripe_gateways" and self.login:
            return {"login": "********" + self.login[-4:]}
        return {}

    @property
    def source_type(self) -> str:
        return self.SOURCE_TYPES[self.kind]

    @property
    def webhook_endpoint_url(self) -> str | None:
        """Where Stripe posts this gateway's events (payments.md "Webhooks")."""
        if self.kind != "stripe_gateways":
            return None
        base = settings.WEBHOOK_API_BASE_URL.rstrip("/")
        return f"{base}/webhook_callbacks/stripe_gateways/{self.public_id}"


class ManualGatewayManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="manual_gateways")


class ManualGateway(PaymentGateway):
    objects = ManualGatewayManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = "manual_gateways"
        super().save(*args, **kwargs)


class StripeGatewayManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="stripe_gateways")


class StripeGateway(PaymentGateway):
    objects = StripeGatewayManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = "stripe_gateways"
        super().save(*args, **kwargs)


class ExternalGatewayManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="external_gateways")


class ExternalGateway(PaymentGateway):
    objects = ExternalGatewayManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = "external_gateways"
        super().save(*args, **kwargs)


class PaymentMethod(Resource):
    PAYMENT_SOURCE_TYPES = [
        (t, t)
        for t in (
            "adyen_payments",
            "axerve_payments",
            "braintree_payments",
            "checkout_com_payments",
            "external_payments",
            "klarna_payments",
            "paypal_payments",
            "satispay_payments",
            "stripe_payments",
            "wire_transfers",
        )
    ]

    name = models.CharField(max_length=255, null=True, blank=True)
    payment_source_type = models.CharField(max_length=64, choices=PAYMENT_SOURCE_TYPES)
    currency_code = models.CharField(max_length=3, null=True, blank=True)
    moto = models.BooleanField(default=False)
    require_capture = models.BooleanField(default=True)
    auto_place = models.BooleanField(default=False)
    auto_capture = models.BooleanField(default=False)
    price_amount_cents = models.BigIntegerField(default=0)
    auto_capture_max_amount_cents = models.BigIntegerField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    market = models.ForeignKey(
        "Market", on_delete=models.CASCADE, null=True, blank=True, related_name="payment_methods"
    )
    payment_gateway = models.ForeignKey(
        PaymentGateway, on_delete=models.PROTECT, related_name="payment_methods"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0), name="payment_method_price_gte_0"
            ),
        ]

    @property
    def effective_currency_code(self) -> str | None:
        if self.currency_code:
            return self.currency_code
        return self.market.price_list.currency_code if self.market_id else None

    def clean(self):
        """A method's payment source type is the one its gateway takes (payments.md)."""
        super().clean()
        if self.payment_gateway_id is None or not self.payment_source_type:
            return
        takes = self.payment_gateway.source_type
        if self.payment_source_type != takes:
            kind = self.payment_gateway.kind
            raise DjangoValidationError(
                {"payment_source_type": f"is not taken by {kind}, which take {takes}"}
            )

    def available_to(self, market_id: int, currency_code: str) -> bool:
        """Whether an order of market `market_id` in `currency_code` may pay with this method
        (payments.md): the method and its gateway enabled, the method the order's market's (or
        every market's, without one) and of no currency or the order's."""
        return (
            self.disabled_at is None
            and self.payment_gateway.disabled_at is None
            and self.market_id in (None, market_id)
            and self.currency_code in (None, "", currency_code)
        )


class CustomerGroup(Resource):
    """A segment of customers; a market with a group is private: only its customers buy there
    (catalog.md "Customer groups and private markets")."""

    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, null=True, blank=True)

    def __str__(self):
        return self.name


class Market(Resource):
    number = models.PositiveIntegerField(unique=True, null=True, blank=True, editable=False)
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, unique=True, null=True, blank=True)
    facebook_pixel_id = models.CharField(max_length=255, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, null=True, blank=True)
    external_prices_url = models.URLField(max_length=2000, null=True, blank=True)
    external_order_validation_url = models.URLField(max_length=2000, null=True, blank=True)
    shipping_cost_cutoff = models.PositiveIntegerField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    shared_secret = models.CharField(max_length=64, default=new_shared_secret, editable=False)
    external_includes = models.JSONField(null=True, blank=True)
    secret_fields = ("shared_secret",)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="markets")
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="markets")
    inventory_model = models.ForeignKey(
        InventoryModel, on_delete=models.PROTECT, related_name="markets"
    )
    default_shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    default_payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tax_calculator = models.ForeignKey(
        "TaxCalculator", on_delete=models.SET_NULL, null=True, blank=True, related_name="markets"
    )
    customer_group = models.ForeignKey(
        CustomerGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="markets"
    )

    @property
    def private(self) -> bool:
        return self.customer_group_id is not None


class TaxCalculator(Resource):
    """Every tax calculator kind in one table; only manual ones are in scope."""

    KINDS = [("manual_tax_calculators", "manual_tax_calculators")]

    kind = models.CharField(max_length=64, choices=KINDS, default="manual_tax_calculators")
    name = models.CharField(max_length=255)


class ManualTaxCalculatorManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="manual_tax_calculators")


class ManualTaxCalculator(TaxCalculator):
    objects = ManualTaxCalculatorManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = "manual_tax_calculators"
        super().save(*args, **kwargs)


class TaxRule(Resource):
    """A rate for the addresses its regexes match; the first matching rule (by creation) wins."""

    manual_tax_calculator = models.ForeignKey(
        TaxCalculator, on_delete=models.CASCADE, related_name="tax_rules"
    )
    name = models.CharField(max_length=255)
    tax_rate = models.DecimalField(max_digits=9, decimal_places=6, default=0)
    freight_taxable = models.BooleanField(default=False)
    payment_method_taxable = models.BooleanField(default=False)
    gift_card_taxable = models.BooleanField(default=False)
    adjustment_taxable = models.BooleanField(default=False)
    country_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_country_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    state_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_state_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    zip_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    not_zip_code_regex = models.CharField(max_length=5000, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=1), name="tax_rule_rate_fraction"
            ),
        ]

    @property
    def breakdown(self) -> dict:
        return {}


class TaxCategory(Resource):
    code = models.CharField(max_length=255)
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="tax_categories")
    tax_calculator = models.ForeignKey(
        TaxCalculator, on_delete=models.CASCADE, related_name="tax_categories"
    )

    class Meta:
        verbose_name_plural = "tax categories"

    @property
    def sku_code(self) -> str:
        return self.sku.code


class Promotion(Resource):
    """Every promotion kind in one table (`kind` is its JSON:API type)."""

    KINDS = [
        ("percentage_discount_promotions", "percentage_discount_promotions"),
        ("fixed_amount_promotions", "fixed_amount_promotions"),
        ("free_shipping_promotions", "free_shipping_promotions"),
        ("buy_x_pay_y_promotions", "buy_x_pay_y_promotions"),
        ("free_gift_promotions", "free_gift_promotions"),
        ("fixed_price_promotions", "fixed_price_promotions"),
    ]
    # Kinds that need a `sku_list` (catalog.md "Promotions").
    LIST_KINDS = ("buy_x_pay_y_promotions", "free_gift_promotions", "fixed_price_promotions")

    kind = models.CharField(max_length=64, choices=KINDS)
    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3, null=True, blank=True)
    exclusive = models.BooleanField(default=False)
    priority = models.PositiveIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    total_usage_limit = models.PositiveIntegerField(null=True, blank=True)
    total_usage_count = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    percentage = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount_cents = models.BigIntegerField(null=True, blank=True)
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, null=True, blank=True, related_name="promotions"
    )
    # The lines it targets (catalog.md): required by LIST_KINDS, optional for the others.
    sku_list = models.ForeignKey(
        SkuList, on_delete=models.PROTECT, null=True, blank=True, related_name="promotions"
    )
    x = models.PositiveIntegerField(null=True, blank=True)  # buy_x_pay_y: buy x ...
    y = models.PositiveIntegerField(null=True, blank=True)  # ... pay y (x > y)
    cheapest_free = models.BooleanField(default=False)
    max_quantity = models.PositiveIntegerField(null=True, blank=True)  # free_gift, default 1

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__isnull=True)
                | (Q(percentage__gte=0) & Q(percentage__lte=100)),
                name="promotion_percentage_0_100",
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount_cents__isnull=True) | Q(fixed_amount_cents__gte=0),
                name="promotion_fixed_amount_gte_0",
            ),
        ]

    @property
    def total_usage_reached(self) -> bool:
        return self.total_usage_limit is not None and (
            self.total_usage_count >= self.total_usage_limit
        )

    def status_at(self, now) -> str:
        if self.disabled_at is not None:
            return "disabled"
        if self.expires_at <= now:
            return "expired"
        if self.starts_at > now:
            return "pending"
        if self.total_usage_reached:
            return "inactive"
        return "active"

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def weight(self) -> int:
        return 0

    @property
    def effective_currency_code(self) -> str | None:
        if self.currency_code:
            return self.currency_code
        return self.market.price_list.currency_code if self.market_id else None


def _promotion_proxy(kind_name: str, class_name: str):
    class Manager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(kind=kind_name)

    def save(self, *args, **kwargs):
        self.kind = kind_name
        models.Model.save(self, *args, **kwargs)

    meta = type("Meta", (), {"proxy": True})
    return type(
        class_name,
        (Promotion,),
        {
            "__module__": __name__,
            "Meta": meta,
            "objects": Manager(),
            "save": save,
        },
    )


PercentageDiscountPromotion = _promotion_proxy(
    "percentage_discount_promotions", "PercentageDiscountPromotion"
)
FixedAmountPromotion = _promotion_proxy("fixed_amount_promotions", "FixedAmountPromotion")
FreeShippingPromotion = _promotion_proxy("free_shipping_promotions", "FreeShippingPromotion")
BuyXPayYPromotion = _promotion_proxy("buy_x_pay_y_promotions", "BuyXPayYPromotion")
FreeGiftPromotion = _promotion_proxy("free_gift_promotions", "FreeGiftPromotion")
FixedPricePromotion = _promotion_proxy("fixed_price_promotions", "FixedPricePromotion")


class CouponCodesPromotionRule(Resource):
    """A promotion with this rule applies only to orders carrying one of its coupons."""

    promotion = models.OneToOneField(
        Promotion, on_delete=models.CASCADE, related_name="coupon_codes_promotion_rule"
    )

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Keep the coupons' denormalized `promotion` in step (see Coupon.promotion).
        self.coupons.exclude(promotion_id=self.promotion_id).update(promotion_id=self.promotion_id)


class Coupon(Resource):
    code = models.CharField(max_length=255, unique=True)
    customer_single_use = models.BooleanField(default=False)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    usage_count = models.PositiveIntegerField(default=0)
    recipient_email = models.EmailField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    promotion_rule = models.ForeignKey(
        CouponCodesPromotionRule, on_delete=models.CASCADE, related_name="coupons"
    )
    # Always promotion_rule.promotion, kept by save() here and in CouponCodesPromotionRule: a
    # real relation makes `promotion.coupons` prefetchable and scoped like any other, filterable
    # (`coupons_code_eq`) and countable without a join through the rule. Bulk writes that bypass
    # save() must set it themselves.
    promotion = models.ForeignKey(
        Promotion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="coupons",
    )

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.promotion_rule_id is not None and (
            update_fields is None or "promotion_rule" in update_fields
        ):
            self.promotion_id = self.promotion_rule.promotion_id
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "promotion"}
        super().save(*args, **kwargs)


class SkuListPromotionRule(Resource):
    """The promotion applies only when the order holds SKUs of `sku_list` (catalog.md
    "Rules"): `min_quantity` > 0 of them in all, else with `all_skus` every member, else any."""

    promotion = models.OneToOneField(
        Promotion, on_delete=models.CASCADE, related_name="sku_list_promotion_rule"
    )
    sku_list = models.ForeignKey(
        SkuList, on_delete=models.PROTECT, null=True, blank=True, related_name="promotion_rules"
    )
    all_skus = models.BooleanField(default=False)
    min_quantity = models.PositiveIntegerField(null=True, blank=True)


class OrderAmountPromotionRule(Resource):
    """The promotion applies only when the order's amount reaches `order_amount_cents`: the
    subtotal with `use_subtotal`, else the subtotal plus the discounts applied before it."""

    promotion = models.OneToOneField(
        Promotion, on_delete=models.CASCADE, related_name="order_amount_promotion_rule"
    )
    order_amount_cents = models.BigIntegerField(null=True, blank=True)
    use_subtotal = models.BooleanField(default=False)

    @property
    def currency_code(self) -> str | None:
        return self.promotion.effective_currency_code


class SkuOption(Resource):
    """An option a sku line may carry (engraving), priced per unit of the option (catalog.md
    "SKU options"): for SKUs whose code matches `sku_code_regex` (none: any), in `market` (none:
    any)."""

    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3, null=True, blank=True)
    description = models.TextField(max_length=5000, null=True, blank=True)
    price_amount_cents = models.BigIntegerField(default=0)
    delay_hours = models.PositiveIntegerField(null=True, blank=True)
    sku_code_regex = models.CharField(max_length=5000, null=True, blank=True)
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, null=True, blank=True, related_name="sku_options"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0), name="sku_option_amount_gte_0"
            ),
        ]

    @property
    def delay_days(self) -> int | None:
        return None if self.delay_hours is None else -(-self.delay_hours // 24)

    @property
    def effective_currency_code(self) -> str | None:
        if self.currency_code:
            return self.currency_code
        return self.market.price_list.currency_code if self.market_id else None


class Bundle(Resource):
    """A kit sold as one line (catalog.md "Bundles"): the SKUs of a manual `sku_list`, each
    `quantity` times per bundle, at the bundle's own price. `code` is unique per market, and
    among market-less bundles per currency (a line's `bundle_code` finds the order market's
    bundle, else a market-less one in the order's currency)."""

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, null=True, blank=True, related_name="bundles"
    )
    sku_list = models.ForeignKey(SkuList, on_delete=models.PROTECT, related_name="bundles")
    code = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3, null=True, blank=True)
    description = models.TextField(max_length=5000, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    price_amount_cents = models.BigIntegerField(null=True, blank=True)
    compare_at_amount_cents = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["market", "code"],
                condition=Q(market__isnull=False),
                name="bundle_code_unique_per_market",
            ),
            models.UniqueConstraint(
                fields=["currency_code", "code"],
                condition=Q(market__isnull=True),
                name="bundle_code_unique_without_market",
            ),
            models.CheckConstraint(
                condition=Q(price_amount_cents__gte=0) | Q(price_amount_cents__isnull=True),
                name="bundle_price_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(compare_at_amount_cents__gte=0)
                | Q(compare_at_amount_cents__isnull=True),
                name="bundle_compare_at_gte_0",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def effective_currency_code(self) -> str | None:
        if self.market_id:
            return self.market.price_list.currency_code
        return self.currency_code
