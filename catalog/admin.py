"""Django admin of the catalog: SKU lists, their items inline (catalog.md "SKU lists")."""

from django import forms
from django.contrib import admin

from catalog.models import SkuList, SkuListItem
from commerce.admin import ResourceAdmin, ResourceInline
from commerce.jsonapi.fields import regex_compiles


class SkuListForm(forms.ModelForm):
    """A regex must compile (as the API checks it)."""

    # Links typed without a scheme are https (commerce.admin.ResourceAdmin's default).
    image_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = SkuList
        fields = [
            "name",
            "description",
            "image_url",
            "sku_code_regex",
            "reference",
            "reference_origin",
            "metadata",
        ]

    def clean_sku_code_regex(self):
        value = self.cleaned_data.get("sku_code_regex")
        if value and not regex_compiles(value):
            raise forms.ValidationError("Enter a valid regular expression.")
        return value


class SkuListItemFormSet(forms.BaseInlineFormSet):
    """Items join manual lists only (a list with a regex takes none: 422 in the API)."""

    def clean(self):
        super().clean()
        if self.instance.manual:
            return
        for form in self.forms:
            new = form.instance.pk is None and form.has_changed()
            if new and not self._should_delete_form(form):
                raise forms.ValidationError(
                    "A list with a SKU code regex is automatic: it takes no items."
                )


class SkuListItemInline(ResourceInline):
    model = SkuListItem
    formset = SkuListItemFormSet
    fields = ("public_id", "sku", "position", "quantity")
    autocomplete_fields = ("sku",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")


@admin.register(SkuList)
class SkuListAdmin(ResourceAdmin):
    form = SkuListForm
    list_display = ("name", "slug", "kind", "sku_code_regex", "public_id", "created_at")
    search_fields = ("name", "slug", "public_id", "sku_code_regex", "reference")
    readonly_fields = (*ResourceAdmin.readonly_fields, "slug")
    inlines = (SkuListItemInline,)

    @admin.display(description="kind")
    def kind(self, obj):
        return "manual" if obj.manual else "automatic"
