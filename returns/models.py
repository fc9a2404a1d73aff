"""Returns, their line items and the stock locations an inventory model takes returns at.

A return's figures (`estimated_refund_amount_cents`, `skus_count`) and its line items'
(`total_amount_cents`, `estimated_refund_cents`) are stored integer cents computed by
`returns.services.figures` from `returns.money`; the status moves only through
`returns.services.statuses` and the table of `returns.transitions`."""

from django.db import models
from django.db.models import Q

from commerce.models import Address, Resource
from inventory.models import InventoryModel, StockLocation
from orders.models import Customer, LineItem, Order, Transaction
from returns.transitions import RETURN_STATUSES


class InventoryReturnLocation(Resource):
    """A stock location where an inventory model's markets take returns; priority 1 first."""

    inventory_model = models.ForeignKey(
        InventoryModel, on_delete=models.CASCADE, related_name="inventory_return_locations"
    )
    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="inventory_return_locations"
    )
    priority = models.PositiveIntegerField()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory_model", "stock_location"],
                name="inventory_return_location_unique",
            ),
        ]


class Return(Resource):
    number = models.CharField(max_length=80, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="returns"
    )
    customer_email = models.EmailField(max_length=254, null=True, blank=True)
    currency_code = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=[(s, s) for s in RETURN_STATUSES], default="draft", db_index=True
    )
    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="returns"
    )
    # The order's shipping address and the stock location's (rows shared, not copies).
    origin_address = models.ForeignKey(
        Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    destination_address = models.ForeignKey(
        Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference_capture = models.ForeignKey(
        Transaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referring_returns",
    )
    reference_refund = models.OneToOneField(
        Transaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refunded_return",
    )
    skus_count = models.PositiveIntegerField(default=0)
    estimated_refund_amount_cents = models.BigIntegerField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_refund_amount_cents__gte=0), name="return_estimate_gte_0"
            ),
        ]

    def __str__(self):
        return self.number


class ReturnLineItem(Resource):
    # `return` is a Python keyword: the relationship named `return` reads this field.
    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="return_line_items"
    )
    line_item = models.ForeignKey(
        LineItem, on_delete=models.CASCADE, related_name="return_line_items"
    )
    currency_code = models.CharField(max_length=3)
    quantity = models.PositiveIntegerField()
    # The line's, copied when the return line item is made.
    sku_code = models.CharField(max_length=255, null=True, blank=True)
    bundle_code = models.CharField(max_length=255, null=True, blank=True)
    name = models.CharField(max_length=255, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    total_amount_cents = models.BigIntegerField(default=0)
    estimated_refund_cents = models.BigIntegerField(default=0)
    return_reason = models.JSONField(null=True, blank=True)
    restocked_at = models.DateTimeField(null=True, blank=True)
    restocked_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=100_000),
                name="return_line_item_quantity_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku_code or self.bundle_code or self.public_id}"
