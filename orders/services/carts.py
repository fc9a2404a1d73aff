"""Building a cart: orders, line items, payment sources, while the order is draft or pending.

Every action runs under the order's row lock (the global lock order starts there): the API's
views read the order under it (a line item's `order` too) and hand it over, so the services
don't read it again; `lock_order` takes it for other callers. Each checks that the order can
still change, writes, and recomputes the figures with `refresh_order`.
"""

from django.db import transaction
from django.utils import timezone

from commerce.auth.context import TokenContext
from commerce.counters import next_number
from commerce.events import emit_event
from commerce.exceptions import (
    BadRequest,
    InvalidTransition,
    Locked,
    ValidationError,
    param_not_allowed,
)
from commerce.services import clean_record, save_record, write_fields
from commerce.together import reads_together
from inventory.models import Sku
from markets.models import Bundle, Market
from markets.selectors import market_with_price_list, market_with_price_list_read, sku_price
from orders import pricing
from orders.locks import lock_order
from orders.models import Adjustment, Customer, LineItem, Order, PaymentSource
from orders.selectors import customer_by_email, customer_by_email_read
from orders.services.bundle_lines import add_bundle_line, rebundle, update_bundle_line
from orders.services.gift_cards import (
    add_gift_card_line,
    apply_gift_card_code,
    remove_gift_card_line,
    update_gift_card_line,
)
from orders.services.promotions import coupon_problem
from orders.services.totals import refresh_figures, refresh_order, same_record
from orders.transitions import is_cart, is_editable

# What a placed order no longer lets anyone change (orders.md: frozen after `placed`).
FROZEN_AFTER_PLACE = {
    "market",
    "customer",
    "customer_email",
    "coupon_code",
    "gift_card_code",
    "billing_address",
    "shipping_address",
    "payment_method",
    "payment_source",
    "language_code",
    "freight_taxable",
    "payment_method_taxable",
    "shipping_country_code_lock",
    "customer_password",
}
# What an order being edited still may not change (aftersale.md §1): its authorization and its
# counted uses are theirs; its addresses may change.
FROZEN_WHILE_EDITING = FROZEN_AFTER_PLACE - {"billing_address", "shipping_address"}
# The coupon's counted use and the gift card's taken balance are the placed order's:
# while it is edited they are not a parameter one may send at all (catalog.md "During order
# editing": 400 PARAM_NOT_ALLOWED), where the other frozen fields are a 422.
NOT_ALLOWED_WHILE_EDITING = {"coupon_code", "gift_card_code"}
RELATIONSHIPS = {
    "market",
    "customer",
    "billing_address",
    "shipping_address",
    "payment_method",
    "payment_source",
}


def ensure_editable(order: Order, name: str = "status", *, ctx: TokenContext | None = None) -> None:
    """A cart changes. An order being edited (aftersale.md §1) changes too, for an integration
    token (`ctx`, given by the callers of what editing allows: lines, addresses, shipments'
    methods) and except what stays frozen while editing; anything else is a 422 on `name`."""
    if is_cart(order.status):
        return
    if order.status == "editing" and name in NOT_ALLOWED_WHILE_EDITING:
        raise param_not_allowed(name, pointer=f"/data/attributes/{name}")
    if (
        order.status == "editing"
        and ctx is not None
        and ctx.is_integration
        and name not in FROZEN_WHILE_EDITING
    ):
        return
    if name == "status":
        raise InvalidTransition(
            order.status, order.status, message=f"a {order.status} order can't be changed"
        )
    raise ValidationError(
        name,
        f"can't be changed once the order is {order.status}",
        error="frozen",
        relationship=name in RELATIONSHIPS,
    )


def find_or_create_customer(email: str, password: str | None = None) -> Customer:
    customer = customer_by_email(email)
    if customer is None:
        customer = Customer(email=email.lower())
        if password:
            customer.set_password(password)
        # Just looked up: a twin created concurrently makes the INSERT fail (409), not a 500.
        save_record(customer, validate=())
        emit_event("customers.create", customer)
    elif password and not customer.has_password:
        customer.set_password(password)
        customer.save(update_fields=["password", "updated_at"])
    return customer


