"""Operators' admin for orders and shipments.

Totals, statuses and timestamps are read-only here: they are derived. Every state change the
admin offers (list actions and the buttons on a detail page) calls the same service as the API's
trigger, inside one transaction with the row locked, so the admin can't put an order in a state
the API would refuse; a refused move shows the service's reason and changes nothing.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from commerce.admin import ResourceAdmin
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.exceptions import CommerceError
from commerce.money import format_amount
from orders.models import (
    Customer,
    CustomerAddress,
    LineItem,
    Order,
    PaymentSource,
    Shipment,
    StockLineItem,
    Transaction,
)
from orders.services import lifecycle
from orders.services import shipments as shipment_services

ORDER_ACTIONS = {
    "approve": ("Approve", lifecycle.approve_order),
    "capture": ("Capture payment", lifecycle.capture_order),
    "approve_and_capture": ("Approve and capture", lifecycle.approve_and_capture_order),
    "cancel": ("Cancel", lifecycle.cancel_order),
    "refund": ("Refund", lifecycle.refund_order),
    "archive": ("Archive", lifecycle.archive_order),
}
SHIPMENT_ACTIONS = {
    "picking": "Start picking",
    "packing": "Pack",
    "ready_to_ship": "Ready to ship",
    "ship": "Ship",
    "deliver": "Deliver",
    "on_hold": "Put on hold",
}


def operator_context(request) -> TokenContext:
    """Admin users act with an integration's rights (the back office)."""
    return TokenContext(
        kind=INTEGRATION, application_id=0, client_id=f"admin:{request.user.get_username()}"
    )


def error_text(error: CommerceError) -> str:
    return "; ".join(item.detail for item in error.items())


def run_on_each(modeladmin, request, objects, label, apply) -> int:
    """Apply `apply(obj)` to each object in its own transaction; report refusals."""
    done = 0
    for obj in objects:
        try:
            with transaction.atomic():
                apply(obj)
        except CommerceError as error:
            modeladmin.message_user(
                request, f"{obj}: {label} refused — {error_text(error)}", level=messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{label}: {done} done.", level=messages.SUCCESS)
    return done


def _order_trigger(name, request, order):
    _, service = ORDER_ACTIONS[name]
    service(lifecycle.lock_order(order), True, ctx=operator_context(request))


def _order_action(name):
    label, _ = ORDER_ACTIONS[name]

    def action(modeladmin, request, queryset):
        run_on_each(
            modeladmin,
            request,
            queryset.order_by("pk"),
            label,
            partial(_order_trigger, name, request),
        )

    action.__name__ = f"order_{name}"
    action.short_description = f"{label} selected orders"
    action.allowed_permissions = ("change",)
    return action


def _shipment_move(name, shipment):
    shipment_services.operator_move(shipment, name)


def _shipment_action(name):
    label = SHIPMENT_ACTIONS[name]

    def action(modeladmin, request, queryset):
        run_on_each(
            modeladmin, request, queryset.order_by("pk"), label, partial(_shipment_move, name)
        )

    action.__name__ = f"shipment_{name}"
    action.short_description = f"{label}: selected shipments"
    action.allowed_permissions = ("change",)
    return action


class TriggerButtonsMixin:
    """Buttons on the detail page: POST to <pk>/trigger/<name>/, which runs the action."""

    trigger_labels: dict[str, str] = {}

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/trigger/<str:name>/",
                self.admin_site.admin_view(self.trigger_view),
                name=f"{opts.app_label}_{opts.model_name}_trigger",
            ),
            *super().get_urls(),
        ]

    def trigger_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if name not in self.trigger_labels or not self.has_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=object_id)
        self.run_trigger(request, obj, name)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "trigger_buttons": list(self.trigger_labels.items()),
        }
        return super().change_view(request, object_id, form_url, extra_context)


# --- orders -------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineItemInline(ReadOnlyInline):
    model = LineItem
    fields = (
        "item_type",
        "sku_code",
        "name",
        "quantity",
        "unit_amount",
        "discount",
        "tax_amount",
        "total_amount",
    )
    readonly_fields = fields

    def _money(self, obj, name):
        return format_amount(getattr(obj, f"{name}_cents"), obj.order.currency_code)

    @admin.display(description="unit amount")
    def unit_amount(self, obj):
        return self._money(obj, "unit_amount")

    @admin.display(description="discount")
    def discount(self, obj):
        return self._money(obj, "discount")

    @admin.display(description="tax")
    def tax_amount(self, obj):
        return self._money(obj, "tax_amount")

    @admin.display(description="total")
    def total_amount(self, obj):
        return self._money(obj, "total_amount")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ("number", "status", "stock_location", "shipping_method", "cost", "contents")
    readonly_fields = fields

    @admin.display(description="cost")
    def cost(self, obj):
        return format_amount(obj.cost_amount_cents, obj.order.currency_code)

    @admin.display(description="stock line items")
    def contents(self, obj):
        return ", ".join(f"{sli.quantity} × {sli.sku_code}" for sli in obj.stock_line_items.all())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("order", "stock_location", "shipping_method")
            .prefetch_related("stock_line_items")
        )


class TransactionInline(ReadOnlyInline):
    model = Transaction
    fields = ("kind", "number", "amount", "succeeded", "created_at")
    readonly_fields = fields

    @admin.display(description="amount")
    def amount(self, obj):
        return format_amount(obj.amount_cents, obj.currency_code)


MONEY_FIELDS = (
    "subtotal_amount",
    "shipping_amount",
    "payment_method_amount",
    "discount_amount",
    "total_tax_amount",
    "total_amount",
    "total_amount_with_taxes",
)


