"""Django admin of the shared kernel: addresses, API clients, token scopes, events, counters.

`ResourceAdmin` is the base of every resource's admin (here and in inventory/markets): the
public id and timestamps are shown read-only, lists are newest first and paginated.
`TriggerButtonsMixin` and `run_on_each` are how the apps' admins offer their state machines'
triggers (list actions and detail-page buttons) through the same services as the API.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from oauth2_provider.models import get_application_admin_class, get_application_model

from commerce.auth.exceptions import InvalidScope
from commerce.auth.scopes import parse_scope
from commerce.events import recording_events, triggers_only
from commerce.exceptions import CommerceError
from commerce.kept import keeping_refused_writes
from commerce.models import (
    AccessTokenScope,
    Address,
    ApiClient,
    Counter,
    Event,
    IdempotencyKey,
    RateCounter,
    Tag,
    Tagging,
)
from commerce.tags import is_valid_name

RESOURCE_READONLY = ("public_id", "created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the app writes and the admin only shows (events, tokens' scopes, job chunks...)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResourceAdmin(admin.ModelAdmin):
    """Base admin for `commerce.models.Resource` subclasses."""

    readonly_fields = RESOURCE_READONLY
    list_per_page = 50
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    # Links typed without a scheme are https (Django 6's default; silences its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def delete_view(self, request, object_id, extra_context=None):
        """A delete its service refuses (the guard under the record's lock saw a change the page
        did not: a transfer that left draft meanwhile) is an error on the record's page, with
        nothing deleted, never a 500."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except CommerceError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            opts = self.model._meta
            change = f"admin:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(change, args=[object_id]))


class ResourceInline(admin.TabularInline):
    readonly_fields = ("public_id",)
    extra = 0
    show_change_link = True


# --- triggers: list actions and detail-page buttons ----------------------------------------


def error_text(error: CommerceError) -> str:
    """The service's reason, as the API's error `detail`s say it."""
    return "; ".join(item.detail for item in error.items())


def run_on_each(modeladmin, request, objects, label, apply) -> int:
    """Apply `apply(obj)` to each object in its own transaction (a refusal rolls back all it
    did); report each refusal with the service's reason as an error message."""
    done = 0
    for obj in objects:
        try:
            # What a refusal must not lose (a gateway's failed call) is kept (commerce.kept).
            # A trigger, as the API's trigger-only PATCH: its events written at the end as one
            # INSERT, its own topics and no `.update` of what it changed (commerce.events).
            with keeping_refused_writes(), transaction.atomic(), recording_events():
                with triggers_only():
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


def trigger_action(name: str, label: str, apply):
    """A list action running `apply(request, obj)` on each selected object."""

    def action(modeladmin, request, queryset):
        run_on_each(
            modeladmin,
            request,
            queryset.order_by("pk"),
            label,
            lambda obj: apply(request, obj),
        )

    action.__name__ = name
    action.short_description = f"{label}: selected %(verbose_name_plural)s"
    action.allowed_permissions = ("change",)
    return action


class TriggerButtonsMixin:
    """Buttons on the detail page: each POSTs to <pk>/trigger/<name>/, which runs
    `run_trigger(request, obj, name)` and comes back to the page with its messages."""

    change_form_template = "admin/commerce/trigger_change_form.html"
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
        obj = get_object_or_404(self.model, pk=object_id)
        if name not in self.trigger_labels or not self.may_trigger(request, obj):
            raise PermissionDenied
        self.run_trigger(request, obj, name)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def run_trigger(self, request, obj, name):
        raise NotImplementedError

    def may_trigger(self, request, obj) -> bool:
        """Who may press the buttons: who may change the record, unless the admin says."""
        return self.has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "trigger_buttons": list(self.trigger_labels.items()),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Address)
class AddressAdmin(ResourceAdmin):
    list_display = (
        "public_id",
        "full_name",
        "company",
        "line_1",
        "city",
        "zip_code",
        "state_code",
        "country_code",
        "email",
        "created_at",
    )
    search_fields = (
        "public_id",
        "first_name",
        "last_name",
        "company",
        "line_1",
        "city",
        "zip_code",
        "email",
        "phone",
        "reference",
    )
    list_filter = ("country_code", "business")


class ApiClientForm(forms.ModelForm):
    """The scope is checked and normalized as `create_api_client` does (auth.md scopes)."""

    class Meta:
        model = ApiClient
        fields = ("application", "kind", "scope")

    def clean_scope(self):
        try:
            return str(parse_scope(self.cleaned_data.get("scope") or ""))
        except InvalidScope as error:
            raise forms.ValidationError(error.detail) from None