@transaction.atomic(savepoint=False)
def create_order(*, ctx: TokenContext, values: dict) -> Order:
    # The token's market and the customer of the email, read in one statement
    # (commerce/together.py).
    ahead = []
    if values.get("market") is None and ctx.market_id is not None:
        ahead.append(market_with_price_list_read(ctx.market_id))
    if values.get("customer_email") and not ctx.is_customer:
        ahead.append(customer_by_email_read(values["customer_email"]))
    with reads_together(*ahead):
        return _create_order(ctx, dict(values))


def _create_order(ctx: TokenContext, values: dict) -> Order:
    market = values.pop("market", None)
    if market is None:
        if ctx.market_id is None:
            raise ValidationError("market", "can't be blank", error="blank", relationship=True)
        market = market_with_price_list(ctx.market_id)
        if market is None:  # the token's market deleted since
            raise ValidationError("market", "not found", error="not_found", relationship=True)
    if market.disabled_at is not None:
        raise ValidationError("market", "is disabled", error="invalid", relationship=True)
    password = values.pop("customer_password", None)
    coupon_code = values.pop("coupon_code", None)
    gift_card_code = values.pop("gift_card_code", None)
    order = Order(
        market=market,
        currency_code=market.price_list.currency_code,
        tax_included=market.price_list.tax_included,
        application_id=ctx.application_id,
        **values,
    )
    if ctx.is_customer:
        order.customer_id = ctx.customer_id
        order.guest = False
        order.customer_email = (
            order.customer_email or Customer.objects.get(pk=ctx.customer_id).email
        )
    elif order.customer_email:
        order.customer = find_or_create_customer(order.customer_email, password)
        order.guest = ctx.is_sales_channel or order.guest
    if not order.number:
        order.number = str(next_number("orders", start=10000))
    if gift_card_code:
        apply_gift_card_code(order, gift_card_code)  # no lines yet: it pays nothing so far
    if order.payment_method is None and not coupon_code:
        order.refreshed_at = timezone.now()  # no lines and no charges yet: every figure is 0
    save_record(order, validate=values)
    if coupon_code:
        apply_coupon(order, coupon_code)
    if order.refreshed_at is None:
        refresh_order(order, reship=False)  # no lines yet, so no shipments
    emit_event("orders.create", order)
    return order


# The order triggers that end by refreshing the cart's figures.
REFRESHING_TRIGGERS = frozenset(
    {
        "_billing_address_clone_id",
        "_shipping_address_clone_id",
        "_shipping_address_same_as_billing",
        "_billing_address_same_as_shipping",
        "_refresh",
        "_update_taxes",
        "_place",
        "_stop_editing",
    }
)


@transaction.atomic(savepoint=False)
def update_order(order: Order, values: dict, *, ctx: TokenContext, then=frozenset()) -> Order:
    """`order` read under its row lock. `then`: the triggers the same request runs right after;
    when one of them refreshes the cart, its figures are computed once, there."""
    if not values:
        return order
    refresh = not (REFRESHING_TRIGGERS & set(then))
    if not is_cart(order.status):
        if not ctx.is_integration:
            ensure_editable(order)
        for name in sorted(values):
            if name in FROZEN_AFTER_PLACE:
                ensure_editable(order, name, ctx=ctx)
    values = dict(values)
    password = values.pop("customer_password", None)
    coupon_code = values.pop("coupon_code", ...)
    gift_card_code = values.pop("gift_card_code", ...)
    market = values.pop("market", None)
    moved = market is not None and market.pk != order.market_id
    if moved:
        change_market(order, market)
    if (
        "payment_source" in values
        and values["payment_source"] is not None
        and values["payment_source"].order_id != order.pk
    ):
        raise ValidationError(
            "payment_source", "belongs to another order", error="invalid", relationship=True
        )
    method = values.get("payment_method")
    if method is not None and not method.available_to(order.market_id, order.currency_code):
        raise ValidationError(
            "payment_method", "is not available for this order", error="invalid", relationship=True
        )
    for name, value in values.items():
        setattr(order, name, value)
    if "customer_email" in values and values["customer_email"] and not ctx.is_customer:
        order.customer = find_or_create_customer(values["customer_email"], password)
    if coupon_code is not ...:
        apply_coupon(order, coupon_code)
    if gift_card_code is not ...:
        apply_gift_card_code(order, gift_card_code)  # the refresh below prices it
    if is_editable(order.status) and (refresh or moved):
        clean_record(order, validate=values)
        # Writes the order with its figures; another market ships from other locations.
        refresh_order(order, reship=moved)
    elif is_editable(order.status):
        # A trigger of this request refreshes the cart (REFRESHING_TRIGGERS): it writes the
        # order, these values with it, once; or it refuses and the request undoes everything.
        clean_record(order, validate=values)
    else:
        save_record(order, validate=values)
    return order


