"""Admin of webhooks: circuit state at a glance, the latest callbacks inline, "reset circuit"."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.forms.models import BaseInlineFormSet

from commerce.admin import ResourceAdmin
from commerce.webhooks import services, ssrf
from commerce.webhooks.models import Delivery, EventCallback, Webhook

RECENT_CALLBACKS = 20


class RecentCallbacksFormSet(BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")[:RECENT_CALLBACKS]


class EventCallbackInline(admin.TabularInline):
    model = EventCallback
    formset = RecentCallbacksFormSet
    fields = ("created_at", "response_code", "response_message", "duration_ms", "callback_url")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = f"latest {RECENT_CALLBACKS} event callbacks"


class WebhookForm(forms.ModelForm):
    def clean_callback_url(self):
        url = self.cleaned_data["callback_url"]
        try:
            ssrf.check_url(url)
        except ssrf.UnsafeURL as exc:
            raise forms.ValidationError(f"callback_url {exc}") from None
        return url


@admin.action(description="Reset circuit (closed, failure count 0, send what waited)")
def reset_circuit(modeladmin, request, queryset):
    services.reset_circuits(queryset)
    modeladmin.message_user(request, "Circuits reset.", messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(ResourceAdmin):
    list_display = (
        "public_id",
        "name",
        "topic",
        "callback_url",
        "circuit_state",
        "circuit_failure_count",
        "disabled_at",
        "created_at",
    )
    list_filter = ("circuit_state", "topic")
    search_fields = ("public_id", "name", "topic", "callback_url")
    readonly_fields = (
        "public_id",
        "created_at",
        "updated_at",
        "circuit_state",
        "circuit_failure_count",
        "shared_secret",
    )
    form = WebhookForm
    actions = [reset_circuit]
    inlines = [EventCallbackInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs: written by the delivery workers only."""

    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EventCallback)
class EventCallbackAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "webhook", "response_code", "duration_ms", "created_at")
    list_filter = ("response_code",)
    search_fields = ("public_id", "callback_url", "webhook__public_id")
    list_select_related = ("webhook",)
    ordering = ("-created_at", "-id")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "message_id",
        "webhook",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
    )
    list_filter = ("status",)
    search_fields = ("message_id", "webhook__public_id")
    list_select_related = ("webhook", "event")
    ordering = ("-id",)