@admin.register(ApiClient)
class ApiClientAdmin(ResourceAdmin):
    form = ApiClientForm
    list_display = ("public_id", "name", "client_id", "kind", "scope", "created_at")
    list_select_related = ("application",)
    search_fields = ("public_id", "application__name", "application__client_id", "scope")
    list_filter = ("kind",)
    raw_id_fields = ("application",)

    @admin.display(ordering="application__name")
    def name(self, obj):
        return obj.application.name

    @admin.display(ordering="application__client_id")
    def client_id(self, obj):
        return obj.application.client_id


class ApiClientInline(admin.StackedInline):
    """On a django-oauth-toolkit application: its kind and market scope (auth.md)."""

    model = ApiClient
    form = ApiClientForm
    fields = ("kind", "scope", "public_id")
    readonly_fields = ("public_id",)
    can_delete = False
    extra = 0
    max_num = 1


class ApplicationAdmin(get_application_admin_class()):
    """DOT's application admin with the API client's kind and market scope beside it."""

    list_display = ("pk", "name", "client_id", "client_type", "kind", "scope")
    list_select_related = ("api_client",)
    list_filter = ("api_client__kind", "client_type")
    search_fields = ("name", "client_id", "api_client__scope")
    inlines = (ApiClientInline,)

    @admin.display(description="kind", ordering="api_client__kind")
    def kind(self, obj):
        client = getattr(obj, "api_client", None)
        return client.kind if client else "-"

    @admin.display(description="market scope", ordering="api_client__scope")
    def scope(self, obj):
        client = getattr(obj, "api_client", None)
        return (client.scope or "(every market)") if client else "-"


application_model = get_application_model()
if admin.site.is_registered(application_model):
    admin.site.unregister(application_model)
admin.site.register(application_model, ApplicationAdmin)


@admin.register(AccessTokenScope)
class AccessTokenScopeAdmin(ReadOnlyAdmin):
    """Resolved scopes of issued tokens: read-only (tokens are issued by /oauth/token)."""

    list_display = ("access_token", "kind", "market_ids", "customer_public_id", "expires")
    list_select_related = ("access_token",)
    search_fields = ("customer_public_id", "access_token__application__client_id")
    list_filter = ("kind",)
    raw_id_fields = ("access_token",)

    @admin.display(ordering="access_token__expires")
    def expires(self, obj):
        return obj.access_token.expires


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The domain-event outbox, read-only."""

    list_display = ("id", "topic", "resource_type", "resource_id", "created_at")
    search_fields = ("topic", "resource_type", "resource_id")
    list_filter = ("topic", "resource_type")
    readonly_fields = ("created_at",)
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("name", "value")
    search_fields = ("name",)
    ordering = ("name",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """Idempotency-Key records (commerce/idempotency.py), read-only. Deleting one lets a retry
    with its key run again."""

    list_display = ("key", "client_id", "method", "path", "state", "status_code", "created_at")
    list_select_related = ("application",)
    search_fields = ("key", "path", "application__client_id")
    list_filter = ("state", "method")
    raw_id_fields = ("application",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False

    @admin.display(ordering="application__client_id")
    def client_id(self, obj):
        return obj.application.client_id


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnlyAdmin):
    """Rate-limit counters of the database backend (commerce/ratelimit.py), read-only. Keys
    hold hashes, never a username; deleting a counter forgets what it counted (unblocks)."""

    list_display = ("key", "bucket", "current", "previous", "expires_at")
    search_fields = ("key",)
    ordering = ("key",)
    show_full_result_count = False


class TagForm(forms.ModelForm):
    """The API's rule for a name (bulk.md "Tags"): 1 to 25 of `[0-9A-Za-z_-]`."""

    class Meta:
        model = Tag
        fields = ("name", "reference", "reference_origin", "metadata")

    def clean_name(self):
        name = self.cleaned_data.get("name")
        if not is_valid_name(name):
            raise forms.ValidationError("1 to 25 letters, digits, underscores or hyphens.")
        return name


@admin.register(Tag)
class TagAdmin(ResourceAdmin):
    """Deleting a tag detaches it from every record (its taggings cascade)."""

    form = TagForm
    list_display = ("public_id", "name", "created_at")
    search_fields = ("public_id", "name")


@admin.register(Tagging)
class TaggingAdmin(ReadOnlyAdmin):
    """Which record carries which tag, read-only: tags are attached through the API."""

    list_display = ("id", "tag", "content_type", "object_id", "created_at")
    list_select_related = ("tag", "content_type")
    list_filter = ("content_type",)
    search_fields = ("tag__name",)
    raw_id_fields = ("tag",)
    ordering = ("-id",)
    show_full_result_count = False
