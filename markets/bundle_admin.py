"""Django admin of bundles (catalog.md "Bundles"), registered by markets/admin.py.

A bundle is made and changed through the same services as the API (markets.bundle_services): a
form whose bundle they refuse shows their reasons, nothing written. Its market and SKU list are
chosen when it is made. Its components (the list's items) are listed on its page, with what the
bundle derives from them; the buttons "Compute price" and "Compute compare-at" run the API's
`_compute_price_amount` and `_compute_compare_at_amount`.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count

from commerce import money
from commerce.admin import ResourceAdmin, TriggerButtonsMixin, error_text, run_on_each
from commerce.exceptions import CommerceError
from markets import bundle_services as services
from markets.bundle_selectors import bundle_items, every_component
from markets.models import Bundle

BUNDLE_ACTIONS = {
    "compute_price_amount": "Compute price",
    "compute_compare_at_amount": "Compute compare-at",
}
_TRIGGERS = {
    "compute_price_amount": services.compute_price_amount,
    "compute_compare_at_amount": services.compute_compare_at_amount,
}
# What the form edits; `market` and `sku_list` only on a new bundle.
FIELDS = (
    "code",
    "name",
    "market",
    "sku_list",
    "currency_code",
    "description",
    "image_url",
    "price_amount_cents",
    "compare_at_amount_cents",
    "reference",
    "reference_origin",
    "metadata",
)


class BundleForm(forms.ModelForm):
    """The services' rules (currency, list, code) checked when the form is, so that a refusal
    is an error on the page; the save then goes through the same services."""

    image_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Bundle
        fields = FIELDS

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.check_bundle(self.instance, new=self.instance.pk is None)
        except CommerceError as error:
            self.add_error(None, error_text(error))


@admin.register(Bundle)
class BundleAdmin(TriggerButtonsMixin, ResourceAdmin):
    form = BundleForm
    trigger_labels = BUNDLE_ACTIONS
    list_display = (
        "code",
        "name",
        "market",
        "currency",
        "price",
        "compare_at",
        "items_count",
        "public_id",
        "created_at",
    )
    list_select_related = ("market__price_list", "sku_list")
    search_fields = ("code", "name", "public_id", "sku_list__name", "reference")
    list_filter = ("market", "currency_code")
    autocomplete_fields = ("market", "sku_list")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(items=Count("sku_list__sku_list_items"))

    def get_readonly_fields(self, request, obj=None):
        fields = (
            *super().get_readonly_fields(request, obj),
            "components",
            "all_do_not_ship",
            "all_do_not_track",
        )
        return (*fields, "market", "sku_list") if obj else fields

    @admin.display(description="currency", ordering="currency_code")
    def currency(self, obj):
        return obj.effective_currency_code

    @admin.display(description="price", ordering="price_amount_cents")
    def price(self, obj):
        return money.format_amount(obj.price_amount_cents, obj.effective_currency_code) or "-"

    @admin.display(description="compare at", ordering="compare_at_amount_cents")
    def compare_at(self, obj):
        return money.format_amount(obj.compare_at_amount_cents, obj.effective_currency_code) or "-"

    @admin.display(description="items", ordering="items")
    def items_count(self, obj):
        return obj.items

    @admin.display(description="components")
    def components(self, obj):
        """Each item of the list: quantity per bundle x SKU (name)."""
        if obj.pk is None:
            return "-"
        return "; ".join(
            f"{item.quantity} × {item.sku.code} ({item.sku.name})" for item in bundle_items(obj)
        )

    @admin.display(description="do not ship", boolean=True)
    def all_do_not_ship(self, obj):
        return None if obj.pk is None else every_component(obj, "do_not_ship")

    @admin.display(description="do not track", boolean=True)
    def all_do_not_track(self, obj):
        return None if obj.pk is None else every_component(obj, "do_not_track")

    def save_model(self, request, obj, form, change):
        if not change:
            services.add_bundle(obj)  # the form's instance, with what it holds
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if values:
            services.update_bundle(obj, values)

    def run_trigger(self, request, bundle, name):
        label = self.trigger_labels[name]
        run_on_each(self, request, [bundle], label, lambda b: _TRIGGERS[name](b))
