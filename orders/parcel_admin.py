"""Operators' admin for parcels (shipping.md "Packages, parcels, parcel line items"), imported
from orders/admin.py.

On a shipment's page, its parcels are listed (`ParcelInline`) with an "Add a parcel" link to
the packing page (`ParcelAdmin.pack_view`, template admin/orders/parcel/pack.html): the operator
chooses a package of the shipment's stock location, enters the weight and its unit and a
tracking number, and packs quantities of the shipment's stock line items (each defaults to
what is left of it). Saving runs orders.services.parcels.pack_parcel, the services the API's
writes call, in one transaction: what they refuse (a shipment not being packed, more units
than are left, a weight of 0) comes back as the form's errors, nothing saved. The shipment is
then shipped with its page's trigger buttons, which refuse `_ship` until everything is packed.

A parcel's own page changes it through `update_parcel` (once shipped, only the carrier's
attributes), and deletes go through `delete_parcel` / `delete_parcel_line_item`: a refusal is
the service's reason as an error message, nothing changed.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from commerce.admin import ResourceAdmin, error_text
from commerce.exceptions import CommerceError
from inventory.models import Package
from orders.models import Parcel, ParcelLineItem, Shipment
from orders.services import parcels

# What an operator writes on a parcel's page (the number is the service's; the customs fields,
# references and metadata stay with the API).
CHANGE_FIELDS = (
    "package",
    "weight",
    "unit_of_weight",
    "tracking_number",
    "tracking_status",
    "tracking_status_detail",
    "shipping_label_url",
    "signed_by",
)
# A service's pointer -> the packing form's field.
_PACK_FIELDS = {
    "/data/relationships/package": "package",
    "/data/attributes/weight": "weight",
    "/data/attributes/unit_of_weight": "unit_of_weight",
    "/data/attributes/tracking_number": "tracking_number",
}


def package_label(package: Package) -> str:
    """ "Medium box (MED) 30×20×10 cm": what an operator picks a box by."""
    code = f" ({package.code})" if package.code else ""
    size = "×".join(f"{getattr(package, n):g}" for n in ("length", "width", "height"))
    return f"{package.name}{code} {size} {package.unit_of_length}"


def _packed_text(parcel: Parcel) -> str:
    return ", ".join(
        f"{line.quantity} × {line.sku_code}" for line in parcel.parcel_line_items.all()
    )


class ParcelInline(admin.TabularInline):
    """A shipment's parcels, read-only, with the link to pack another one."""

    model = Parcel
    template = "admin/orders/parcel/inline.html"
    fields = ("number", "package", "weight", "unit_of_weight", "tracking_number", "packed")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("package")
            .prefetch_related("parcel_line_items")
        )

    @admin.display(description="packed")
    def packed(self, obj):
        return _packed_text(obj) or "-"


class PackForm(forms.Form):
    """A parcel of `shipment` and what it packs: a quantity field per stock line item
    (`line_<index>`), each at most what is left of it."""

    package = forms.ModelChoiceField(queryset=Package.objects.none())
    weight = forms.FloatField()
    unit_of_weight = forms.ChoiceField(choices=Parcel.UNITS_OF_WEIGHT)
    tracking_number = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, shipment: Shipment, lines: list, packed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["package"].queryset = Package.objects.filter(
            stock_location_id=shipment.stock_location_id
        ).order_by("name", "id")
        self.fields["package"].label_from_instance = package_label
        self.line_fields = []
        for index, line in enumerate(lines):
            left = line.quantity - packed.get(line.pk, 0)
            name = f"line_{index}"
            self.fields[name] = forms.IntegerField(
                min_value=0,
                max_value=max(left, 0),
                initial=max(left, 0),
                label=f"{line.sku_code} ({left} of {line.quantity} left)",
            )
            self.line_fields.append((line, self[name], left))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"line_{i}") for i in range(len(self.lines))):
            raise forms.ValidationError("Pack at least one unit.")
        return cleaned

    def packing(self) -> list:
        return [(line, self.cleaned_data[f"line_{i}"]) for i, line in enumerate(self.lines)]

    def add_service_error(self, error: CommerceError) -> None:
        """Each refusal on the field it names (a line's quantity by its place), the rest above
        the form."""
        for item in error.items():
            pointer = item.pointer or ""
            name = _PACK_FIELDS.get(pointer)
            if pointer.startswith("/lines/"):
                name = f"line_{pointer.split('/')[2]}"
            if name in self.fields:
                self.add_error(name, item.title)
            else:
                self.add_error(None, item.detail)