def apply_coupon(order: Order, code: str | None) -> None:
    if code in (None, ""):
        order.coupon_code = None
        return
    problem = coupon_problem(order, code)
    if problem:
        raise ValidationError("coupon_code", problem, error="invalid", value=code)
    order.coupon_code = code
    write_fields(order, ["coupon_code", "updated_at"])


def change_market(order: Order, market: Market) -> None:
    """Move a cart to another market: its currency and prices follow the new price list."""
    ensure_editable(order, "market")
    order.market = market
    order.currency_code = market.price_list.currency_code
    order.tax_included = market.price_list.tax_included
    bundle_lines = []
    for line in order.line_items.filter(item_type__in=("skus", "bundles")).select_related("sku"):
        if line.item_type == "bundles":
            bundle_lines.append(line)
            continue
        line.unit_amount_cents = unit_price(market, line.sku, line.quantity, attribute="market")
        write_fields(line, ["unit_amount_cents", "updated_at"])
    if bundle_lines:
        rebundle(order, bundle_lines)


def unit_price(market: Market, sku, quantity: int, *, attribute: str = "sku_code") -> int:
    """A sku line's unit price for `quantity`: its price's volume tier (catalog.md), in the
    one read of the price, or as the SKU's read found it for this market's price list and
    quantity (markets.selectors.with_listed_price: no read of its own)."""
    listed = getattr(sku, "listed_price_list_id", None)
    if listed is not None and (listed, sku.listed_quantity) == (market.price_list_id, quantity):
        cents = sku.listed_unit_amount_cents
    else:
        price = sku_price(market.price_list_id, sku.pk, quantity)
        cents = None if price is None else price.unit_amount_cents
    if cents is None:
        raise ValidationError(
            attribute,
            f"{sku.code} has no price in market {market.code}",
            error="no_price",
            relationship=attribute == "market",
        )
    return cents


def requantified_unit_price(market: Market, line: LineItem, quantity: int) -> int:
    """A cart's sku line's unit price as its quantity moves to `quantity`: its price's tier for
    it, re-read until placing (catalog.md). A line whose unit is not what its price gives
    for its current quantity (an integration token's own `unit_amount_cents`) keeps it, as
    does one whose SKU has lost its price."""
    price = sku_price(market.price_list_id, line.sku_id, quantity, previous_quantity=line.quantity)
    if price is None or price.previous_unit_amount_cents != line.unit_amount_cents:
        return line.unit_amount_cents
    return price.unit_amount_cents


def implied_item_type(values: dict, item) -> str:
    """A new line's `item_type` when the client names none: a bundle's when it sends a
    `bundle_code` or a bundle as `item` (catalog.md "Bundles"), else a SKU's."""
    if values.get("bundle_code") or isinstance(item, Bundle):
        return "bundles"
    return "skus"


