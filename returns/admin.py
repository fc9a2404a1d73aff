"""Operators' admin for returns (aftersale.md §3), through the same services as the API.

From an order's page an operator creates a return ("Create a return": a draft holding every
unit still returnable; the order page lists its returns), adjusts its line items while draft or
requested, and runs it from request to refund with the return page's buttons. Each button is
the API's `_<name>` (returns.services.operator), with the order and the return locked; a refused
move shows the service's reason and changes nothing. Statuses and figures are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from commerce.admin import (
    ResourceAdmin,
    TriggerButtonsMixin,
    error_text,
    run_on_each,
    trigger_action,
)
from commerce.exceptions import CommerceError
from commerce.money import format_amount
from orders.admin import OrderAdmin, ReadOnlyInline, operator_context
from orders.models import LineItem, Order
from returns.models import InventoryReturnLocation, Return, ReturnLineItem
from returns.services import line_items, operator
from returns.services.line_items import RETURNABLE_ITEM_TYPES
from returns.services.stock import run_line_item_trigger

# The return triggers an operator may send, in the table's order: the API's `_<name>`.
RETURN_ACTIONS = {
    "request": "Request",
    "approve": "Approve",
    "ship": "Ship",
    "receive": "Receive",
    "reject": "Reject",
    "restock": "Restock",
    "refund": "Refund",
    "cancel": "Cancel",
    "archive": "Archive",
}


# What an operator edits on a return's page: its notes (the rest moves through the triggers).
NOTES = ("reference", "reference_origin", "metadata")


def trigger_return(name: str, request, ret: Return) -> Return:
    return operator.run_operator_trigger(ret, name, ctx=operator_context(request))


class ReturnLineItemForm(forms.ModelForm):
    class Meta:
        model = ReturnLineItem
        fields = ("line_item", "quantity")

    def __init__(self, *args, order_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("line_item")
        if field is not None:
            field.queryset = LineItem.objects.filter(
                order_id=order_id, item_type__in=RETURNABLE_ITEM_TYPES
            ).order_by("id")
            if self.instance.pk is not None:
                field.disabled = True  # a line item's line is set when it is made


class ReturnLineItemInline(admin.TabularInline):
    model = ReturnLineItem
    form = ReturnLineItemForm
    extra = 0
    fields = ("line_item", "quantity", "total_amount", "restocked_quantity", "restocked_at")
    readonly_fields = ("total_amount", "restocked_quantity", "restocked_at")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        order_id = obj.order_id if obj is not None else None

        class Bound(formset):
            def get_form_kwargs(self, index):
                return {**super().get_form_kwargs(index), "order_id": order_id}

        return Bound

    @admin.display(description="total")
    def total_amount(self, obj):
        return format_amount(obj.total_amount_cents, obj.currency_code)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line_item")


@admin.register(Return)
class ReturnAdmin(TriggerButtonsMixin, ResourceAdmin):
    list_display = (
        "number",
        "order",
        "status",
        "formatted_estimated_refund_amount",
        "skus_count",
        "stock_location",
        "created_at",
    )
    list_select_related = ("order", "stock_location")
    list_filter = ("status", "stock_location")
    search_fields = ("number", "public_id", "order__number", "customer_email")
    actions = [
        trigger_action(
            f"return_{name}",
            label,
            lambda request, ret, name=name: trigger_return(name, request, ret),
        )
        for name, label in RETURN_ACTIONS.items()
    ]
    trigger_labels = dict(RETURN_ACTIONS)
    inlines = (ReturnLineItemInline,)
    fields = (
        "number",
        "public_id",
        "order",
        "status",
        "customer_email",
        "stock_location",
        "formatted_estimated_refund_amount",
        "skus_count",
        "reference_capture",
        "reference_refund",
        "approved_at",
        "shipped_at",
        "received_at",
        "refunded_at",
        "rejected_at",
        "cancelled_at",
        "archived_at",
        "reference",
        "reference_origin",
        "metadata",
    )
    readonly_fields = tuple(name for name in fields if name not in NOTES)

    @admin.display(description="estimated refund amount")
    def formatted_estimated_refund_amount(self, obj):
        return format_amount(obj.estimated_refund_amount_cents, obj.currency_code)

    def has_add_permission(self, request):
        return False  # made from an order's page (or the API)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == "draft")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # drafts only, one by one (the service checks)
        return actions

    def delete_model(self, request, obj):
        operator.delete_return(obj, ctx=operator_context(request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """An edit its services refuse (a line beyond what may be returned, a return past its
        draft) is the service's reason on the page, with nothing saved, never a 500."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CommerceError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in NOTES}
        if values:
            operator.update_return(obj, values, ctx=operator_context(request))

    def save_formset(self, request, form, formset, change):
        """The line items through the API's services (each locks the order, the return, the
        line item), as an integration token would change them."""
        ctx = operator_context(request)
        ret = form.instance
        formset.save(commit=False)
        for item in formset.deleted_objects:
            line_items.delete_return_line_item(item, ctx=ctx)
        for item in formset.new_objects:
            line_items.create_return_line_item(
                ctx=ctx,
                values={
                    "return_record": ret,
                    "line_item": item.line_item,
                    "quantity": item.quantity,
                },
            )
        for item, changed in formset.changed_objects:
            if "quantity" in changed:
                line_items.update_return_line_item(item, {"quantity": item.quantity}, ctx=ctx)

    def run_trigger(self, request, ret, name):
        label = RETURN_ACTIONS[name]
        run_on_each(self, request, [ret], label, lambda r: trigger_return(name, request, r))


