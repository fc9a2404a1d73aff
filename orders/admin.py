"""Operators' admin for orders and shipments.

Totals, statuses and timestamps are read-only here: they are derived. Every state change the
admin offers (list actions and the buttons on a detail page) calls the same service as the API's
trigger, inside one transaction with the row locked, so the admin can't put an order in a state
the API would refuse; a refused move shows the service's reason and changes nothing.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from commerce.admin import ResourceAdmin, TriggerButtonsMixin, run_on_each, trigger_action
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.money import format_amount
from markets.admin import CustomerGroupAdmin
from markets.models import CustomerGroup
from orders import gift_card_admin  # noqa: F401 (registers the gift card pages)
from orders.models import (
    Customer,
    CustomerAddress,
    CustomerPaymentSource,
    GiftCard,
    LineItem,
    Order,
    OrderCopy,
    PaymentSource,
    Shipment,
    StockLineItem,
    StripeEvent,
    Transaction,
)
from orders.parcel_admin import ParcelInline
from orders.selectors import with_balances
from orders.services import carts, editing, lifecycle, stripe_payments, transactions
from orders.services import shipments as shipment_services

CART_STATUSES = ("draft", "pending", "cancelled")

# The order triggers an operator may send (orders.md), each the API's `_<name>` service.
ORDER_ACTIONS = {
    "approve": "Approve",
    "capture": "Capture payment",
    "approve_and_capture": "Approve and capture",
    "cancel": "Cancel",
    "refund": "Refund",
    "archive": "Archive",
    # aftersale.md §1: while editing, the "Edit lines" table changes the order's sku lines.
    "start_editing": "Start editing",
    "stop_editing": "Stop editing",
}
# The shipment triggers an operator may send (inventory.md "Shipments"): the API's
# `_<name>`, through the same `operator_move`.
SHIPMENT_ACTIONS = {
    "on_hold": "Put on hold",
    "upcoming": "Back to upcoming",
    "picking": "Start picking",
    "packing": "Pack",
    "ready_to_ship": "Ready to ship",
    "ship": "Ship",
    "deliver": "Deliver",
}


def operator_context(request) -> TokenContext:
    """Admin users act with an integration's rights (the back office)."""
    return TokenContext(
        kind=INTEGRATION, application_id=0, client_id=f"admin:{request.user.get_username()}"
    )


def trigger_order(name: str, request, order: Order) -> Order:
    """The API's `_<name>` on `order` (the service locks it)."""
    if name in editing.OPERATOR_TRIGGERS:
        return editing.run_operator_trigger(order, name, ctx=operator_context(request))
    return lifecycle.run_operator_trigger(order, name, ctx=operator_context(request))


def edit_lines(request, order: Order, formset) -> None:
    """What the "Edit lines" table says (`formset.save(commit=False)` read it), through the
    line item services (editing.edit_lines)."""
    editing.edit_lines(
        order,
        removed=formset.deleted_objects,
        changed=[
            (line, {name: getattr(line, name) for name in names})
            for line, names in formset.changed_objects
        ],
        added=[(line.sku, line.quantity) for line in formset.new_objects],
        ctx=operator_context(request),
    )


def trigger_shipment(name: str, request, shipment: Shipment) -> Shipment:
    return shipment_services.operator_move(shipment, name)


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
        "code",
        "name",
        "quantity",
        "unit_amount",
        "discount",
        "promotions",
        "tax_amount",
        "total_amount",
        "options",
    )
    readonly_fields = fields

    @admin.display(description="code")
    def code(self, obj):
        """A sku line's SKU code, a bundle line's bundle code (its components ship: the
        shipments list them)."""
        return obj.sku_code or obj.bundle_code or "-"

    @admin.display(description="promotions")
    def promotions(self, obj):
        """Which promotions discount this line and by how much (its `discount_breakdown`, as
        the last refresh shared them out), by name: a JSON object keeps no order in PostgreSQL."""
        currency = obj.order.currency_code
        shares = sorted((obj.discount_breakdown or {}).values(), key=lambda s: s["name"])
        return "; ".join(f"{s['name']}: {format_amount(s['cents'], currency)}" for s in shares)

    def _money(self, obj, name):
        return format_amount(getattr(obj, f"{name}_cents"), obj.order.currency_code)

    @admin.display(description="options")
    def options(self, obj):
        """A sku line's options (catalog.md "SKU options"): name, quantity x unit = total."""
        currency = obj.order.currency_code
        return "; ".join(
            f"{o.name}: {o.quantity} × {format_amount(o.unit_amount_cents, currency)}"
            f" = {format_amount(o.total_amount_cents, currency)}"
            for o in obj.line_item_options.all()
        )

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
        return (
            super()
            .get_queryset(request)
            .select_related("order")
            .prefetch_related("line_item_options")
        )


