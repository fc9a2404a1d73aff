from rest_framework import serializers

from commerce import codes
from commerce.jsonapi.fields import MetadataField, StrictCharField, StrictIntegerField
from commerce.jsonapi.serializers import CENTS_MAX, ResourceSerializer
from orders.copies import COPY_OPTIONS, INTEGRATION_ONLY_OPTIONS
from orders.models import (
    ORDER_MONEY,
    Adjustment,
    Customer,
    CustomerAddress,
    CustomerPasswordReset,
    CustomerPaymentSource,
    LineItem,
    LineItemOption,
    Order,
    OrderCopy,
    PaymentOption,
    PaymentSource,
    Shipment,
    StockLineItem,
    Transaction,
)


class RateField(serializers.Field):
    """A Decimal fraction rendered as a JSON number (0.0825)."""

    def to_representation(self, value):
        return None if value is None else float(value)


class CustomerSerializer(ResourceSerializer):
    password = StrictCharField(write_only=True, required=False, min_length=8, max_length=128)

    class Meta:
        model = Customer
        fields = [
            "email",
            "status",
            "has_password",
            "total_orders_count",
            "shopper_reference",
            "profile_id",
            "tax_exemption_code",
            "password",
        ]
        read_only_fields = ["status"]

    total_orders_count = serializers.SerializerMethodField()

    def get_total_orders_count(self, customer) -> int:
        return getattr(customer, "placed_orders_count", 0) or 0


class CustomerAddressSerializer(ResourceSerializer):
    customer_email = StrictCharField(required=False, max_length=254)

    class Meta:
        model = CustomerAddress
        fields = ["name", "customer_email"]
        create_only_fields = ["customer_email"]


class OrderSerializer(ResourceSerializer):
    money = {name: "currency_code" for name in ORDER_MONEY}
    tax_rate = RateField(read_only=True)
    customer_password = StrictCharField(
        write_only=True, required=False, min_length=8, max_length=128
    )

    class Meta:
        model = Order
        fields = [
            "number",
            "affiliate_code",
            "autorefresh",
            "place_async",
            "status",
            "payment_status",
            "fulfillment_status",
            "guest",
            "editable",
            "customer_email",
            "customer_type",
            "language_code",
            "currency_code",
            "tax_included",
            "tax_rate",
            "freight_taxable",
            "payment_method_taxable",
            "adjustment_taxable",
            "gift_card_taxable",
            "requires_billing_info",
            "country_code",
            "shipping_country_code_lock",
            "coupon_code",
            "gift_card_code",
            *[f"{m}_cents" for m in ORDER_MONEY],
            "skus_count",
            "shipments_count",
            "payment_source_details",
            "token",
            "cart_url",
            "return_url",
            "terms_url",
            "privacy_url",
            "checkout_url",
            "placed_at",
            "approved_at",
            "cancelled_at",
            "payment_updated_at",
            "fulfillment_updated_at",
            "refreshed_at",
            "archived_at",
            "expires_at",
            "expiration_info",
            "customer_password",
        ]
        read_only_fields = [
            "status",
            "payment_status",
            "fulfillment_status",
            "currency_code",
            "tax_included",
            "token",
            "placed_at",
            "approved_at",
            "cancelled_at",
            "payment_updated_at",
            "fulfillment_updated_at",
            "refreshed_at",
            "archived_at",
            "skus_count",
            "shipments_count",
            *[f"{m}_cents" for m in ORDER_MONEY],
        ]
        integration_only_fields = ["number", "guest", "expires_at", "expiration_info"]
        extra_kwargs = {"number": {"required": False}}

    def validate_language_code(self, value):
        return codes.language_code(value)


LINE_QUANTITY_MAX = 100_000


