"""Operators' admin for gift cards and their recipients (catalog.md "Gift cards").

A card's status and balance are read-only on its page: they move through the buttons
(`_purchase`, `_activate`, `_deactivate`) and the balance change form, which call the API's
services (orders.services.gift_cards) in one transaction each, the card locked, a refusal shown
with the service's reason. New cards and changes are checked by the same rules as over the API
(`check_card_values`) and written by its services. The balance log and what each order holds of
the card are shown with links to the orders.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from commerce import codes
from commerce.admin import ResourceAdmin, TriggerButtonsMixin, run_on_each, trigger_action
from commerce.auth.context import INTEGRATION, TokenContext
from commerce.exceptions import ValidationError
from commerce.money import format_amount
from orders.models import GiftCard, GiftCardRecipient, Order
from orders.services import gift_cards

# The card triggers an operator may press (the API's `_<name>`).
GIFT_CARD_ACTIONS = {"purchase": "Purchase", "activate": "Activate", "deactivate": "Deactivate"}
# What an operator writes on a new card, and on one that exists (the balance moves only by the
# balance change form, the status only by the buttons).
ADD_FIELDS = (
    "code",
    "currency_code",
    "balance_cents",
    "balance_max_cents",
    "market",
    "gift_card_recipient",
    "single_use",
    "rechargeable",
    "distribute_discount",
    "image_url",
    "expires_at",
    "reference",
    "reference_origin",
    "metadata",
)
CHANGE_FIELDS = tuple(n for n in ADD_FIELDS if n not in ("code", "balance_cents"))


def _operator(request) -> TokenContext:
    """Admin users act with an integration's rights (the back office)."""
    return TokenContext(
        kind=INTEGRATION, application_id=0, client_id=f"admin:{request.user.get_username()}"
    )


class GiftCardForm(forms.ModelForm):
    """A blank code is a UUID and a blank currency the market's (as over the API); the rest of
    the API's rules are checked by `check_card_values`."""

    code = forms.CharField(max_length=255, required=False, help_text="blank: a UUID")
    currency_code = forms.CharField(max_length=3, required=False, help_text="blank: the market's")
    # Links typed without a scheme are https (commerce.admin.ResourceAdmin's default).
    image_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = GiftCard
        fields = ADD_FIELDS

    def clean_currency_code(self):
        value = self.cleaned_data.get("currency_code") or None
        if value is not None and not codes.is_currency(value):
            raise forms.ValidationError("is not a valid ISO 4217 currency code")
        return value.upper() if value else None

    def clean(self):
        cleaned = super().clean()
        card = self.instance if self.instance.pk else None
        names = self.changed_data if card is not None else list(self.fields)
        values = {n: cleaned[n] for n in names if n in cleaned}
        try:
            self.card_values = gift_cards.check_card_values(values, card)
        except ValidationError as error:
            self.add_error(error.name if error.name in self.fields else None, error.title)
        return cleaned


