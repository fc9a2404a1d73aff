"""Orders and what hangs off them: customers, line items, shipments, payment sources and
transactions. Totals are stored integer cents computed by `orders.services.totals`; statuses move
only through `orders.services.statuses` and the tables of `orders.transitions`; transaction
balances are read through `orders.selectors.with_balances`."""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q

from commerce.models import Address, Resource
from inventory.models import (
    InventoryStockLocation,
    Package,
    ShippingCategory,
    Sku,
    StockItem,
    StockLocation,
    StockReservation,
)
from markets.models import (
    Bundle,
    CustomerGroup,
    Market,
    PaymentMethod,
    Promotion,
    ShippingMethod,
    SkuOption,
)
from orders.copies import COPY_OPTIONS, COPY_STATUSES
from orders.transitions import ORDER_STATUSES, is_cart, is_editable


class Customer(Resource):
    STATUSES = [("prospect", "prospect"), ("acquired", "acquired"), ("repeat", "repeat")]

    email = models.EmailField(max_length=254, unique=True)
    password = models.CharField(max_length=128, null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default="prospect")
    shopper_reference = models.CharField(max_length=255, null=True, blank=True)
    profile_id = models.CharField(max_length=255, null=True, blank=True)
    tax_exemption_code = models.CharField(max_length=255, null=True, blank=True)
    customer_group = models.ForeignKey(
        CustomerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )

    secret_fields = ("password",)  # a hash, never returned

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    def set_password(self, raw: str | None) -> None:
        self.password = make_password(raw) if raw else None

    def check_password(self, raw: str) -> bool:
        return bool(self.password) and check_password(raw, self.password)

    def __str__(self):
        return self.email


class CustomerAddress(Resource):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="customer_addresses"
    )
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="+")

    @property
    def name(self) -> str:
        return self.address.name

    @property
    def customer_email(self) -> str:
        return self.customer.email


def new_order_token() -> str:
    return secrets.token_hex(16)


PAYMENT_STATUSES = [
    "unpaid",
    "authorized",
    "partially_authorized",
    "paid",
    "partially_paid",
    "voided",
    "partially_voided",
    "refunded",
    "partially_refunded",
    "free",
]
FULFILLMENT_STATUSES = ["unfulfilled", "in_progress", "fulfilled", "not_required"]

# Money figures of an order, all integer cents (the float and formatted mirrors are derived).
ORDER_MONEY = [
    "subtotal_amount",
    "shipping_amount",
    "payment_method_amount",
    "discount_amount",
    "adjustment_amount",
    "gift_card_amount",
    "total_tax_amount",
    "subtotal_tax_amount",
    "shipping_tax_amount",
    "payment_method_tax_amount",
    "adjustment_tax_amount",
    "discount_tax_amount",
    "total_amount",
    "total_taxable_amount",
    "subtotal_taxable_amount",
    "shipping_taxable_amount",
    "payment_method_taxable_amount",
    "adjustment_taxable_amount",
    "discount_taxable_amount",
    "total_amount_with_taxes",
    "fees_amount",
    "duty_amount",
    "place_total_amount",
]


class CustomerPasswordReset(Resource):
    """A password reset (aftersale.md §5): the token is shown once, when the reset is made, and
    kept only as its SHA-256 (random, 256 bits: no slow hash needed). A reset for an unknown
    email has no customer, and its token never works."""

    LIFETIME_HOURS = 6

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer_email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    reset_password_at = models.DateTimeField(null=True, blank=True)

    secret_fields = ("token_hash",)

    def __str__(self) -> str:
        return self.customer_email


