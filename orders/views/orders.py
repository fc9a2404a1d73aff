"""Orders and their line items: the cart a storefront fills and the triggers that move it."""

from django.db import models

from commerce.jsonapi.registry import register
from commerce.jsonapi.rows import first_within_reach
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from inventory.models import Sku
from markets.models import Bundle, Market, PaymentMethod, Promotion
from markets.selectors import with_listed_price
from orders import serializers as s
from orders.locks import ORDER_LOCK_RELATED
from orders.models import (
    Adjustment,
    CustomerPaymentSource,
    GiftCard,
    LineItem,
    Order,
    StockLineItem,
)
from orders.selectors import order_lines
from orders.services import carts, editing, lifecycle, promotions, wallet
from orders.services.addresses import clone_into, same_as
from orders.services.totals import SOLD_ITEM_TYPES
from orders.views.customers import CustomerResource
from orders.views.reach import NO_LIST, address_scope, reachable_orders
from orders.views.related import (
    ORDER_STOCK_LINES,
    levels,
    line_item_stock_reservations,
    no_stock_transfers,
    order_stock_line_items,
    order_stock_reservations,
    reservations_below,
)


def _order_trigger(service):
    return lambda order, value, *, ctx: service(order, value, ctx=ctx)


ORDER_TRIGGERS = TriggerSet(
    Trigger(
        "_billing_address_clone_id",
        lambda o, v, *, ctx: clone_into(o, "billing_address", v, address_scope(ctx)),
        value=str,
        on_create=False,
    ),
    Trigger(
        "_shipping_address_clone_id",
        lambda o, v, *, ctx: clone_into(o, "shipping_address", v, address_scope(ctx)),
        value=str,
        on_create=False,
    ),
    Trigger(
        "_shipping_address_same_as_billing",
        lambda o, v, *, ctx: same_as(o, "shipping_address", "billing_address"),
        on_create=False,
    ),
    Trigger(
        "_billing_address_same_as_shipping",
        lambda o, v, *, ctx: same_as(o, "billing_address", "shipping_address"),
        on_create=False,
    ),
    Trigger("_refresh", lifecycle.refresh_order_trigger, on_create=False),
    Trigger("_update_taxes", lifecycle.refresh_order_trigger, on_create=False),
    Trigger(
        "_nullify_payment_source",
        lambda o, v, *, ctx: carts.update_order(o, {"payment_source": None}, ctx=ctx),
        on_create=False,
    ),
    Trigger(
        "_authorization_amount_cents",
        lifecycle.set_authorization_amount,
        value=int,
        on_create=False,
    ),
    Trigger("_customer_payment_source_id", wallet.use_entry, value=str, on_create=False),
    Trigger("_save_payment_source_to_customer_wallet", wallet.save_trigger, on_create=False),
    Trigger("_place", lifecycle.place_order, on_create=False),
    Trigger("_pending", lifecycle.pending_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_approve", lifecycle.approve_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger(
        "_approve_and_capture",
        lifecycle.approve_and_capture_order,
        kinds=INTEGRATION_ONLY,
        on_create=False,
    ),
    Trigger("_capture", lifecycle.capture_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_refund", lifecycle.refund_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_cancel", lifecycle.cancel_order, on_create=False),
    Trigger("_start_editing", editing.start_editing, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_stop_editing", editing.stop_editing, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_archive", lifecycle.archive_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_unarchive", lifecycle.unarchive_order, kinds=INTEGRATION_ONLY, on_create=False),
)


def _transactions_of(kind):
    return lambda order: [t for t in order.transactions.all() if t.kind == kind]


def _available_payment_methods(order):
    methods = order.market.payment_methods.all()
    if not order.market.is_prefetched("payment_methods"):  # the related endpoint's read
        methods = methods.select_related("payment_gateway")
    return [m for m in methods if m.available_to(order.market_id, order.currency_code)]


def _available_free_skus(order):
    lines = [li for li in order_lines(order) if li.item_type in SOLD_ITEM_TYPES]
    return promotions.available_free_skus(order, lines)


@register
class OrderResource(ResourceView):
    resource_type = "orders"
    model = Order
    serializer_class = s.OrderSerializer
    access = {**NO_LIST, "list": frozenset({"integration", "customer"})}
    select_related = ("market", "payment_source", "shipping_address", "billing_address")
    lock_related = ORDER_LOCK_RELATED
    triggers = ORDER_TRIGGERS
    answers_from_write = True
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        "customer": Rel("customers", create="optional", update=True),
        "shipping_address": Rel("addresses", create="optional", update=True),
        "billing_address": Rel("addresses", create="optional", update=True),
        "payment_method": Rel(
            "payment_methods", create="optional", update=True, read_related=("payment_gateway",)
        ),
        "payment_source": Rel(
            ("wire_transfers", "stripe_payments", "external_payments"),
            create="optional",
            update=True,
            type_of=lambda source: source.kind,
            through_parent=True,  # the order's own, whatever its kind
        ),
        "available_payment_methods": Rel(
            "payment_methods",
            many=True,
            getter=_available_payment_methods,
            prefetch=levels(
                ("market", Market.objects.all()),
                (
                    "market__payment_methods",
                    PaymentMethod.objects.select_related("market__price_list", "payment_gateway"),
                ),
            ),
            through_parent=True,
        ),
        "available_customer_payment_sources": Rel(
            "customer_payment_sources",
            many=True,
            getter=wallet.available_entries,
            prefetch=levels(
                ("customer", CustomerResource.base_queryset()),  # what an include reads
                (
                    "customer__customer_payment_sources",
                    CustomerPaymentSource.objects.select_related("payment_method__payment_gateway"),
                ),
            ),
            through_parent=True,
        ),
        "available_free_skus": Rel(
            "skus", many=True, getter=_available_free_skus, through_parent=True, includable=False
        ),
        "payment_options": Rel("payment_options", many=True),
        "line_items": Rel("line_items", many=True),
        "shipments": Rel("shipments", many=True),
        "stock_line_items": Rel(
            "stock_line_items",
            many=True,
            getter=order_stock_line_items,
            prefetch=levels(*ORDER_STOCK_LINES),
            through_parent=True,
        ),
        # Integration only, like every reservation (auth.md).
        "stock_reservations": Rel(
            "stock_reservations",
            many=True,
            getter=order_stock_reservations,
            prefetch=levels(*ORDER_STOCK_LINES, reservations_below("shipments__stock_line_items")),
        ),
        "stock_transfers": Rel("stock_transfers", many=True, getter=no_stock_transfers),
        # The returns app's resources, named by type (it sits above this one).
        "returns": Rel("returns", many=True),
        "transactions": Rel(
            ("authorizations", "captures", "voids", "refunds"),
            many=True,
            type_of=lambda t: t.kind,
            through_parent=True,
            collection="transactions",
        ),
        **{
            kind: Rel(
                kind,
                many=True,
                getter=_transactions_of(kind),
                prefetch=("transactions",),
                through_parent=True,
            )
            for kind in ("authorizations", "captures", "voids", "refunds")
        },
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx)

    def allows_target(self, name, target):
        # An address named here was found within AddressResource's scope, which is within
        # `address_scope` (what a caller may name on an order; tests/orders/test_reach.py):
        # no second read.
        if name == "customer":
            return self.ctx.is_integration
        return True

    def parse_write(self, data, *, instance):
        values, trigger_calls = super().parse_write(data, instance=instance)
        self._triggers_after = frozenset(t.name for t, _ in trigger_calls)
        return values, trigger_calls

    def create_resource(self, values, ctx):
        return carts.create_order(ctx=ctx, values=values)

    def update_resource(self, instance, values, ctx):
        return carts.update_order(instance, values, ctx=ctx, then=self._triggers_after)

    def delete_resource(self, instance, ctx):
        carts.delete_order(instance)


