"""Line item options (catalog.md "SKU options"): the one writer of LineItemOption rows and of
their line's `options_amount_cents`.

An option goes on a sku line of an editable order (`carts.ensure_editable`: a cart, or an order
being edited for an integration token), and only when its SKU option fits the line: its
`sku_code_regex` matches the line's SKU code (none: any SKU), its market is the order's (or
none) and its currency, if it names one, the order's; else a 422 on
`/data/relationships/sku_option`. Unit = the option's `price_amount_cents` unless an
integration token sends its own (the serializer keeps `unit_amount_cents` from the others),
total = unit x quantity, and the line's `options_amount_cents` = Σ its options' totals, then
the order's figures are refreshed (options move no stock: no shipments re-planned).

Every action runs under the order's row lock, taken here (orders.locks, step 1 of the global
order): the API hands the line item or the option over as read within the caller's reach,
unlocked, and each is read again under the lock, since every writer of lines and options holds
it.
"""

from django.db import transaction
from django.db.models import Sum

from catalog.selectors import regex_matches
from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import NotFound, ValidationError
from commerce.services import create_rows, save_record, write_fields
from markets.models import SkuOption
from orders.locks import lock_order
from orders.models import LineItem, LineItemOption, Order
from orders.services.carts import ensure_editable
from orders.services.totals import refresh_figures, same_record

# What a client sets on an option as given (the rest is derived here).
PLAIN_FIELDS = ("quantity", "options", "name", "reference", "reference_origin", "metadata")


@transaction.atomic(savepoint=False)
def create_line_item_option(*, ctx: TokenContext, values: dict) -> LineItemOption:
    """`values["line_item"]`: the line as read within the caller's reach (not locked)."""
    values = dict(values)
    line = _locked_line(values.pop("line_item"))
    order = line.order
    ensure_editable(order, ctx=ctx)
    _check_line(line)
    sku_option = values.pop("sku_option")
    _check_option(order, line, sku_option)
    option = LineItemOption(
        line_item=line,
        sku_option=sku_option,
        quantity=values.pop("quantity"),
        options=values.pop("options"),
        name=values.pop("name", None) or sku_option.name,
        unit_amount_cents=values.pop("unit_amount_cents", sku_option.price_amount_cents),
        **values,
    )
    _set_total(option)
    save_record(option, validate=[name for name in values if name in PLAIN_FIELDS])
    _refresh(option)
    emit_event("line_item_options.create", option)
    return option


@transaction.atomic(savepoint=False)
def update_line_item_option(
    option: LineItemOption, values: dict, *, ctx: TokenContext
) -> LineItemOption:
    """`option` as read within the caller's reach (not locked): read again under the order's
    lock, then changed."""
    option = _locked_option(option)
    if not values:
        return option
    line = option.line_item
    order = line.order
    ensure_editable(order, ctx=ctx)
    values = dict(values)
    sku_option = values.pop("sku_option", None)
    if sku_option is not None and sku_option.pk != option.sku_option_id:
        _check_option(order, line, sku_option)
        if option.name == option.sku_option.name and "name" not in values:
            option.name = sku_option.name  # a name that was the option's follows it
        option.sku_option = sku_option
        option.unit_amount_cents = sku_option.price_amount_cents
    for name, value in values.items():
        setattr(option, name, value)
    if not option.name:
        option.name = option.sku_option.name
    _set_total(option)
    save_record(option, validate=[name for name in values if name in PLAIN_FIELDS])
    _refresh(option)
    return option


@transaction.atomic(savepoint=False)
def delete_line_item_option(option: LineItemOption, *, ctx: TokenContext) -> None:
    option = _locked_option(option)
    line = option.line_item
    ensure_editable(line.order, ctx=ctx)
    emit_event("line_item_options.destroy", option)
    option.delete()
    _refresh(option)


# --- steps ------------------------------------------------------------------------------------


def _locked_line(line: LineItem) -> LineItem:
    """The line read again under its order's row lock (gone meanwhile: a 422 on line_item)."""
    order = lock_order(Order(pk=line.order_id))
    fresh = LineItem.objects.filter(pk=line.pk).first()
    if fresh is None:
        raise ValidationError("line_item", "not found", error="not_found", relationship=True)
    fresh.order = order
    return fresh


def _locked_option(option: LineItemOption) -> LineItemOption:
    """The option and its line read again under the order's row lock (gone meanwhile: 404)."""
    order_id = option.line_item.order_id
    order = lock_order(Order(pk=order_id))
    fresh = (
        LineItemOption.objects.select_related("line_item", "sku_option")
        .filter(pk=option.pk)
        .first()
    )
    if fresh is None:
        raise NotFound()
    fresh.line_item.order = order
    return fresh


def _check_line(line: LineItem) -> None:
    """Options go on sku lines only (a bundle line has none: catalog.md "Bundles")."""
    if line.item_type != "skus":
        raise ValidationError(
            "line_item",
            f"is a line of {line.item_type}: only sku lines take options",
            error="invalid",
            relationship=True,
        )


def _check_option(order: Order, line: LineItem, sku_option: SkuOption) -> None:
    if sku_option.market_id is not None and sku_option.market_id != order.market_id:
        problem = "is not available in the order's market"
    elif sku_option.currency_code and sku_option.currency_code != order.currency_code:
        problem = f"is in {sku_option.currency_code}, the order in {order.currency_code}"
    elif sku_option.sku_code_regex is not None and not regex_matches(
        sku_option.sku_code_regex, line.sku_code or ""
    ):
        problem = f"does not apply to {line.sku_code}"
    else:
        return
    raise ValidationError("sku_option", problem, error="invalid", relationship=True)


def _set_total(option: LineItemOption) -> None:
    """total = unit x quantity (each bounded by the serializer, as a line item's)."""
    option.total_amount_cents = option.unit_amount_cents * option.quantity


def _refresh(option: LineItemOption) -> None:
    """The line's `options_amount_cents` = Σ its options' totals (one aggregate), then the
    order's figures; the option gets the line as the refresh left it (to answer with)."""
    line = option.line_item
    total = LineItemOption.objects.filter(line_item_id=line.pk).aggregate(
        total=Sum("total_amount_cents")
    )["total"]
    line.options_amount_cents = total or 0
    write_fields(line, ["options_amount_cents", "updated_at"])
    lines, _ = refresh_figures(line.order, reship=False)  # options move no stock
    option.line_item = same_record(line, lines)


def copy_options(pairs) -> None:
    """A reorder's lines take their source lines' options as they were, unit amounts included,
    as the lines keep theirs (aftersale.md §4: the copy costs what the source did): one read,
    one insert. `pairs`: (source line, new line), the new lines written already and carrying
    their source's `options_amount_cents` (the sum of what is copied here)."""
    by_source = {source.pk: new for source, new in pairs}
    copies = [
        LineItemOption(
            line_item=by_source[option.line_item_id],
            sku_option_id=option.sku_option_id,
            name=option.name,
            quantity=option.quantity,
            unit_amount_cents=option.unit_amount_cents,
            total_amount_cents=option.total_amount_cents,
            options=option.options,
        )
        for option in LineItemOption.objects.filter(line_item_id__in=by_source).order_by(
            "created_at", "id"
        )
    ]
    if copies:
        create_rows(copies)
        for option in copies:
            emit_event("line_item_options.create", option)