class Order(Resource):
    number = models.CharField(max_length=64, unique=True)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    customer_email = models.EmailField(max_length=254, null=True, blank=True)
    guest = models.BooleanField(default=True)
    # The API client that created the order (guest orders are reached by id through it).
    application_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=[(s, s) for s in ORDER_STATUSES], default="draft", db_index=True
    )
    payment_status = models.CharField(
        max_length=24, choices=[(s, s) for s in PAYMENT_STATUSES], default="unpaid", db_index=True
    )
    fulfillment_status = models.CharField(
        max_length=16,
        choices=[(s, s) for s in FULFILLMENT_STATUSES],
        default="unfulfilled",
        db_index=True,
    )
    affiliate_code = models.CharField(max_length=255, null=True, blank=True)
    autorefresh = models.BooleanField(default=True)
    place_async = models.BooleanField(default=False)
    language_code = models.CharField(max_length=8, null=True, blank=True)
    currency_code = models.CharField(max_length=3)
    tax_included = models.BooleanField(default=False)
    tax_rate = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    freight_taxable = models.BooleanField(null=True, blank=True)
    payment_method_taxable = models.BooleanField(null=True, blank=True)
    adjustment_taxable = models.BooleanField(null=True, blank=True)
    gift_card_taxable = models.BooleanField(null=True, blank=True)
    shipping_country_code_lock = models.CharField(max_length=2, null=True, blank=True)
    coupon_code = models.CharField(max_length=255, null=True, blank=True)
    gift_card_code = models.CharField(max_length=255, null=True, blank=True)
    token = models.CharField(max_length=64, default=new_order_token, editable=False)
    cart_url = models.URLField(max_length=2000, null=True, blank=True)
    return_url = models.URLField(max_length=2000, null=True, blank=True)
    terms_url = models.URLField(max_length=2000, null=True, blank=True)
    privacy_url = models.URLField(max_length=2000, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiration_info = models.JSONField(null=True, blank=True)
    shipping_address = models.ForeignKey(
        Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    billing_address = models.ForeignKey(
        Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    payment_source = models.ForeignKey(
        "PaymentSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorization_amount_cents = models.BigIntegerField(null=True, blank=True)
    # `_save_payment_source_to_customer_wallet` sent before `_place`: saved once authorized.
    save_source_to_wallet = models.BooleanField(default=False)
    placed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    payment_updated_at = models.DateTimeField(null=True, blank=True)
    fulfillment_updated_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # Stored figures (integer cents), recomputed by refresh_order and frozen once placed.
    subtotal_amount_cents = models.BigIntegerField(default=0)
    shipping_amount_cents = models.BigIntegerField(default=0)
    payment_method_amount_cents = models.BigIntegerField(default=0)
    discount_amount_cents = models.BigIntegerField(default=0)
    adjustment_amount_cents = models.BigIntegerField(default=0)
    gift_card_amount_cents = models.BigIntegerField(default=0)
    total_tax_amount_cents = models.BigIntegerField(default=0)
    subtotal_tax_amount_cents = models.BigIntegerField(default=0)
    shipping_tax_amount_cents = models.BigIntegerField(default=0)
    payment_method_tax_amount_cents = models.BigIntegerField(default=0)
    adjustment_tax_amount_cents = models.BigIntegerField(default=0)
    discount_tax_amount_cents = models.BigIntegerField(default=0)
    total_amount_cents = models.BigIntegerField(default=0)
    total_taxable_amount_cents = models.BigIntegerField(default=0)
    subtotal_taxable_amount_cents = models.BigIntegerField(default=0)
    shipping_taxable_amount_cents = models.BigIntegerField(default=0)
    payment_method_taxable_amount_cents = models.BigIntegerField(default=0)
    adjustment_taxable_amount_cents = models.BigIntegerField(default=0)
    discount_taxable_amount_cents = models.BigIntegerField(default=0)
    total_amount_with_taxes_cents = models.BigIntegerField(default=0)
    fees_amount_cents = models.BigIntegerField(default=0)
    duty_amount_cents = models.BigIntegerField(default=0)
    place_total_amount_cents = models.BigIntegerField(default=0)
    skus_count = models.PositiveIntegerField(default=0)
    shipments_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount_cents__gte=0), name="order_total_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(total_amount_with_taxes_cents__gte=0),
                name="order_total_with_taxes_gte_0",
            ),
        ]

    def __str__(self):
        return f"#{self.number}"

    @property
    def editable(self) -> bool:
        """A cart, or an order an operator is editing (aftersale.md §1)."""
        return is_editable(self.status)

    @property
    def amount_to_authorize(self) -> int:
        """`_authorization_amount_cents`, else the total with taxes (payments.md)."""
        amount = self.authorization_amount_cents
        return self.total_amount_with_taxes_cents if amount is None else amount

    @property
    def customer_type(self) -> str | None:
        return None

    @property
    def country_code(self) -> str | None:
        address = self.shipping_address or self.billing_address
        return address.country_code if address else None

    @property
    def requires_billing_info(self) -> bool:
        return False

    @property
    def checkout_url(self) -> str | None:
        return None

    @property
    def payment_source_details(self) -> dict | None:
        source = self.payment_source
        return {"type": source.kind} if source else None


LINE_ITEM_TYPES = [
    "skus",
    "bundles",
    "gift_cards",
    "shipments",
    "payment_methods",
    "adjustments",
    "percentage_discount_promotions",
    "free_shipping_promotions",
    "fixed_amount_promotions",
    "buy_x_pay_y_promotions",
    "free_gift_promotions",
    "fixed_price_promotions",
]


class Adjustment(Resource):
    """An operator's manual amount, either sign (aftersale.md §2), added to an order as a line
    item; a line keeps the amount it had when added."""

    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3)
    amount_cents = models.BigIntegerField()
    distribute_discount = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="adjustment_not_zero")
        ]