class ParcelForm(forms.ModelForm):
    # Links typed without a scheme are https (commerce.admin.ResourceAdmin's default).
    shipping_label_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Parcel
        fields = CHANGE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "package" in self.fields and self.instance.pk:
            self.fields["package"].queryset = Package.objects.filter(
                stock_location_id=self.instance.shipment.stock_location_id
            )


class ParcelLineItemInline(admin.TabularInline):
    model = ParcelLineItem
    fields = ("sku_code", "name", "quantity", "stock_line_item")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Parcel)
class ParcelAdmin(ResourceAdmin):
    form = ParcelForm
    list_display = (
        "number",
        "shipment",
        "package",
        "weight",
        "unit_of_weight",
        "tracking_number",
        "created_at",
    )
    list_select_related = ("shipment", "package")
    search_fields = ("number", "tracking_number", "public_id", "shipment__number")
    list_filter = ("unit_of_weight", "shipment__status")
    inlines = (ParcelLineItemInline,)
    readonly_fields = (*ResourceAdmin.readonly_fields, "number", "shipment")

    def has_add_permission(self, request):
        return False  # from the shipment's page (pack_view)

    def get_fields(self, request, obj=None):
        return ("public_id", "number", "shipment", *CHANGE_FIELDS, "created_at", "updated_at")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change the service refuses (the shipment has shipped, a weight of 0) is the
        service's reason above the page, nothing changed."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CommerceError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if values:
            parcels.update_parcel(Parcel.objects.get(pk=obj.pk), values)

    def delete_model(self, request, obj):
        parcels.delete_parcel(obj)

    def delete_queryset(self, request, queryset):
        for parcel in queryset:
            parcels.delete_parcel(parcel)

    # --- packing a new parcel ----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "pack/<int:shipment_id>/",
                self.admin_site.admin_view(self.pack_view),
                name="orders_parcel_pack",
            ),
            *super().get_urls(),
        ]

    def pack_view(self, request, shipment_id):
        shipment = get_object_or_404(
            Shipment.objects.select_related("order", "stock_location"), pk=shipment_id
        )
        if not request.user.has_perm("orders.add_parcel"):
            raise PermissionDenied
        lines = list(
            shipment.stock_line_items.select_related("line_item", "sku").order_by(
                "created_at", "id"
            )
        )
        form = PackForm(
            request.POST if request.method == "POST" else None,
            shipment=shipment,
            lines=lines,
            packed=parcels.packed_by_line(shipment),
        )
        if request.method == "POST" and form.is_valid():
            values = {
                "weight": form.cleaned_data["weight"],
                "unit_of_weight": form.cleaned_data["unit_of_weight"],
                "tracking_number": form.cleaned_data["tracking_number"] or None,
            }
            try:
                with transaction.atomic():
                    parcel = parcels.pack_parcel(
                        shipment=shipment,
                        package=form.cleaned_data["package"],
                        values=values,
                        lines=form.packing(),
                    )
            except CommerceError as error:
                form.add_service_error(error)
            else:
                self.message_user(request, f"Parcel {parcel.number} added.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:orders_shipment_change", args=[shipment.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Add a parcel to shipment {shipment.number}",
            "shipment": shipment,
            "shipment_url": reverse("admin:orders_shipment_change", args=[shipment.pk]),
            "form": form,
        }
        return TemplateResponse(request, "admin/orders/parcel/pack.html", context)


@admin.register(ParcelLineItem)
class ParcelLineItemAdmin(ResourceAdmin):
    list_display = ("public_id", "parcel", "sku_code", "quantity", "created_at")
    list_select_related = ("parcel",)
    search_fields = ("public_id", "sku_code", "parcel__number")
    readonly_fields = (
        *ResourceAdmin.readonly_fields,
        "parcel",
        "stock_line_item",
        "quantity",
        "sku_code",
        "bundle_code",
        "name",
        "image_url",
    )

    def has_add_permission(self, request):
        return False  # from the shipment's page, with its parcel

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        parcels.delete_parcel_line_item(obj)

    def delete_queryset(self, request, queryset):
        for line in queryset:
            parcels.delete_parcel_line_item(line)
