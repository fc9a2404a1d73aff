"""Catalog and stock: SKUs, shipping categories, stock locations, stock items, inventory models."""

from django.db import models
from django.db.models import Q

from commerce.models import Address, Resource


class ShippingCategory(Resource):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, unique=True, null=True, blank=True)

    class Meta:
        verbose_name_plural = "shipping categories"


class Sku(Resource):
    UNITS_OF_WEIGHT = [("gr", "gr"), ("oz", "oz"), ("lb", "lb")]

    code = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(max_length=10000, null=True, blank=True)
    image_url = models.URLField(max_length=2000, null=True, blank=True)
    pieces_per_pack = models.PositiveIntegerField(null=True, blank=True)
    weight = models.FloatField(null=True, blank=True)
    unit_of_weight = models.CharField(max_length=2, choices=UNITS_OF_WEIGHT, null=True, blank=True)
    hs_tariff_number = models.CharField(max_length=255, null=True, blank=True)
    do_not_ship = models.BooleanField(default=False)
    do_not_track = models.BooleanField(default=False)
    shipping_category = models.ForeignKey(
        ShippingCategory, on_delete=models.PROTECT, related_name="skus", null=True, blank=True
    )

    class Meta:
        verbose_name = "SKU"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0), name="sku_weight_gte_0"
            ),
        ]


class StockLocation(Resource):
    LABEL_FORMATS = [("PDF", "PDF"), ("ZPL", "ZPL"), ("EPL2", "EPL2"), ("PNG", "PNG")]

    number = models.PositiveIntegerField(unique=True, null=True, blank=True, editable=False)
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, unique=True, null=True, blank=True)
    label_format = models.CharField(max_length=4, choices=LABEL_FORMATS, null=True, blank=True)
    suppress_etd = models.BooleanField(default=False)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")


class Package(Resource):
    """A box size at a stock location, used to make parcels (shipping.md "Packages")."""

    UNITS_OF_LENGTH = [("cm", "cm"), ("in", "in")]

    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.CASCADE, related_name="packages"
    )
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, null=True, blank=True)
    length = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()
    unit_of_length = models.CharField(max_length=2, choices=UNITS_OF_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stock_location", "code"],
                condition=Q(code__isnull=False),
                name="package_code_unique_per_location",
            ),
            models.CheckConstraint(
                condition=Q(length__gt=0) & Q(width__gt=0) & Q(height__gt=0),
                name="package_dimensions_gt_0",
            ),
        ]


class StockItem(Resource):
    """On-hand quantity of one SKU at one location. Reservations live beside it (orders)."""

    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="stock_items"
    )
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_items")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stock_location", "sku"], name="stock_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_item_quantity_gte_0"),
        ]

    @property
    def sku_code(self) -> str:
        return self.sku.code


class InventoryModel(Resource):
    STRATEGIES = [
        ("no_split", "no_split"),
        ("split_shipments", "split_shipments"),
        ("split_by_line_items", "split_by_line_items"),
        ("ship_from_primary", "ship_from_primary"),
        ("ship_from_first_available_or_primary", "ship_from_first_available_or_primary"),
    ]

    name = models.CharField(max_length=255)
    strategy = models.CharField(max_length=64, choices=STRATEGIES, default="no_split")
    stock_locations_cutoff = models.PositiveIntegerField(null=True, blank=True)
    stock_reservation_cutoff = models.PositiveIntegerField(null=True, blank=True)
    put_stock_transfers_on_hold = models.BooleanField(default=False)
    manual_stock_decrement = models.BooleanField(default=False)


class InventoryStockLocation(Resource):
    inventory_model = models.ForeignKey(
        InventoryModel, on_delete=models.CASCADE, related_name="inventory_stock_locations"
    )
    stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="inventory_stock_locations"
    )
    priority = models.PositiveIntegerField()
    on_hold = models.BooleanField(default=False)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory_model", "stock_location"], name="inventory_stock_location_unique"
            ),
        ]


class StockReservation(Resource):
    """Units of a stock item held for an order (or a stock transfer) until they leave.

    Salable = stock item quantity - the sum of its reservations. The order side links to its
    reservation (stock line items), so this model knows only its stock item.
    """

    STATUSES = [("draft", "draft"), ("pending", "pending")]

    stock_item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="stock_reservations"
    )
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=STATUSES, default="pending")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="stock_reservation_qty_gte_1"
            ),
        ]

    @property
    def sku_id(self):
        return self.stock_item.sku_id


class StockTransfer(Resource):
    """Units of a SKU moving from one stock location to another (inventory.md)."""

    STATUSES = [
        (s, s)
        for s in ("draft", "upcoming", "on_hold", "picking", "in_transit", "completed", "cancelled")
    ]

    number = models.CharField(max_length=64, null=True, blank=True)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_transfers")
    origin_stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="stock_transfers"
    )
    destination_stock_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=STATUSES, default="draft", db_index=True)
    stock_reservation = models.OneToOneField(
        StockReservation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_transfer",
    )
    on_hold_at = models.DateTimeField(null=True, blank=True)
    picking_at = models.DateTimeField(null=True, blank=True)
    in_transit_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=1_000_000),
                name="stock_transfer_quantity_range",
            ),
            models.CheckConstraint(
                condition=~Q(origin_stock_location=models.F("destination_stock_location")),
                name="stock_transfer_distinct_locations",
            ),
        ]

    @property
    def sku_code(self) -> str:
        return self.sku.code