class LineItem(Resource):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="line_items")
    item_type = models.CharField(
        max_length=48, choices=[(t, t) for t in LINE_ITEM_TYPES], default="skus", db_index=True
    )
    sku = models.ForeignKey(
        Sku, on_delete=models.PROTECT, null=True, blank=True, related_name="line_items"
    )
    sku_code = models.CharField(max_length=255, null=True, blank=True)
    bundle_code = models.CharField(max_length=255, null=True, blank=True)
    promotion = models.ForeignKey(
        Promotion, on_delete=models.PROTECT, null=True, blank=True, related_name="line_items"
    )
    shipment = models.ForeignKey(
        "Shipment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.PROTECT, null=True, blank=True, related_name="line_items"
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="line_items"
    )
    # A `gift_cards` line: the card bought (a positive unit), or the card redeemed (catalog.md
    # "Gift cards": a system line of minus the amount it pays).
    gift_card = models.ForeignKey(
        "GiftCard", on_delete=models.PROTECT, null=True, blank=True, related_name="line_items"
    )
    quantity = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=255, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    frequency = models.CharField(max_length=64, null=True, blank=True)
    coupon_code = models.CharField(max_length=255, null=True, blank=True)
    unit_amount_cents = models.BigIntegerField(default=0)
    compare_at_amount_cents = models.BigIntegerField(null=True, blank=True)
    options_amount_cents = models.BigIntegerField(default=0)
    total_amount_cents = models.BigIntegerField(default=0)
    discount_cents = models.BigIntegerField(default=0)
    tax_amount_cents = models.BigIntegerField(default=0)
    tax_rate = models.DecimalField(max_digits=9, decimal_places=6, default=0)
    tax_breakdown = models.JSONField(null=True, blank=True)
    discount_breakdown = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=100_000),
                name="line_item_quantity_range",
            ),
        ]

    @property
    def currency_code(self) -> str:
        return self.order.currency_code

    @property
    def item(self):
        return (
            self.sku
            or self.bundle
            or self.gift_card
            or self.promotion
            or self.shipment
            or self.payment_method
            or self.adjustment
        )


class LineItemOption(Resource):
    """A SKU option chosen on a sku line (catalog.md "SKU options"): total = unit x quantity;
    the line's `options_amount_cents` is the sum of its options' totals, kept by the one
    service that writes options (orders.services.options)."""

    line_item = models.ForeignKey(
        LineItem, on_delete=models.CASCADE, related_name="line_item_options"
    )
    sku_option = models.ForeignKey(
        SkuOption, on_delete=models.PROTECT, related_name="line_item_options"
    )
    name = models.CharField(max_length=255, null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_amount_cents = models.BigIntegerField(default=0)
    total_amount_cents = models.BigIntegerField(default=0)
    options = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=100_000),
                name="line_item_option_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_amount_cents__gte=0), name="line_item_option_unit_gte_0"
            ),
        ]

    @property
    def currency_code(self) -> str:
        return self.line_item.order.currency_code

    @property
    def delay_hours(self) -> int | None:
        return self.sku_option.delay_hours

    @property
    def delay_days(self) -> int | None:
        return self.sku_option.delay_days