def _money_display(name):
    def display(self, obj):
        return format_amount(getattr(obj, f"{name}_cents"), obj.currency_code)

    display.__name__ = f"formatted_{name}"
    return admin.display(description=name.replace("_", " "))(display)


@admin.register(Order)
class OrderAdmin(TriggerButtonsMixin, ResourceAdmin):
    change_form_template = "admin/orders/order/change_form.html"
    list_display = (
        "number",
        "status",
        "payment_status",
        "fulfillment_status",
        "market",
        "customer_email",
        "formatted_total_amount_with_taxes",
        "placed_at",
    )
    list_select_related = ("market",)
    list_filter = ("status", "payment_status", "fulfillment_status", "market", "placed_at")
    search_fields = ("number", "customer_email", "public_id", "line_items__sku_code")
    date_hierarchy = "placed_at"
    actions = [_order_action(name) for name in ORDER_ACTIONS]
    trigger_labels = {name: label for name, (label, _) in ORDER_ACTIONS.items()}
    inlines = (LineItemInline, ShipmentInline, TransactionInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "public_id",
                    "market",
                    "status",
                    "payment_status",
                    "fulfillment_status",
                    "customer",
                    "customer_email",
                    "guest",
                    "coupon_code",
                )
            },
        ),
        ("Money", {"fields": tuple(f"formatted_{m}" for m in MONEY_FIELDS)}),
        (
            "Addresses and payment",
            {"fields": ("billing_address", "shipping_address", "payment_method", "payment_source")},
        ),
        (
            "Dates",
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "placed_at",
                    "approved_at",
                    "cancelled_at",
                    "archived_at",
                )
            },
        ),
        ("Notes", {"fields": ("reference", "reference_origin", "metadata")}),
    )

    for _name in MONEY_FIELDS:
        locals()[f"formatted_{_name}"] = _money_display(_name)
    del _name

    def get_readonly_fields(self, request, obj=None):
        editable = {"reference", "reference_origin", "metadata"}
        names = [f for fields in (fs[1]["fields"] for fs in self.fieldsets) for f in fields]
        return [n for n in names if n not in editable]

    def has_add_permission(self, request):
        return False  # carts are built through the API

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in ("draft", "pending")

    def run_trigger(self, request, order, name):
        label = self.trigger_labels[name]
        run_on_each(self, request, [order], label, partial(_order_trigger, name, request))


# --- shipments ----------------------------------------------------------------------------


class StockLineItemInline(ReadOnlyInline):
    model = StockLineItem
    fields = ("sku_code", "quantity", "stock_item", "stock_reservation")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(TriggerButtonsMixin, ResourceAdmin):
    change_form_template = "admin/orders/shipment/change_form.html"
    list_display = (
        "number",
        "order",
        "status",
        "stock_location",
        "shipping_method",
        "formatted_cost",
    )
    list_select_related = ("order", "stock_location", "shipping_method")
    list_filter = ("status", "stock_location")
    search_fields = ("number", "order__number", "public_id")
    actions = [_shipment_action(name) for name in SHIPMENT_ACTIONS]
    trigger_labels = SHIPMENT_ACTIONS
    inlines = (StockLineItemInline,)
    readonly_fields = (
        "public_id",
        "number",
        "order",
        "status",
        "stock_location",
        "inventory_stock_location",
        "shipping_category",
        "shipping_method",
        "formatted_cost",
        "on_hold_at",
        "picking_at",
        "packing_at",
        "ready_to_ship_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )
    exclude = ("cost_amount_cents", "selected_rate_id")

    @admin.display(description="cost")
    def formatted_cost(self, obj):
        return format_amount(obj.cost_amount_cents, obj.order.currency_code)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def run_trigger(self, request, shipment, name):
        run_on_each(
            self, request, [shipment], SHIPMENT_ACTIONS[name], partial(_shipment_move, name)
        )


# --- customers, payments ------------------------------------------------------------------


class CustomerAddressInline(admin.TabularInline):
    model = CustomerAddress
    extra = 0
    raw_id_fields = ("address",)


@admin.register(Customer)
class CustomerAdmin(ResourceAdmin):
    list_display = ("email", "status", "has_password", "created_at")
    search_fields = ("email", "public_id", "reference")
    list_filter = ("status",)
    exclude = ("password",)
    inlines = (CustomerAddressInline,)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ResourceAdmin):
    list_display = ("public_id", "customer", "address", "created_at")
    list_select_related = ("customer", "address")
    search_fields = ("customer__email", "public_id")
    raw_id_fields = ("customer", "address")


@admin.register(PaymentSource)
class PaymentSourceAdmin(ResourceAdmin):
    list_display = ("public_id", "kind", "order", "created_at")
    list_select_related = ("order",)
    list_filter = ("kind",)
    search_fields = ("public_id", "order__number")
    raw_id_fields = ("order",)


@admin.register(Transaction)
class TransactionAdmin(ResourceAdmin):
    list_display = ("number", "kind", "order", "formatted_amount", "succeeded", "created_at")
    list_select_related = ("order",)
    list_filter = ("kind", "succeeded")
    search_fields = ("number", "order__number", "public_id")

    @admin.display(description="amount")
    def formatted_amount(self, obj):
        return format_amount(obj.amount_cents, obj.currency_code)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LineItem)
class LineItemAdmin(ResourceAdmin):
    list_display = ("public_id", "order", "item_type", "sku_code", "quantity", "created_at")
    list_select_related = ("order",)
    list_filter = ("item_type",)
    search_fields = ("public_id", "order__number", "sku_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StockLineItem)
class StockLineItemAdmin(ResourceAdmin):
    list_display = ("public_id", "shipment", "sku_code", "quantity", "stock_item")
    list_select_related = ("shipment", "stock_item")
    search_fields = ("public_id", "sku_code", "shipment__number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
