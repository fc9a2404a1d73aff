"""Gift cards (catalog.md "Gift cards"): their triggers, buying one as a line item, and the
balance a redemption takes at `_place` and gives back on a cancel or a full refund."""

from commerce.auth.context import TokenContext
from commerce.exceptions import ValidationError
from orders.models import LineItem, Order


def add_gift_card_line(order: Order, item, values: dict, *, ctx: TokenContext) -> LineItem:
    """`order` read under its row lock and editable (orders.services.carts.create_line_item)."""
    raise ValidationError("item_type", "gift cards can't be added yet", error="inclusion")