@admin.register(ReturnLineItem)
class ReturnLineItemAdmin(TriggerButtonsMixin, ResourceAdmin):
    list_display = ("public_id", "return_record", "sku_code", "quantity", "restocked_quantity")
    list_select_related = ("return_record",)
    search_fields = ("public_id", "sku_code", "return_record__number")
    readonly_fields = (
        "public_id",
        "return_record",
        "line_item",
        "sku_code",
        "quantity",
        "total_amount_cents",
        "restocked_at",
        "restocked_quantity",
        "created_at",
        "updated_at",
    )
    exclude = ("estimated_refund_cents", "bundle_code", "name", "image_url", "currency_code")
    trigger_labels = {"restock": "Restock", "reset": "Reset restocked quantity"}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def run_trigger(self, request, item, name):
        run_on_each(
            self,
            request,
            [item],
            self.trigger_labels[name],
            lambda i: run_line_item_trigger(i, name, ctx=operator_context(request)),
        )


@admin.register(InventoryReturnLocation)
class InventoryReturnLocationAdmin(ResourceAdmin):
    list_display = ("inventory_model", "stock_location", "priority")
    list_select_related = ("inventory_model", "stock_location")


# --- an order's returns, on its page -------------------------------------------------------


class ReturnInline(ReadOnlyInline):
    model = Return
    fields = ("number", "status", "estimated_refund", "skus_count", "stock_location")
    readonly_fields = fields

    @admin.display(description="estimated refund")
    def estimated_refund(self, obj):
        return format_amount(obj.estimated_refund_amount_cents, obj.currency_code)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stock_location")


class OrderWithReturnsAdmin(OrderAdmin):
    """The orders app's admin, with the order's returns and a "Create a return" button (this
    app sits above orders, so it extends that admin instead of being named by it)."""

    inlines = (*OrderAdmin.inlines, ReturnInline)
    trigger_labels = {**OrderAdmin.trigger_labels, "create_return": "Create a return"}

    def run_trigger(self, request, order, name):
        if name != "create_return":
            return super().run_trigger(request, order, name)
        # The new draft is listed on the order's page, with a link to its own.
        run_on_each(
            self,
            request,
            [order],
            self.trigger_labels[name],
            lambda o: operator.create_whole_return(o, ctx=operator_context(request)),
        )


admin.site.unregister(Order)
admin.site.register(Order, OrderWithReturnsAdmin)
