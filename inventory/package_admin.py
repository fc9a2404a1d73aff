"""Operators' admin for packages (shipping.md "Packages"), registered from inventory/admin.py.

A package is checked by the API's rules (inventory.package_services.package_problems: dimensions
> 0, a code unique per stock location, kept at its location while parcels use it), shown as
form errors, and written by the same services, so that each write records its event; a delete
of a package a parcel is made from is refused with the API's reason (423)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from commerce.admin import ResourceAdmin
from inventory import package_services as services
from inventory.models import Package


class PackageForm(forms.ModelForm):
    class Meta:
        model = Package
        fields = ("stock_location", "name", "code", "length", "width", "height", "unit_of_length")

    def _post_clean(self):
        """ModelForm's, but the model's constraints (dimensions > 0, a code per location) are
        the services' rules, checked with the API's messages on their fields."""
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)
        if self.errors:
            return
        moved = self.instance.pk is not None and "stock_location" in self.changed_data
        for problem in services.package_problems(self.instance, moved=moved):
            self.add_error(problem.name if problem.name in self.fields else None, problem.title)


@admin.register(Package)
class PackageAdmin(ResourceAdmin):
    form = PackageForm
    list_display = (
        "name",
        "code",
        "stock_location",
        "length",
        "width",
        "height",
        "unit_of_length",
        "public_id",
        "created_at",
    )
    list_select_related = ("stock_location",)
    list_filter = ("stock_location", "unit_of_length")
    search_fields = ("name", "code", "public_id", "stock_location__code", "reference")
    autocomplete_fields = ("stock_location",)

    def save_model(self, request, obj, form, change):
        if not change:
            services.add_package(obj)
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if values:
            services.update_package(obj, values)  # re-read under its lock

    def delete_model(self, request, obj):
        services.delete_package(obj)

    def delete_queryset(self, request, queryset):
        for package in queryset:
            services.delete_package(package)
