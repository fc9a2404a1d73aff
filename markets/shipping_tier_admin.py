"""Django admin of shipping weight tiers (shipping.md "What a method costs for a shipment"):
listed on their method's page (read-only there, each linking to its own page) and edited on
their own pages through the API's services (markets.shipping_tier_services): a form the rules
refuse (a 6th tier, an `up_to` taken) shows why, nothing written, and every write records its
event. Registered on import (markets/admin.py)."""

from django import forms
from django.contrib import admin

from commerce import money
from commerce.admin import ResourceAdmin, ResourceInline, error_text
from commerce.exceptions import CommerceError
from markets import shipping_tier_services as services
from markets.models import ShippingWeightTier

FIELDS = ("shipping_method", "name", "up_to", "price_amount_cents", "reference", "metadata")


class ShippingWeightTierInline(ResourceInline):
    """A method's tiers on its page, by `up_to` (blank: beyond the others)."""

    model = ShippingWeightTier
    fields = ("public_id", "name", "up_to", "price_amount_cents")
    readonly_fields = fields
    can_delete = False
    max_num = 0  # added on their own page, through the services

    def has_add_permission(self, request, obj=None):
        return False


class ShippingWeightTierForm(forms.ModelForm):
    """`up_to` > 0 and the services' rules checked with the form, so that a refusal is an error
    on the page; the save then goes through the same services."""

    class Meta:
        model = ShippingWeightTier
        fields = FIELDS

    def clean_up_to(self):
        up_to = self.cleaned_data.get("up_to")
        if up_to is not None and up_to <= 0:
            raise forms.ValidationError("must be greater than 0")
        return up_to

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.check_weight_tier(self.instance)
        except CommerceError as error:
            self.add_error(None, error_text(error))


@admin.register(ShippingWeightTier)
class ShippingWeightTierAdmin(ResourceAdmin):
    form = ShippingWeightTierForm
    list_display = ("name", "shipping_method", "up_to", "price", "public_id", "created_at")
    list_select_related = ("shipping_method__market__price_list",)
    search_fields = ("name", "public_id", "shipping_method__name", "shipping_method__public_id")
    list_filter = ("shipping_method__scheme",)
    autocomplete_fields = ("shipping_method",)

    @admin.display(description="price", ordering="price_amount_cents")
    def price(self, obj):
        return money.format_amount(obj.price_amount_cents, obj.currency_code) or "-"

    def save_model(self, request, obj, form, change):
        if not change:
            services.add_weight_tier(obj)
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if values:
            services.update_weight_tier(obj, values)

    def delete_model(self, request, obj):
        services.delete_weight_tier(obj)

    def delete_queryset(self, request, queryset):
        for tier in queryset:
            services.delete_weight_tier(tier)