class LineItemSerializer(ResourceSerializer):
    money = {
        name: "currency_code"
        for name in (
            "unit_amount",
            "compare_at_amount",
            "options_amount",
            "discount",
            "total_amount",
            "tax_amount",
        )
    }
    tax_rate = RateField(read_only=True)
    sku_code = StrictCharField(required=False, max_length=255)

    class Meta:
        model = LineItem
        fields = [
            "sku_code",
            "bundle_code",
            "quantity",
            "currency_code",
            "unit_amount_cents",
            "compare_at_amount_cents",
            "options_amount_cents",
            "discount_cents",
            "total_amount_cents",
            "tax_amount_cents",
            "name",
            "image_url",
            "discount_breakdown",
            "tax_rate",
            "tax_breakdown",
            "item_type",
            "frequency",
            "coupon_code",
        ]
        read_only_fields = [
            "currency_code",
            "discount_cents",
            "total_amount_cents",
            "tax_amount_cents",
            "discount_breakdown",
            "tax_breakdown",
            "coupon_code",
        ]
        # A line's bundle is chosen when it is made (catalog.md "Bundles"): by `bundle_code`.
        create_only_fields = ["item_type", "bundle_code"]
        integration_only_fields = ["unit_amount_cents", "options_amount_cents"]
        extra_kwargs = {"quantity": {"min_value": 1, "max_value": LINE_QUANTITY_MAX}}


class LineItemOptionSerializer(ResourceSerializer):
    """catalog.md "SKU options": `unit_amount_cents` is the option's price unless an integration
    token sends its own; the total and the delays are derived."""

    money = {"unit_amount": "currency_code", "total_amount": "currency_code"}
    currency_code = serializers.CharField(read_only=True)
    delay_hours = serializers.IntegerField(read_only=True)
    delay_days = serializers.IntegerField(read_only=True)
    options = MetadataField()

    class Meta:
        model = LineItemOption
        fields = [
            "name",
            "quantity",
            "currency_code",
            "unit_amount_cents",
            "total_amount_cents",
            "delay_hours",
            "delay_days",
            "options",
        ]
        read_only_fields = ["total_amount_cents"]
        integration_only_fields = ["unit_amount_cents"]
        extra_kwargs = {"quantity": {"required": True, "min_value": 1, "max_value": 100_000}}


class ShipmentSerializer(ResourceSerializer):
    money = {"cost_amount": "currency_code"}

    class Meta:
        model = Shipment
        fields = [
            "number",
            "status",
            "currency_code",
            "cost_amount_cents",
            "skus_count",
            "selected_rate_id",
            "on_hold_at",
            "picking_at",
            "packing_at",
            "ready_to_ship_at",
            "shipped_at",
            "delivered_at",
        ]
        read_only_fields = [
            "status",
            "currency_code",
            "cost_amount_cents",
            "on_hold_at",
            "picking_at",
            "packing_at",
            "ready_to_ship_at",
            "shipped_at",
            "delivered_at",
        ]
        integration_only_fields = ["number"]
        update_only_fields = ["number", "selected_rate_id"]


class StockLineItemSerializer(ResourceSerializer):
    # A bundle's component names its bundle (its line's code); null for a sku line's.
    bundle_code = StrictCharField(source="line_item.bundle_code", read_only=True)

    class Meta:
        model = StockLineItem
        fields = ["sku_code", "bundle_code", "quantity", "name", "image_url"]
        read_only_fields = ["sku_code", "quantity"]


class WireTransferSerializer(ResourceSerializer):
    class Meta:
        model = PaymentSource
        fields = ["payment_instrument"]


class ExternalPaymentSerializer(ResourceSerializer):
    """payments.md "External gateways": the token the storefront obtained from the PSP."""

    payment_source_token = StrictCharField(max_length=255)
    options = MetadataField(required=False, allow_null=True)
    payment_instrument = serializers.JSONField(read_only=True)

    class Meta:
        model = PaymentSource
        fields = ["payment_source_token", "options", "payment_instrument"]
        create_only_fields = ["payment_source_token"]


