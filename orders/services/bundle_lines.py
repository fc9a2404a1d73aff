"""Bundle lines (catalog.md "Bundles"): a cart's line of a bundle, priced at the bundle's price;
its stock is its components' (inventory.md)."""

from commerce.auth.context import TokenContext
from commerce.exceptions import ValidationError
from orders.models import LineItem, Order


def add_bundle_line(order: Order, item, values: dict, *, ctx: TokenContext) -> LineItem:
    """`order` read under its row lock and editable (orders.services.carts.create_line_item)."""
    raise ValidationError("item_type", "bundles can't be added yet", error="inclusion")