class EditLineInline(admin.TabularInline):
    """An order's sku lines while an operator edits it (aftersale.md §1): quantities change,
    lines go (delete) and come (a SKU and a quantity); saved through the line item services
    (`edit_lines`), never written directly."""

    model = LineItem
    verbose_name = "line to edit"
    verbose_name_plural = "Edit lines"
    fields = ("sku", "quantity")
    raw_id_fields = ("sku",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).filter(item_type="skus").select_related("sku")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"operator_edit": True})  # see save_formset


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


def _balance(obj) -> str:
    """What is left to capture (an authorization) or to refund (a capture)."""
    cents = {
        "authorizations": obj.capture_balance_cents,
        "captures": obj.refund_balance_cents,
    }.get(obj.kind)
    return "" if cents is None else format_amount(cents, obj.currency_code)


class TransactionInline(ReadOnlyInline):
    model = Transaction
    fields = ("kind", "number", "amount", "balance", "succeeded", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return with_balances(super().get_queryset(request))

    @admin.display(description="amount")
    def amount(self, obj):
        return format_amount(obj.amount_cents, obj.currency_code)

    @admin.display(description="balance")
    def balance(self, obj):
        return _balance(obj)


MONEY_FIELDS = (
    "subtotal_amount",
    "shipping_amount",
    "payment_method_amount",
    "discount_amount",
    "total_tax_amount",
    "total_amount",
    "gift_card_amount",
    "total_amount_with_taxes",
)


def _money_display(name):
    def display(self, obj):
        return format_amount(getattr(obj, f"{name}_cents"), obj.currency_code)

    display.__name__ = f"formatted_{name}"
    return admin.display(description=name.replace("_", " "))(display)


@admin.register(Order)
class OrderAdmin(TriggerButtonsMixin, ResourceAdmin):
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
    list_per_page = 100
    actions = [
        trigger_action(
            f"order_{name}",
            label,
            lambda request, order, name=name: trigger_order(name, request, order),
        )
        for name, label in ORDER_ACTIONS.items()
    ]
    trigger_labels = dict(ORDER_ACTIONS)
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
                    "gift_card",
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

    @admin.display(description="gift card")
    def gift_card(self, obj):
        """The card the order redeems (catalog.md "Gift cards"): its code, linked to its page,
        and what it pays (the gift card amount)."""
        if not obj.gift_card_code:
            return "-"
        card = GiftCard.objects.filter(code=obj.gift_card_code).only("pk").first()
        amount = format_amount(-obj.gift_card_amount_cents, obj.currency_code)
        if card is None:
            return f"{obj.gift_card_code} (pays {amount})"
        link = reverse("admin:orders_giftcard_change", args=[card.pk])
        return format_html('<a href="{}">{}</a> (pays {})', link, obj.gift_card_code, amount)

    def get_readonly_fields(self, request, obj=None):
        editable = {"reference", "reference_origin", "metadata"}
        names = [f for fields in (fs[1]["fields"] for fs in self.fieldsets) for f in fields]
        return [n for n in names if n not in editable]

    def has_add_permission(self, request):
        return False  # carts are built through the API

    def has_delete_permission(self, request, obj=None):
        # Only carts that were never placed, as over the API (carts.delete_order).
        allowed = super().has_delete_permission(request, obj)
        cart = obj is None or (obj.status in CART_STATUSES and obj.placed_at is None)
        return allowed and cart

    def get_deleted_objects(self, objs, request):
        # A cart goes with its line items and draft shipments (carts.delete_order): their own
        # admins (read-only) aren't asked for a delete permission.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        carts.delete_order(obj)

    def get_actions(self, request):
        # Only carts may be deleted, one by one: the bulk delete would skip that check.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def run_trigger(self, request, order, name):
        label = self.trigger_labels[name]
        run_on_each(self, request, [order], label, lambda o: trigger_order(name, request, o))

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.status == "editing":
            inlines.insert(1, EditLineInline(self.model, self.admin_site))
        return inlines

    def save_formset(self, request, form, formset, change):
        if not getattr(formset, "operator_edit", False):
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        if formset.deleted_objects or formset.changed_objects or formset.new_objects:
            run_on_each(
                self,
                request,
                [form.instance],
                "Edit lines",
                lambda o: edit_lines(request, o, formset),
            )


# --- shipments ----------------------------------------------------------------------------


class StockLineItemInline(ReadOnlyInline):
    model = StockLineItem
    fields = ("sku_code", "quantity", "stock_location", "reserved")
    readonly_fields = fields

    @admin.display(description="from")
    def stock_location(self, obj):
        return obj.stock_item.stock_location if obj.stock_item else "-"

    @admin.display(description="reserved", boolean=True)
    def reserved(self, obj):
        return obj.stock_reservation_id is not None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stock_item__stock_location")


@admin.register(Shipment)
class ShipmentAdmin(TriggerButtonsMixin, ResourceAdmin):
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
    actions = [
        trigger_action(
            f"shipment_{name}",
            label,
            lambda request, sh, name=name: trigger_shipment(name, request, sh),
        )
        for name, label in SHIPMENT_ACTIONS.items()
    ]
    trigger_labels = SHIPMENT_ACTIONS
    # Its parcels, with the link to pack another (orders.parcel_admin).
    inlines = (StockLineItemInline, ParcelInline)
    readonly_fields = (
        "public_id",
        "number",
        "order",
        "status",
        "stock_location",
        "inventory_stock_location",
        "shipping_category",
        "shipping_method",
        "shipping_method_chosen",
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
    # Counters and caches the services keep, never typed: the parcel numbers' counter
    # (orders.services.parcels) and the external scheme's last answer
    # (orders.services.external_shipping).
    exclude = (
        "cost_amount_cents",
        "selected_rate_id",
        "parcels_numbered",
        "external_price_cents",
        "external_price_key",
    )

    @admin.display(description="cost")
    def formatted_cost(self, obj):
        return format_amount(obj.cost_amount_cents, obj.order.currency_code)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def run_trigger(self, request, shipment, name):
        label = SHIPMENT_ACTIONS[name]
        run_on_each(self, request, [shipment], label, lambda s: trigger_shipment(name, request, s))


# --- customers, payments ------------------------------------------------------------------


class CustomerAddressInline(admin.TabularInline):
    model = CustomerAddress
    extra = 0
    raw_id_fields = ("address",)


class WalletInline(ReadOnlyInline):
    """The customer's saved payment sources (payments.md), as the API made them."""

    model = CustomerPaymentSource
    fields = ("name", "payment_method", "customer_token", "payment_source_token", "created_at")
    readonly_fields = fields
    verbose_name = "saved payment source"


@admin.register(Customer)
class CustomerAdmin(ResourceAdmin):
    list_display = ("email", "status", "customer_group", "has_password", "created_at")
    list_select_related = ("customer_group",)
    search_fields = ("email", "public_id", "reference")
    # `customer_group` also lets a group's page link to its customers (?customer_group__id__exact).
    list_filter = ("status", "customer_group")
    exclude = ("password",)
    autocomplete_fields = ("customer_group",)  # its private markets are the group's
    inlines = (CustomerAddressInline, WalletInline)


# How many of a group's customers its page lists by email (the link shows them all).
GROUP_CUSTOMERS_SHOWN = 20


class CustomerGroupWithCustomersAdmin(CustomerGroupAdmin):
    """The customer group page (markets/admin.py) with the group's customers: counted in the
    list, the first ones by email on the page with a link to all of them (a group may hold
    thousands: no inline of them). Customers join or leave a group on their own page."""

    list_display = ("name", "code", "markets_count", "customers_count", "public_id", "created_at")
    readonly_fields = (*CustomerGroupAdmin.readonly_fields, "customer_list")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(customers_count=Count("customers", distinct=True))
        )

    @admin.display(description="customers", ordering="customers_count")
    def customers_count(self, obj):
        return obj.customers_count

    @admin.display(description="customers")
    def customer_list(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        shown = list(obj.customers.order_by("email")[:GROUP_CUSTOMERS_SHOWN])
        changelist = reverse("admin:orders_customer_changelist")
        every = format_html(
            '<a href="{}?customer_group__id__exact={}">all {} customers</a>',
            changelist,
            obj.pk,
            obj.customers.count() if len(shown) == GROUP_CUSTOMERS_SHOWN else len(shown),
        )
        if not shown:
            return "none yet"
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:orders_customer_change", args=[c.pk]), c.email) for c in shown),
        )
        return format_html("{} ({})", links, every)


admin.site.unregister(CustomerGroup)
admin.site.register(CustomerGroup, CustomerGroupWithCustomersAdmin)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ResourceAdmin):
    list_display = ("public_id", "customer", "address", "created_at")
    list_select_related = ("customer", "address")
    search_fields = ("customer__email", "public_id")
    raw_id_fields = ("customer", "address")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """Stripe webhook events received, by gateway (read only: Stripe wrote them)."""

    list_display = ("event_id", "type", "gateway", "received_at")
    list_select_related = ("gateway",)
    list_filter = ("type",)
    search_fields = ("event_id",)
    ordering = ("-received_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The transaction triggers an operator may send (orders.md), each the API's `_<name>`.
TRANSACTION_ACTIONS = {
    "capture": "Capture",
    "void": "Void",
    "refund": "Refund",
    "forward": "Mark succeeded (_forward)",
}


@admin.register(PaymentSource)
class PaymentSourceAdmin(TriggerButtonsMixin, ResourceAdmin):
    list_display = ("public_id", "kind", "order", "intent_status", "created_at")
    exclude = ("client_secret",)  # the shopper's, for Stripe.js
    list_select_related = ("order",)
    list_filter = ("kind",)
    search_fields = ("public_id", "order__number", "stripe_id")
    raw_id_fields = ("order",)
    trigger_labels = {"refresh": "Refresh from Stripe"}

    def may_trigger(self, request, obj) -> bool:
        return obj.kind == "stripe_payments" and request.user.has_perm(
            "orders.change_paymentsource"
        )

    def run_trigger(self, request, source, name):
        run_on_each(
            self,
            request,
            [source],
            self.trigger_labels[name],
            lambda s: stripe_payments.refresh_for_operator(s, ctx=operator_context(request)),
        )


@admin.register(Transaction)
class TransactionAdmin(TriggerButtonsMixin, ResourceAdmin):
    """Each transaction with its gateway's outcome (payments.md: message, error code and
    detail of a refused or unanswered call); an operator captures, voids, refunds or forwards
    through the API's services."""

    list_display = (
        "number",
        "kind",
        "order",
        "formatted_amount",
        "balance",
        "succeeded",
        "message",
        "error_code",
        "created_at",
    )
    list_select_related = ("order",)
    list_filter = ("kind", "succeeded", "error_code")
    search_fields = ("number", "order__number", "public_id", "gateway_transaction_id")
    trigger_labels = dict(TRANSACTION_ACTIONS)

    def get_queryset(self, request):
        return with_balances(super().get_queryset(request))

    @admin.display(description="amount")
    def formatted_amount(self, obj):
        return format_amount(obj.amount_cents, obj.currency_code)

    @admin.display(description="balance")
    def balance(self, obj):
        return _balance(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def may_trigger(self, request, obj) -> bool:
        return request.user.has_perm("orders.change_transaction")

    def run_trigger(self, request, tx, name):
        run_on_each(
            self,
            request,
            [tx],
            self.trigger_labels[name],
            lambda t: transactions.run_operator_trigger(t, name, ctx=operator_context(request)),
        )


@admin.register(LineItem)
class LineItemAdmin(ResourceAdmin):
    list_display = (
        "public_id",
        "order",
        "item_type",
        "sku_code",
        "bundle_code",
        "quantity",
        "created_at",
    )
    list_select_related = ("order",)
    list_filter = ("item_type",)
    search_fields = ("public_id", "order__number", "sku_code", "bundle_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StockLineItem)
class StockLineItemAdmin(ResourceAdmin):
    list_display = ("public_id", "shipment", "sku_code", "quantity", "stock_item")
    list_select_related = ("shipment", "stock_item", "line_item")  # str() reads its name
    search_fields = ("public_id", "sku_code", "shipment__number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrderCopy)
class OrderCopyAdmin(ResourceAdmin):
    """Reorders (aftersale.md §4) as the worker left them: read-only."""

    list_display = ("public_id", "source_order", "target_order", "status", "created_at")
    list_select_related = ("source_order", "target_order")
    list_filter = ("status",)
    search_fields = ("public_id", "source_order__number", "target_order__number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