GIFT_CARD_STATUSES = ["draft", "inactive", "active", "redeemed"]


class GiftCardRecipient(Resource):
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=255, null=True, blank=True)
    last_name = models.CharField(max_length=255, null=True, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gift_card_recipients",
    )

    def __str__(self):
        return self.email


class GiftCard(Resource):
    """A prepaid balance with a code (catalog.md "Gift cards"). `balance_cents` is set at
    creation; after that only its triggers, a redemption at `_place` and its restoration on a
    cancel or full refund change it, each with a `balance_log` entry."""

    status = models.CharField(
        max_length=16,
        choices=[(s, s) for s in GIFT_CARD_STATUSES],
        default="draft",
        db_index=True,
    )
    code = models.CharField(max_length=255, unique=True)
    currency_code = models.CharField(max_length=3)
    initial_balance_cents = models.BigIntegerField(default=0)
    balance_cents = models.BigIntegerField(default=0)
    balance_max_cents = models.BigIntegerField(null=True, blank=True)
    # [{"datetime", "balance_change_cents", "order_id"}], oldest first
    balance_log = models.JSONField(default=list)
    # {order id: {...}}: what each order took
    usage_log = models.JSONField(default=dict)
    single_use = models.BooleanField(default=False)
    rechargeable = models.BooleanField(default=True)
    distribute_discount = models.BooleanField(default=False)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, null=True, blank=True, related_name="gift_cards"
    )
    gift_card_recipient = models.ForeignKey(
        GiftCardRecipient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gift_cards",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_cents__gte=0), name="gift_card_balance_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(initial_balance_cents__gte=0), name="gift_card_initial_balance_gte_0"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def recipient_email(self) -> str | None:
        recipient = self.gift_card_recipient
        return recipient.email if recipient is not None else None


SHIPMENT_STATUSES = [
    "draft",
    "upcoming",
    "cancelled",
    "on_hold",
    "picking",
    "packing",
    "ready_to_ship",
    "shipped",
    "delivered",
]


class Shipment(Resource):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    number = models.CharField(max_length=80)
    status = models.CharField(
        max_length=16, choices=[(s, s) for s in SHIPMENT_STATUSES], default="draft", db_index=True
    )
    shipping_category = models.ForeignKey(
        ShippingCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inventory_stock_location = models.ForeignKey(
        InventoryStockLocation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shipments",
    )
    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="shipments"
    )
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="shipments"
    )
    # True when a client (or operator) set `shipping_method`: the backend never replaces it
    # (shipping.md "Availability"); False when it is the backend's own pick.
    shipping_method_chosen = models.BooleanField(default=False)
    cost_amount_cents = models.BigIntegerField(default=0)
    # The `external` scheme's last answer (shipping.md): its price, and a digest of what it
    # depended on (stock line items, shipping address, method), so an unchanged shipment is not
    # asked again.
    external_price_cents = models.BigIntegerField(null=True, blank=True)
    external_price_key = models.CharField(max_length=64, null=True, blank=True)
    # The last parcel number given (`<number>/P/<nnn>`): numbers are never reused.
    parcels_numbered = models.PositiveIntegerField(default=0)
    selected_rate_id = models.CharField(max_length=255, null=True, blank=True)
    on_hold_at = models.DateTimeField(null=True, blank=True)
    picking_at = models.DateTimeField(null=True, blank=True)
    packing_at = models.DateTimeField(null=True, blank=True)
    ready_to_ship_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.number

    @property
    def currency_code(self) -> str:
        return self.order.currency_code

    @property
    def skus_count(self) -> int:
        return sum(s.quantity for s in self.stock_line_items.all())