class StripePaymentSerializer(ResourceSerializer):
    """payments.md "Stripe": what the storefront's Stripe.js needs (`client_secret`,
    `publishable_key`) and what was read of the PaymentIntent."""

    connected_account = serializers.CharField(
        source="payment_gateway.connected_account", read_only=True, default=None
    )
    publishable_key = serializers.CharField(
        source="payment_gateway.publishable_key", read_only=True, default=None
    )
    on_behalf_of = serializers.SerializerMethodField()
    transfer_group = serializers.SerializerMethodField()
    mismatched_amounts = serializers.BooleanField(read_only=True)
    options = MetadataField(required=False, allow_null=True)
    payment_instrument = serializers.JSONField(read_only=True)

    class Meta:
        model = PaymentSource
        fields = [
            "stripe_id",
            "client_secret",
            "connected_account",
            "charge_id",
            "publishable_key",
            "on_behalf_of",
            "transfer_group",
            "options",
            "payment_method",
            "mismatched_amounts",
            "return_url",
            "receipt_email",
            "payment_instrument",
        ]
        read_only_fields = ["charge_id", "payment_method"]
        create_only_fields = ["stripe_id", "client_secret", "receipt_email"]

    def get_on_behalf_of(self, source) -> None:
        return None  # Connect's on_behalf_of is not sent (payments.md)

    def get_transfer_group(self, source) -> None:
        return None


class TransactionSerializer(ResourceSerializer):
    money = {"amount": "currency_code"}

    class Meta:
        model = Transaction
        fields = [
            "number",
            "payment_method_type",
            "currency_code",
            "amount_cents",
            "succeeded",
            "message",
            "error_code",
            "error_detail",
            "token",
            "gateway_transaction_id",
        ]
        read_only_fields = fields


class AuthorizationSerializer(TransactionSerializer):
    money = {
        "amount": "currency_code",
        "capture_amount": "currency_code",
        "capture_balance": "currency_code",
        "void_balance": "currency_code",
    }


class CaptureSerializer(TransactionSerializer):
    money = {
        "amount": "currency_code",
        "refund_amount": "currency_code",
        "refund_balance": "currency_code",
    }


class PaymentOptionSerializer(ResourceSerializer):
    """payments.md: gateway-specific data of an order's payment."""

    data = MetadataField()

    class Meta:
        model = PaymentOption
        fields = ["name", "payment_source_type", "data"]
        create_only_fields = ["payment_source_type"]


class CustomerPaymentSourceSerializer(ResourceSerializer):
    """payments.md "Customer payment sources": a wallet entry."""

    class Meta:
        model = CustomerPaymentSource
        fields = ["name", "customer_token", "payment_source_token"]
        read_only_fields = ["name"]


class CustomerPasswordResetSerializer(ResourceSerializer):
    """aftersale.md §5: the token only in the answer to the create."""

    customer_email = serializers.EmailField(max_length=254)
    reset_password_token = serializers.SerializerMethodField()
    customer_password = StrictCharField(write_only=True, required=False, max_length=128)

    class Meta:
        model = CustomerPasswordReset
        fields = [
            "customer_email",
            "reset_password_token",
            "reset_password_at",
            "customer_password",
        ]
        read_only_fields = ["reset_password_at"]
        create_only_fields = ["customer_email"]
        update_only_fields = ["customer_password"]

    def get_reset_password_token(self, reset) -> str | None:
        return getattr(reset, "reset_password_token", None)


class AdjustmentSerializer(ResourceSerializer):
    """aftersale.md §2: an operator's manual amount, either sign, never 0."""

    money = {"amount": "currency_code"}
    # Either sign (money elsewhere is never negative): a discount or a surcharge.
    amount_cents = StrictIntegerField(min_value=-CENTS_MAX, max_value=CENTS_MAX)

    class Meta:
        model = Adjustment
        fields = ["name", "currency_code", "amount_cents", "distribute_discount"]

    def validate_currency_code(self, value):
        return codes.currency_code(value)

    def validate_amount_cents(self, value):
        if value == 0:
            raise serializers.ValidationError("must be other than 0")
        return value


class OrderCopySerializer(ResourceSerializer):
    """aftersale.md §4: a reorder's options (create-only; a customer may not send the two that
    place or cancel an order) and what the worker did (read-only)."""

    class Meta:
        model = OrderCopy
        fields = [
            "status",
            "started_at",
            "completed_at",
            "failed_at",
            "errors_log",
            "errors_count",
            "place_target_order",
            "reuse_wallet",
            "cancel_source_order",
            "apply_promotions",
            "skip_errors",
            "ignore_invalid_coupon",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "completed_at",
            "failed_at",
            "errors_log",
            "errors_count",
        ]
        create_only_fields = list(COPY_OPTIONS)
        integration_only_fields = list(INTEGRATION_ONLY_OPTIONS)