@transaction.atomic(savepoint=False)
def create_line_item(*, ctx: TokenContext, values: dict, merge: bool = False) -> LineItem:
    """`values["order"]` read under its row lock."""
    values = dict(values)
    order = values.pop("order")
    ensure_editable(order, ctx=ctx)
    item = values.pop("item", None)
    item_type = values.pop("item_type", None) or implied_item_type(values, item)
    if item_type == "adjustments":
        return _add_adjustment(order, values.pop("adjustment", None) or item, values, ctx=ctx)
    if item_type == "bundles":
        return add_bundle_line(order, item, values, ctx=ctx, merge=merge)
    if item_type == "gift_cards":
        return add_gift_card_line(order, item, values, ctx=ctx)
    if item_type != "skus":
        raise ValidationError(
            "item_type",
            "only skus, bundles, gift cards and adjustments can be added",
            error="inclusion",
        )
    if isinstance(item, Sku):
        values.setdefault("sku", item)
    elif item is not None:
        raise ValidationError("item", "is not a SKU", error="invalid", relationship=True)
    sku = values.pop("sku", None)
    if sku is None:
        raise ValidationError("sku_code", "can't be blank", error="blank")
    if values.pop("bundle_code", None):
        raise ValidationError("bundle_code", "must be blank on a line of skus", error="present")
    quantity = values.pop("quantity")
    if merge:
        existing = order.line_items.filter(item_type="skus", sku=sku).first()
        if existing is not None:
            existing.order = order
            return update_line_item(existing, {"quantity": existing.quantity + quantity}, ctx=ctx)
    line = LineItem(
        order=order,
        item_type="skus",
        sku=sku,
        sku_code=sku.code,
        quantity=quantity,
        name=values.pop("name", None) or sku.name,
        image_url=values.pop("image_url", None) or sku.image_url,
        **values,
    )
    if "unit_amount_cents" not in values:
        line.unit_amount_cents = unit_price(order.market, sku, quantity)
    # Inserted with its total before discounts, what the refresh then finds for a line that no
    # promotion or tax touches (no UPDATE of it); the refresh writes what it finds otherwise.
    line.total_amount_cents = pricing.line_amount_cents(
        line.unit_amount_cents, line.quantity, line.options_amount_cents
    )
    save_record(line, validate=values)  # quantity, popped above, was bounded by the serializer
    lines, _ = refresh_figures(order)
    emit_event("line_items.create", line)
    return same_record(line, lines)


def adjustments_refused() -> BadRequest:
    """A storefront adding or changing an adjustment line (aftersale.md §6: 400)."""
    return BadRequest(
        "Only integration tokens add or change adjustments.",
        title="Adjustments are the back office's",
        code="FORBIDDEN_ITEM_TYPE",
        pointer="/data/attributes/item_type",
    )


def _add_adjustment(order: Order, adjustment, values: dict, *, ctx: TokenContext) -> LineItem:
    """An operator's adjustment line (aftersale.md §2): its amount as the unit amount, in the
    order's currency; one that would make the order's total negative is refused."""
    if not ctx.is_integration:
        raise adjustments_refused()
    if not isinstance(adjustment, Adjustment):
        raise ValidationError("item", "must be an adjustment", error="blank", relationship=True)
    if adjustment.currency_code != order.currency_code:
        raise ValidationError(
            "item",
            f"is in {adjustment.currency_code}, the order in {order.currency_code}",
            error="invalid",
            relationship=True,
        )
    quantity = values.get("quantity", 1)
    line = LineItem(
        order=order,
        item_type="adjustments",
        adjustment=adjustment,
        quantity=quantity,
        name=values.get("name") or adjustment.name,
        unit_amount_cents=adjustment.amount_cents,
        total_amount_cents=adjustment.amount_cents * quantity,
    )
    save_record(line, validate=())
    try:
        lines, _ = refresh_figures(order, reship=False)  # no stock moves
    except ValidationError as refusal:
        if refusal.name != "total_amount_cents":
            raise
        # The one rule (refresh_figures), said of what the client sent; the request undoes it.
        raise ValidationError(
            "item",
            "would make the order's total negative",
            error="greater_than_or_equal_to",
            relationship=True,
        ) from None
    emit_event("line_items.create", line)
    return same_record(line, lines)