class StockLineItem(Resource):
    """Which part of a line item ships from which stock location (inside one shipment)."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="stock_line_items"
    )
    line_item = models.ForeignKey(
        LineItem, on_delete=models.CASCADE, related_name="stock_line_items"
    )
    stock_item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, null=True, blank=True, related_name="stock_line_items"
    )
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_line_items")
    sku_code = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    stock_reservation = models.OneToOneField(
        StockReservation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_line_item",
    )

    class Meta:
        ordering = ["created_at", "id"]

    # A sku line's stock line item is named as its line; a bundle component's as its SKU (the
    # bundle line's name is the kit's, not what this row ships).
    @property
    def name(self) -> str | None:
        return self.sku.name if self.line_item.item_type == "bundles" else self.line_item.name

    @property
    def image_url(self) -> str | None:
        line = self.line_item
        return self.sku.image_url if line.item_type == "bundles" else line.image_url


class Parcel(Resource):
    """One physical box of a shipment (shipping.md "Packages, parcels, parcel line items"):
    customs fields are stored, not interpreted."""

    UNITS_OF_WEIGHT = Sku.UNITS_OF_WEIGHT
    NON_DELIVERY_OPTIONS = [("return", "return"), ("abandon", "abandon")]
    RESTRICTION_TYPES = [
        ("none", "none"),
        ("other", "other"),
        ("quarantine", "quarantine"),
        ("sanitary_phytosanitary_inspection", "sanitary_phytosanitary_inspection"),
    ]
    LABEL_FILE_TYPES = [
        ("application/pdf", "application/pdf"),
        ("application/zpl", "application/zpl"),
        ("application/epl2", "application/epl2"),
        ("image/png", "image/png"),
    ]

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="parcels")
    number = models.CharField(max_length=100)
    weight = models.FloatField()
    unit_of_weight = models.CharField(max_length=2, choices=UNITS_OF_WEIGHT)
    eel_pfc = models.CharField(max_length=255, null=True, blank=True)
    contents_type = models.CharField(max_length=255, null=True, blank=True)
    contents_explanation = models.CharField(max_length=2000, null=True, blank=True)
    customs_certify = models.BooleanField(null=True, blank=True)
    customs_signer = models.CharField(max_length=255, null=True, blank=True)
    non_delivery_option = models.CharField(
        max_length=8, choices=NON_DELIVERY_OPTIONS, null=True, blank=True
    )
    restriction_type = models.CharField(
        max_length=40, choices=RESTRICTION_TYPES, null=True, blank=True
    )
    restriction_comments = models.CharField(max_length=2000, null=True, blank=True)
    customs_info_required = models.BooleanField(null=True, blank=True)
    shipping_label_url = models.URLField(max_length=2000, null=True, blank=True)
    shipping_label_file_type = models.CharField(
        max_length=20, choices=LABEL_FILE_TYPES, null=True, blank=True
    )
    shipping_label_size = models.CharField(max_length=255, null=True, blank=True)
    shipping_label_resolution = models.CharField(max_length=255, null=True, blank=True)
    tracking_number = models.CharField(max_length=255, null=True, blank=True)
    tracking_status = models.CharField(max_length=255, null=True, blank=True)
    tracking_status_detail = models.CharField(max_length=2000, null=True, blank=True)
    tracking_status_updated_at = models.DateTimeField(null=True, blank=True)
    tracking_details = models.JSONField(null=True, blank=True)
    carrier_weight_oz = models.CharField(max_length=255, null=True, blank=True)
    signed_by = models.CharField(max_length=255, null=True, blank=True)
    incoterm = models.CharField(max_length=255, null=True, blank=True)
    delivery_confirmation = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "number"], name="parcel_number_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="parcel_weight_gt_0"),
        ]

    def __str__(self):
        return self.number


class ParcelLineItem(Resource):
    """Units of one stock line item of the parcel's shipment packed into the parcel; what it
    shows (`sku_code`, `name`, `image_url`) is copied from the stock line item."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="parcel_line_items")
    stock_line_item = models.ForeignKey(
        StockLineItem, on_delete=models.CASCADE, related_name="parcel_line_items"
    )
    quantity = models.PositiveIntegerField()
    sku_code = models.CharField(max_length=255, null=True, blank=True)
    bundle_code = models.CharField(max_length=255, null=True, blank=True)
    name = models.CharField(max_length=255, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="parcel_line_item_quantity_gte_1"
            ),
        ]


