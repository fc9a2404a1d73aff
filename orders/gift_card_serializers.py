"""Attributes of gift cards and their recipients (catalog.md "Gift cards", resources.md).

`balance_cents` is given at creation only (a PATCH of it is a 400 PARAM_NOT_ALLOWED: the
balance then moves through `_balance_change_cents`, a redemption and its restoration);
`initial_balance`, `balance_log` and `usage_log` are read-only. A sales channel or customer
sends `balance_cents`, `currency_code`, `image_url` and `recipient_email` of a new card; the
other attributes are the back office's. A storefront reads a card's logs without the ids of
the orders in them (a guest order's id is the key to it).
"""

from rest_framework import serializers

from commerce import codes
from commerce.jsonapi.fields import StrictEmailField
from commerce.jsonapi.serializers import ResourceSerializer
from orders.models import GiftCard, GiftCardRecipient


class BalanceLogField(serializers.JSONField):
    """`[{datetime, balance_change_cents, order_id}]`, oldest first; `order_id` null for a
    storefront."""

    def to_representation(self, value):
        ctx = self.context.get("ctx")
        if ctx is None or ctx.is_integration:
            return value
        return [{**entry, "order_id": None} for entry in value]


class UsageLogField(serializers.JSONField):
    """`{order id: {order_number, amount_cents, datetime}}`: what each order holds of the card
    (0 once cancelled or refunded); empty for a storefront."""

    def to_representation(self, value):
        ctx = self.context.get("ctx")
        return value if ctx is None or ctx.is_integration else {}


class GiftCardSerializer(ResourceSerializer):
    money = {
        "initial_balance": "currency_code",
        "balance": "currency_code",
        "balance_max": "currency_code",
    }
    recipient_email = StrictEmailField(
        required=False, allow_null=True, allow_blank=True, max_length=254
    )
    balance_log = BalanceLogField(read_only=True)
    usage_log = UsageLogField(read_only=True)

    class Meta:
        model = GiftCard
        fields = [
            "status",
            "code",
            "currency_code",
            "initial_balance_cents",
            "balance_cents",
            "balance_max_cents",
            "balance_log",
            "usage_log",
            "single_use",
            "rechargeable",
            "distribute_discount",
            "image_url",
            "expires_at",
            "recipient_email",
        ]
        read_only_fields = ["status", "initial_balance_cents"]
        create_only_fields = ["code", "balance_cents"]
        integration_only_fields = [
            "code",
            "balance_max_cents",
            "single_use",
            "rechargeable",
            "distribute_discount",
            "expires_at",
        ]
        extra_kwargs = {
            "code": {"required": False, "allow_null": True, "allow_blank": True},
            "currency_code": {"required": False},
            "balance_cents": {"required": True},
        }

    def validate_currency_code(self, value):
        return codes.currency_code(value)


class GiftCardRecipientSerializer(ResourceSerializer):
    class Meta:
        model = GiftCardRecipient
        fields = ["email", "first_name", "last_name"]