@register
class LineItemResource(ResourceView):
    resource_type = "line_items"
    model = LineItem
    serializer_class = s.LineItemSerializer
    # Storefronts take items out of the carts they reach (auth.md); the service refuses once placed.
    access = {**NO_LIST, "delete": ALL_KINDS}
    delete_refusals = (422,)  # the order is no longer a cart, or the line is a system line
    select_related = ("order",)
    locked_through = "order"
    answers_from_write = True
    code_references = {"sku_code": ("sku", "code")}
    filter_aliases = {"currency_code": "order__currency_code"}
    triggers = TriggerSet(
        Trigger("_update_quantity", lambda li, v, *, ctx: li, on_update=False),
        Trigger("_external_price", lambda li, v, *, ctx: li, kinds=INTEGRATION_ONLY),
    )
    relationships_map = {
        "order": Rel("orders", create="required", lock=True),
        "sku": Rel("skus", create="optional"),
        "item": Rel(
            (
                "skus",
                "bundles",
                "gift_cards",
                "percentage_discount_promotions",
                "fixed_amount_promotions",
                "free_shipping_promotions",
                "buy_x_pay_y_promotions",
                "free_gift_promotions",
                "fixed_price_promotions",
                "shipments",
                "payment_methods",
                "adjustments",
            ),
            create="optional",  # a SKU, or an operator's adjustment (aftersale.md §2)
            getter=lambda li: li.item,
            type_of=lambda obj: _item_type(obj),
            prefetch=(
                "sku",
                "bundle",
                "gift_card",
                "promotion",
                "shipment",
                "payment_method",
                "adjustment",
            ),
            through_parent=True,
        ),
        "adjustment": Rel("adjustments", create="optional"),
        # A bundle line's bundle (catalog.md "Bundles"): chosen by `bundle_code` or `item`.
        "bundle": Rel("bundles"),
        # A gift card bought or redeemed (catalog.md "Gift cards"): the order's own, whatever
        # its market (the card bought is named as `item`).
        "gift_card": Rel("gift_cards", through_parent=True),
        "shipment": Rel("shipments"),
        "payment_method": Rel("payment_methods"),
        "line_item_options": Rel("line_item_options", many=True, through_parent=True),
        "stock_line_items": Rel("stock_line_items", many=True, through_parent=True),
        "stock_reservations": Rel(
            "stock_reservations",
            many=True,
            getter=line_item_stock_reservations,
            prefetch=levels(
                ("stock_line_items", StockLineItem.objects.all()),
                reservations_below("stock_line_items"),
            ),
        ),
        "stock_transfers": Rel("stock_transfers", many=True, getter=no_stock_transfers),
        "return_line_items": Rel("return_line_items", many=True),  # the returns app's
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def parse_write(self, data, *, instance):
        attributes = dict(data.get("attributes") or {})
        self._merge = bool(attributes.get("_update_quantity")) and instance is None
        if attributes.get("item_type") == "adjustments" and not self.ctx.is_integration:
            raise carts.adjustments_refused()  # before naming one it may not see (aftersale.md §6)
        return super().parse_write(data, instance=instance)

    def code_reference_target(self, attribute, target_cls, field_name, code, plain):
        """A storefront's new line's SKU comes with its price in the token's market for the
        line's quantity, in the one statement (markets.selectors.with_listed_price): the
        service reads no price of its own when the order's market has that price list. Only
        for a quantity the serializer will take as it is."""
        market_id = self.ctx.market_id
        quantity = plain.get("quantity")
        if (
            attribute != "sku_code"
            or market_id is None
            or type(quantity) is not int
            or not 1 <= quantity <= s.LINE_QUANTITY_MAX
        ):
            return super().code_reference_target(attribute, target_cls, field_name, code, plain)

        def build(reach, code, market_id, quantity):
            skus = target_cls.scoped_queryset(reach).filter(**{field_name: code})
            return with_listed_price(skus, market_id, quantity)[:1]

        return first_within_reach(  # SQL compiled once (commerce/jsonapi/rows.py)
            (type(self), "priced sku", field_name),
            self.ctx,
            build,
            lambda: next(iter(build(self.ctx, code, market_id, quantity)), None),
            code=(models.CharField(), code),
            market_id=(models.BigIntegerField(), market_id),
            quantity=(models.BigIntegerField(), quantity),
        )

    def create_resource(self, values, ctx):
        return carts.create_line_item(ctx=ctx, values=values, merge=self._merge)

    def update_resource(self, instance, values, ctx):
        return carts.update_line_item(instance, values, ctx=ctx) if values else instance

    def delete_resource(self, instance, ctx):
        carts.delete_line_item(instance, ctx=ctx)


def _item_type(obj) -> str:
    if isinstance(obj, Sku):
        return "skus"
    if isinstance(obj, Bundle):
        return "bundles"
    if isinstance(obj, GiftCard):
        return "gift_cards"
    if isinstance(obj, Adjustment):
        return "adjustments"
    if isinstance(obj, Promotion):
        return obj.kind
    if isinstance(obj, PaymentMethod):
        return "payment_methods"
    return "shipments"