@admin.register(GiftCard)
class GiftCardAdmin(TriggerButtonsMixin, ResourceAdmin):
    change_form_template = "admin/orders/giftcard/change_form.html"
    form = GiftCardForm
    list_display = (
        "code",
        "status",
        "formatted_balance",
        "formatted_initial_balance",
        "market",
        "recipient",
        "single_use",
        "expires_at",
        "created_at",
    )
    list_select_related = ("market", "gift_card_recipient")
    list_filter = ("status", "currency_code", "market", "single_use", "rechargeable")
    search_fields = ("code", "public_id", "gift_card_recipient__email", "reference")
    autocomplete_fields = ("market", "gift_card_recipient")
    actions = [
        trigger_action(
            f"gift_card_{name}",
            label,
            lambda request, card, name=name: gift_cards.run_operator_trigger(card, name),
        )
        for name, label in GIFT_CARD_ACTIONS.items()
    ]
    trigger_labels = dict(GIFT_CARD_ACTIONS)
    BALANCE_FIELDS = (
        "status",
        "formatted_balance",
        "formatted_initial_balance",
        "formatted_balance_max",
        "balance_history",
        "orders_holding",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ADD_FIELDS}),)
        return (
            (None, {"fields": ("public_id", "code", *CHANGE_FIELDS[:2])}),
            ("Balance", {"fields": self.BALANCE_FIELDS}),
            ("Settings", {"fields": CHANGE_FIELDS[2:]}),
            ("Dates", {"fields": ("created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*ResourceAdmin.readonly_fields, "code", *self.BALANCE_FIELDS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ADD_FIELDS if obj is None else CHANGE_FIELDS
        return super().get_form(request, obj, change, **kwargs)

    def _money(self, obj, name):
        return format_amount(getattr(obj, f"{name}_cents"), obj.currency_code)

    @admin.display(description="balance", ordering="balance_cents")
    def formatted_balance(self, obj):
        return self._money(obj, "balance")

    @admin.display(description="initial balance", ordering="initial_balance_cents")
    def formatted_initial_balance(self, obj):
        return self._money(obj, "initial_balance")

    @admin.display(description="balance max")
    def formatted_balance_max(self, obj):
        return self._money(obj, "balance_max") if obj.balance_max_cents is not None else "-"

    @admin.display(description="recipient", ordering="gift_card_recipient__email")
    def recipient(self, obj):
        return obj.recipient_email or "-"

    def _order_links(self, order_ids) -> dict:
        orders = Order.objects.filter(public_id__in=set(order_ids)).only(
            "pk", "public_id", "number"
        )
        return {
            o.public_id: format_html(
                '<a href="{}">#{}</a>', reverse("admin:orders_order_change", args=[o.pk]), o.number
            )
            for o in orders
        }

    @admin.display(description="balance log")
    def balance_history(self, obj):
        """Each change of the balance, oldest first, with the order that made it."""
        if not obj.balance_log:
            return "no change yet"
        links = self._order_links(e["order_id"] for e in obj.balance_log if e.get("order_id"))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry["datetime"],
                    format_amount(entry["balance_change_cents"], obj.currency_code),
                    links.get(entry.get("order_id"), entry.get("order_id") or "operator"),
                )
                for entry in obj.balance_log
            ),
        )
        return format_html(
            "<table><tr><th>when</th><th>change</th><th>by</th></tr>{}</table>", rows
        )

    @admin.display(description="orders holding it")
    def orders_holding(self, obj):
        """What each order that redeemed the card holds of it now (0 once cancelled)."""
        if not obj.usage_log:
            return "none"
        links = self._order_links(obj.usage_log)
        return format_html_join(
            ", ",
            "{} holds {}",
            (
                (
                    links.get(order_id, order_id),
                    format_amount(use["amount_cents"], obj.currency_code),
                )
                for order_id, use in obj.usage_log.items()
            ),
        )

    def save_model(self, request, obj, form, change):
        """Through the API's services: a new card, or the values changed (checked by the form)."""
        values = dict(getattr(form, "card_values", {}))
        if change:
            if values:
                saved = gift_cards.update_gift_card(obj, values, ctx=_operator(request))
                obj.__dict__.update(saved.__dict__)
            return
        created = gift_cards.create_gift_card(ctx=_operator(request), values=values)
        obj.__dict__.update(created.__dict__)

    def run_trigger(self, request, card, name):
        label = self.trigger_labels[name]
        run_on_each(
            self, request, [card], label, lambda c: gift_cards.run_operator_trigger(c, name)
        )

    # --- the balance change form ---------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/balance_change/",
                self.admin_site.admin_view(self.balance_change_view),
                name=f"{opts.app_label}_{opts.model_name}_balance_change",
            ),
            *super().get_urls(),
        ]

    def balance_change_view(self, request, object_id):
        """`_balance_change_cents` for an operator: a POST of an integer of cents, either sign."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        card = get_object_or_404(GiftCard, pk=object_id)
        if not self.may_trigger(request, card):
            raise PermissionDenied
        try:
            cents = int(request.POST.get("balance_change_cents", ""))
        except ValueError:
            self.message_user(request, "Balance change: give a whole number of cents.", "error")
        else:
            run_on_each(
                self,
                request,
                [card],
                "Balance change",
                lambda c: gift_cards.run_operator_trigger(c, "balance_change_cents", cents),
            )
        return HttpResponseRedirect(reverse("admin:orders_giftcard_change", args=[card.pk]))


@admin.register(GiftCardRecipient)
class GiftCardRecipientAdmin(ResourceAdmin):
    list_display = ("email", "first_name", "last_name", "customer", "cards", "created_at")
    list_select_related = ("customer",)
    search_fields = ("email", "first_name", "last_name", "public_id")
    autocomplete_fields = ("customer",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cards_count=Count("gift_cards"))

    @admin.display(description="gift cards", ordering="cards_count")
    def cards(self, obj):
        """How many cards were sent to the address, linked to them (searched by it)."""
        changelist = reverse("admin:orders_giftcard_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>', changelist, urlencode({"q": obj.email}), obj.cards_count
        )
