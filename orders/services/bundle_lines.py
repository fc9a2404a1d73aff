"""Bundle lines (catalog.md "Bundles"): a cart's line of a bundle, priced at the bundle's price;
its stock is its components' (inventory.md: orders.services.planning expands it).

The bundle is named by `bundle_code` (the order market's bundle, else a market-less one in the
order's currency) or by `item`; it must have a price. Unit = the bundle's price (an
integration token may send its own `unit_amount_cents`, as for a sku line), total = unit x
quantity, computed with the order's figures. A bundle line takes no options
(orders.services.options) and is edited and returned whole: only its quantity (and its name,
image and the like) changes.
"""

from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import save_record, write_fields
from markets.bundle_selectors import find_bundle
from markets.models import Bundle
from orders.models import LineItem, Order
from orders.services.totals import refresh_figures, same_record


def _bundle_of(order: Order, item, code: str | None) -> Bundle:
    """The bundle the client named, sellable in this order; else a 422 on what it sent."""
    if item is not None:
        if not isinstance(item, Bundle):
            raise ValidationError("item", "is not a bundle", error="invalid", relationship=True)
        if item.market_id not in (None, order.market_id) or (
            item.market_id is None and item.currency_code != order.currency_code
        ):
            raise ValidationError(
                "item",
                f"bundle {item.code} is not sold in this order's market and currency",
                error="invalid",
                relationship=True,
            )
        if code and code != item.code:
            raise ValidationError(
                "bundle_code", f"is not the code of bundle {item.code}", error="invalid"
            )
        bundle = item
    else:
        if not code:
            raise ValidationError("bundle_code", "can't be blank", error="blank")
        bundle = find_bundle(code, order.market, order.currency_code)
        if bundle is None:
            raise ValidationError("bundle_code", "not found", error="not_found", value=code)
    if bundle.price_amount_cents is None:
        # What sells it is missing (catalog.md: "needed to sell (else 422 on bundle_code)"),
        # whichever way the client named it.
        raise ValidationError(
            "bundle_code", f"{bundle.code} has no price", error="no_price", value=bundle.code
        )
    return bundle


def add_bundle_line(
    order: Order, item, values: dict, *, ctx: TokenContext, merge: bool = False
) -> LineItem:
    """`order` read under its row lock and editable (orders.services.carts.create_line_item).
    `merge` (`_update_quantity`): a line of the same bundle takes the quantity, as sku lines
    do."""
    values = dict(values)
    if values.pop("sku", None) is not None:
        raise ValidationError("sku_code", "must be blank on a line of bundles", error="present")
    bundle = _bundle_of(order, item, values.pop("bundle_code", None))
    quantity = values.pop("quantity")
    if merge:
        existing = order.line_items.filter(item_type="bundles", bundle=bundle).first()
        if existing is not None:
            existing.order = order
            return update_bundle_line(existing, {"quantity": existing.quantity + quantity}, ctx=ctx)
    line = LineItem(
        order=order,
        item_type="bundles",
        bundle=bundle,
        bundle_code=bundle.code,
        quantity=quantity,
        name=values.pop("name", None) or bundle.name,
        image_url=values.pop("image_url", None) or bundle.image_url,
        **values,
    )
    if "unit_amount_cents" not in values:
        line.unit_amount_cents = bundle.price_amount_cents
    if "compare_at_amount_cents" not in values:
        line.compare_at_amount_cents = bundle.compare_at_amount_cents
    save_record(line, validate=values)
    lines, _ = refresh_figures(order)
    emit_event("line_items.create", line)
    return same_record(line, lines)


def update_bundle_line(line: LineItem, values: dict, *, ctx: TokenContext) -> LineItem:
    """A bundle line changes whole: its quantity (its components' stock lines follow when the
    figures are refreshed), name, image and the like; its unit stays the price it was added at
    (an integration token may set its own). Another SKU is a 422: it has none."""
    if values.get("sku") is not None:
        raise ValidationError("sku_code", "must be blank on a line of bundles", error="present")
    values = {name: value for name, value in values.items() if name != "sku"}
    for name, value in values.items():
        setattr(line, name, value)
    save_record(line, validate=values)
    lines, _ = refresh_figures(line.order)
    return same_record(line, lines)


def rebundle(order: Order, lines: list[LineItem]) -> None:
    """A cart moving to another market (orders.services.carts.change_market): each bundle line
    takes the bundle of its code there (or a market-less one in the new currency) at its price;
    none, or one without a price, is a 422 on `market`."""
    for line in lines:
        bundle = find_bundle(line.bundle_code, order.market, order.currency_code)
        if bundle is None or bundle.price_amount_cents is None:
            raise ValidationError(
                "market",
                f"{line.bundle_code}: no bundle with a price in market {order.market.code}",
                error="invalid",
                relationship=True,
            )
        line.bundle = bundle
        line.unit_amount_cents = bundle.price_amount_cents
        write_fields(line, ["bundle", "unit_amount_cents", "updated_at"])
