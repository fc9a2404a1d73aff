"""Django admin of the shared kernel: addresses, API clients, token scopes, events, counters.

`ResourceAdmin` is the base of every resource's admin (here and in inventory/markets): the
public id and timestamps are shown read-only, lists are newest first and paginated.
"""

from django.contrib import admin

from commerce.models import (
    AccessTokenScope,
    Address,
    ApiClient,
    Counter,
    Event,
    IdempotencyKey,
)

RESOURCE_READONLY = ("public_id", "created_at", "updated_at")


class ResourceAdmin(admin.ModelAdmin):
    """Base admin for `commerce.models.Resource` subclasses."""

    readonly_fields = RESOURCE_READONLY
    list_per_page = 50
    ordering = ("-created_at", "-id")
    show_full_result_count = False


class ResourceInline(admin.TabularInline):
    readonly_fields = ("public_id",)
    extra = 0
    show_change_link = True


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


@admin.register(ApiClient)
class ApiClientAdmin(ResourceAdmin):
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


@admin.register(AccessTokenScope)
class AccessTokenScopeAdmin(admin.ModelAdmin):
    """Resolved scopes of issued tokens: read-only (tokens are issued by /oauth/token)."""

    list_display = ("access_token", "kind", "market_ids", "customer_public_id", "expires")
    list_select_related = ("access_token",)
    search_fields = ("customer_public_id", "access_token__application__client_id")
    list_filter = ("kind",)
    raw_id_fields = ("access_token",)

    @admin.display(ordering="access_token__expires")
    def expires(self, obj):
        return obj.access_token.expires

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The domain-event outbox, read-only."""

    list_display = ("id", "topic", "resource_type", "resource_id", "created_at")
    search_fields = ("topic", "resource_type", "resource_id")
    list_filter = ("topic", "resource_type")
    readonly_fields = ("created_at",)
    ordering = ("-id",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("name", "value")
    search_fields = ("name",)
    ordering = ("name",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
