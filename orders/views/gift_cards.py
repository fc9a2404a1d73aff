"""Gift cards and their recipients (catalog.md "Gift cards"). Integration tokens do everything;
a sales channel or customer creates a `draft` card (of its own market) and reads a card of its
market, or of none, by id (auth.md); recipients are the back office's."""

from django.db.models import Q

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from orders import gift_card_serializers as s
from orders.models import GiftCard, GiftCardRecipient
from orders.services import gift_cards

GIFT_CARD_TRIGGERS = TriggerSet(
    Trigger("_purchase", gift_cards.purchase_gift_card, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_activate", gift_cards.activate_gift_card, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger(
        "_deactivate", gift_cards.deactivate_gift_card, kinds=INTEGRATION_ONLY, on_create=False
    ),
    Trigger(
        "_balance_change_cents",
        gift_cards.change_gift_card_balance,
        value=int,
        signed=True,
        kinds=INTEGRATION_ONLY,
        on_create=False,
    ),
)


@register
class GiftCardResource(ResourceView):
    resource_type = "gift_cards"
    model = GiftCard
    serializer_class = s.GiftCardSerializer
    access = {
        "list": INTEGRATION_ONLY,
        "retrieve": ALL_KINDS,
        "create": ALL_KINDS,
        "update": INTEGRATION_ONLY,
        "delete": INTEGRATION_ONLY,
    }
    select_related = ("gift_card_recipient",)  # `recipient_email`
    triggers = GIFT_CARD_TRIGGERS
    filter_aliases = {"recipient_email": "gift_card_recipient__email"}
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        "gift_card_recipient": Rel("gift_card_recipients", create="optional", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(Q(market__isnull=True) | Q(market__id__in=ctx.market_ids or ()))

    def create_resource(self, values, ctx):
        return gift_cards.create_gift_card(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return gift_cards.update_gift_card(instance, values, ctx=ctx) if values else instance


@register
class GiftCardRecipientResource(ResourceView):
    resource_type = "gift_card_recipients"
    model = GiftCardRecipient
    serializer_class = s.GiftCardRecipientSerializer
    relationships_map = {"customer": Rel("customers", create="optional", update=True)}