class HeldReservation(models.Model):
    """A reservation an order being edited keeps while its lines change (aftersale.md §1).

    A reservation hangs from its stock line item, and editing rebuilds those: a removed line
    takes its stock line items with it, yet its units stay held until `_stop_editing` swaps the
    order's old reservations for new ones. These rows, written at `_start_editing`, are the
    order's reservations until then (orders.services.stock)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="held_reservations")
    stock_reservation = models.OneToOneField(
        StockReservation, on_delete=models.CASCADE, related_name="held_by"
    )

    def __str__(self) -> str:
        return f"{self.stock_reservation_id} held by order {self.order_id}"


class PaymentSource(Resource):
    """A payment source of an order; `kind` is its JSON:API type. The fields after `order` are
    a Stripe payment's (payments.md "Stripe"): its PaymentIntent (`stripe_id`,
    `client_secret`) and what was last read of it (`intent_*`, `charge_id`, the card)."""

    KINDS = [
        ("wire_transfers", "wire_transfers"),
        ("stripe_payments", "stripe_payments"),
        ("external_payments", "external_payments"),
    ]
    secret_fields = ("client_secret",)
    shared_secret_fields = ("client_secret",)  # for the shopper's Stripe.js

    kind = models.CharField(max_length=32, choices=KINDS, default="wire_transfers")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payment_sources")
    payment_gateway = models.ForeignKey(
        "markets.PaymentGateway",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_sources",
    )
    stripe_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    client_secret = models.CharField(max_length=255, null=True, blank=True)
    options = models.JSONField(null=True, blank=True)
    return_url = models.CharField(max_length=2048, null=True, blank=True)
    receipt_email = models.CharField(max_length=255, null=True, blank=True)
    charge_id = models.CharField(max_length=255, null=True, blank=True)
    payment_method = models.JSONField(null=True, blank=True)
    card = models.JSONField(null=True, blank=True)
    intent_status = models.CharField(max_length=64, null=True, blank=True)
    intent_amount_cents = models.IntegerField(null=True, blank=True)
    intent_currency_code = models.CharField(max_length=3, null=True, blank=True)
    # An external payment's: the token the storefront obtained from the PSP.
    payment_source_token = models.CharField(max_length=255, null=True, blank=True)
    # The customer's wallet entry this payment was made from (`_customer_payment_source_id`).
    wallet = models.ForeignKey(
        "orders.CustomerPaymentSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    @property
    def mismatched_amounts(self) -> bool:
        """A cart's PaymentIntent for another amount or currency than the order's now."""
        if self.kind != "stripe_payments" or self.intent_amount_cents is None:
            return False
        order = self.order
        if not is_cart(order.status):  # placed: the intent authorized is the order's
            return False
        wanted = (order.amount_to_authorize, order.currency_code)
        return (self.intent_amount_cents, self.intent_currency_code) != wanted

    @property
    def payment_instrument(self) -> dict:
        if self.kind == "stripe_payments":
            return {"issuer_type": "card", **(self.card or {})}
        if self.kind == "external_payments":
            return {"issuer_type": "external"}
        return {"issuer_type": "wire_transfer"}


TRANSACTION_KINDS = ["authorizations", "captures", "voids", "refunds"]


class Transaction(Resource):
    kind = models.CharField(max_length=16, choices=[(k, k) for k in TRANSACTION_KINDS])
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="transactions")
    payment_source = models.ForeignKey(
        PaymentSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="transactions"
    )
    number = models.CharField(max_length=80)
    payment_method_type = models.CharField(max_length=64, null=True, blank=True)
    currency_code = models.CharField(max_length=3)
    amount_cents = models.BigIntegerField()
    succeeded = models.BooleanField(default=True)
    message = models.CharField(max_length=255, null=True, blank=True)
    error_code = models.CharField(max_length=64, null=True, blank=True)
    error_detail = models.CharField(max_length=255, null=True, blank=True)
    token = models.CharField(max_length=64, null=True, blank=True)
    gateway_transaction_id = models.CharField(max_length=255, null=True, blank=True)
    reference_authorization = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reference_capture = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A call without an answer that a later read of the gateway settled (`_refresh`, a
    # webhook): it counts as answered, so the next attempt takes a new idempotency key
    # (payments.md rule 5: Stripe replays even its 500s under the old one).
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="transaction_amount_gte_0"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def resource_type_name(self) -> str:
        """Its JSON:API type (`authorizations`, `captures` ...), also in mixed lists."""
        return self.kind


class StripeEvent(models.Model):
    """A Stripe webhook event a gateway received and processed (payments.md "Webhooks"): kept so
    that an event delivered again is answered without being processed twice."""

    gateway = models.ForeignKey(
        "markets.PaymentGateway", on_delete=models.CASCADE, related_name="+"
    )
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=128)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="stripe_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class CustomerPaymentSource(Resource):
    """An entry of a customer's wallet (payments.md "Customer payment sources"): the gateway's
    tokens of a payment source saved from one of the customer's orders, to pay later orders
    with (`_customer_payment_source_id`). Deleting it forgets it here only."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="customer_payment_sources"
    )
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_source = models.ForeignKey(
        PaymentSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=255, null=True, blank=True)
    customer_token = models.CharField(max_length=255, null=True, blank=True)
    payment_source_token = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        constraints = [
            # "The same token twice is one row."
            models.UniqueConstraint(
                fields=["customer", "payment_method", "payment_source_token"],
                condition=Q(payment_source_token__isnull=False),
                name="wallet_token_once",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.public_id


class GatewayCustomer(models.Model):
    """A customer's counterpart at a gateway (a Stripe Customer), made once per customer and
    gateway, the first time a payment of theirs is to be saved to the wallet."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    gateway = models.ForeignKey(
        "markets.PaymentGateway", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "gateway"], name="gateway_customer_once")
        ]

    def __str__(self) -> str:
        return self.token


class PaymentOption(Resource):
    """Gateway-specific data of an order's payment (payments.md): merged into a Stripe
    PaymentIntent's parameters, sent in `included` to an external gateway; only the options of
    the order's payment source type are used."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payment_options")
    name = models.CharField(max_length=255, null=True, blank=True)
    payment_source_type = models.CharField(
        max_length=64, choices=PaymentMethod.PAYMENT_SOURCE_TYPES
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name or self.public_id


class OrderCopy(Resource):
    """A reorder (aftersale.md §4): the API makes it `pending` with its options, the task
    worker copies the source order into a new target order once (orders.services.copies).
    `errors_log` is `{name: [messages]}`. Deleting the source leaves the copy (`aborted` if it
    had not run yet); deleting the target leaves it too."""

    source_order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, related_name="order_copies"
    )
    target_order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=[(s, s) for s in COPY_STATUSES], default="pending", db_index=True
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    errors_log = models.JSONField(null=True, blank=True)
    errors_count = models.PositiveIntegerField(null=True, blank=True)
    place_target_order = models.BooleanField(default=COPY_OPTIONS["place_target_order"])
    reuse_wallet = models.BooleanField(default=COPY_OPTIONS["reuse_wallet"])
    cancel_source_order = models.BooleanField(default=COPY_OPTIONS["cancel_source_order"])
    apply_promotions = models.BooleanField(default=COPY_OPTIONS["apply_promotions"])
    skip_errors = models.BooleanField(default=COPY_OPTIONS["skip_errors"])
    ignore_invalid_coupon = models.BooleanField(default=COPY_OPTIONS["ignore_invalid_coupon"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "order copies"