@transaction.atomic(savepoint=False)
def update_line_item(line: LineItem, values: dict, *, ctx: TokenContext) -> LineItem:
    """`line.order` read under its row lock (LineItemResource.locked_through)."""
    order = line.order
    ensure_editable(order, ctx=ctx)
    if line.item_type == "adjustments":
        return _update_adjustment(line, values, ctx=ctx)
    if line.item_type == "gift_cards":
        return update_gift_card_line(line, values, ctx=ctx)
    if line.item_type == "bundles":
        return update_bundle_line(line, values, ctx=ctx)
    if "sku" in values and values["sku"].pk != line.sku_id:
        line.sku = values.pop("sku")
        line.sku_code = line.sku.code
        line.unit_amount_cents = unit_price(
            order.market, line.sku, values.get("quantity", line.quantity)
        )
    elif (
        values.get("quantity", line.quantity) != line.quantity
        and "unit_amount_cents" not in values
        and is_cart(order.status)
    ):
        line.unit_amount_cents = requantified_unit_price(order.market, line, values["quantity"])
    values.pop("sku", None)
    for name, value in values.items():
        setattr(line, name, value)
    save_record(line, validate=values)
    lines, _ = refresh_figures(order)
    return same_record(line, lines)


def _update_adjustment(line: LineItem, values: dict, *, ctx: TokenContext) -> LineItem:
    """An adjustment line's quantity or name (its amount is the one it was added with)."""
    if not ctx.is_integration:
        raise adjustments_refused()
    for name in ("quantity", "name"):
        if name in values:
            setattr(line, name, values[name])
    line.total_amount_cents = line.unit_amount_cents * line.quantity
    save_record(line, validate=())
    lines, _ = refresh_figures(line.order, reship=False)  # 422 should the total turn negative
    return same_record(line, lines)


@transaction.atomic(savepoint=False)
def delete_line_item(line: LineItem, *, ctx: TokenContext) -> None:
    """`line.order` read under its row lock."""
    order = line.order
    ensure_editable(order, ctx=ctx)
    if line.item_type == "gift_cards":
        return remove_gift_card_line(line, ctx=ctx)
    adjustment = line.item_type == "adjustments" and ctx.is_integration  # an operator's own
    if line.item_type not in ("skus", "bundles") and not adjustment:
        raise ValidationError("item_type", "system line items follow the order", error="invalid")
    emit_event("line_items.destroy", line)
    line.delete()
    refresh_order(order, reship=not adjustment)


@transaction.atomic(savepoint=False)
def delete_order(order: Order) -> None:
    """Carts may be deleted; placed orders are archived instead (423)."""
    order = lock_order(order)
    if order.status not in ("draft", "pending", "cancelled") or order.placed_at is not None:
        raise Locked("A placed order can't be deleted: archive it instead.")
    emit_event("orders.destroy", order)
    order.delete()


@transaction.atomic(savepoint=False)
def check_source_type(order: Order, kind: str) -> None:
    """A payment source is of the type its order's payment method takes (payments.md): the
    method comes first, so that the source is the kind its gateway can charge."""
    method = order.payment_method  # read with the order's lock (ORDER_LOCK_RELATED)
    if method is None:
        problem = "has no payment method: choose one before its payment source"
    elif method.payment_source_type != kind:
        problem = f"pays by {method.payment_source_type}, not {kind}"
    else:
        return
    raise ValidationError("order", problem, error="invalid", relationship=True)


def create_payment_source(*, ctx: TokenContext, values: dict, kind: str) -> PaymentSource:
    """A payment source created for an order (`values["order"]`, read under its row lock)
    becomes that order's payment source."""
    order = values["order"]
    ensure_editable(order)
    check_source_type(order, kind)
    source = PaymentSource(
        kind=kind,
        order=order,
        payment_gateway_id=order.payment_method.payment_gateway_id,
        payment_source_token=values.get("payment_source_token"),
        options=values.get("options"),
    )
    return attach_source(order, save_record(source, validate=()))


def attach_source(order: Order, source: PaymentSource) -> PaymentSource:
    """`source` becomes the order's payment source, replacing the one it had."""
    order.payment_source = source
    write_fields(order, ["payment_source", "updated_at"])
    return source
