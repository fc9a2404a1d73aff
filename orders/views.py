"""JSON:API resources of the orders app: orders and everything reached through them.

Reach (auth.md): integration tokens see everything; a sales channel reaches guest orders of its
market by id (the id is the key), a customer its own orders; line items, shipments, payment
sources and transactions follow their order.
"""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ALL_KINDS, INTEGRATION_ONLY, ResourceView
from commerce.models import Address
from commerce.triggers import Trigger, TriggerSet
from inventory.models import Sku, StockLocation, StockReservation
from inventory.serializers import StockReservationSerializer
from markets.models import DeliveryLeadTime, Market, PaymentMethod, Promotion
from orders import serializers as s
from orders.locks import ORDER_LOCK_RELATED
from orders.models import (
    Customer,
    CustomerAddress,
    LineItem,
    Order,
    PaymentSource,
    Shipment,
    StockLineItem,
    Transaction,
)
from orders.selectors import with_balances
from orders.services import carts, lifecycle, planning, transactions
from orders.services import shipments as shipment_services
from orders.services.addresses import clone_into, same_as
from orders.services.customers import create_customer, create_customer_address, update_customer

NO_LIST = {
    "list": INTEGRATION_ONLY,
    "retrieve": ALL_KINDS,
    "create": ALL_KINDS,
    "update": ALL_KINDS,
    "delete": INTEGRATION_ONLY,
}
SHOPPER = frozenset({"sales_channel", "customer"})


def reachable_orders(qs, ctx, path: str = ""):
    """Orders (or records of orders, via `path`) the caller may reach."""
    if ctx.is_integration:
        return qs
    prefix = f"{path}__" if path else ""
    markets = Q(**{f"{prefix}market_id__in": ctx.market_ids or ()})
    if ctx.is_customer:
        return qs.filter(markets, **{f"{prefix}customer_id": ctx.customer_id})
    return qs.filter(markets, **{f"{prefix}guest": True})


def addresses_within_reach(qs, ctx):
    """auth.md's addresses row: an address on an order out of the caller's reach is out of its
    reach too (the id of another market's or another customer's address is no key to it),
    unless the caller's customer owns it. Registered as a rule of the addresses resource."""
    if ctx.is_integration:
        return qs
    linked_elsewhere = Order.objects.filter(
        Q(billing_address_id=OuterRef("pk")) | Q(shipping_address_id=OuterRef("pk"))
    ).exclude(pk__in=reachable_orders(Order.objects.all(), ctx).values("pk"))
    out_of_reach = Q(Exists(linked_elsewhere))
    if ctx.is_customer:
        out_of_reach &= ~Q(owner_customer_id=ctx.customer_id)
    return qs.exclude(out_of_reach)


def _address_scope(ctx):
    qs = Address.objects.all()
    if ctx.is_integration:
        return qs
    if ctx.is_customer:
        qs = qs.filter(Q(owner_customer_id__isnull=True) | Q(owner_customer_id=ctx.customer_id))
    else:
        qs = qs.filter(owner_customer_id__isnull=True)
    return addresses_within_reach(qs, ctx)


# --- relationships read through other rows ------------------------------------------------------
#
# A getter's `prefetch` names one Prefetch, with its own queryset, per level it walks (never a
# plain "a__b" string: Django refuses a lookup with a queryset on a path a plain lookup walked
# before it, and an include of `a` is such a lookup, so `include=origin_address,stock_location`
# was a 500). An include of the same level is then the same key, which the document builder
# deduplicates; either queryset holds the rows the getter reads, and each level selects what the
# target's attributes read (more than one lookup: the builder adds nothing below them). At a
# related endpoint nothing is prefetched on the parent: the getters answer one queryset instead.

BY_AGE = ("created_at", "id")


def _levels(*lookups: tuple[str, object]) -> tuple:
    return tuple(Prefetch(path, queryset=queryset) for path, queryset in lookups)


# An order's stock line items (and their reservations), through its shipments.
_ORDER_STOCK_LINES = (
    ("shipments", Shipment.objects.order_by(*BY_AGE)),
    ("shipments__stock_line_items", StockLineItem.objects.select_related("line_item")),
)


def _order_stock_line_items(order):
    if not order.is_prefetched("shipments"):
        return StockLineItem.objects.filter(shipment__order=order)
    return [line for shipment in order.shipments.all() for line in shipment.stock_line_items.all()]


def _order_stock_reservations(order):
    if not order.is_prefetched("shipments"):
        return StockReservation.objects.filter(stock_line_item__shipment__order=order)
    return [
        line.stock_reservation
        for line in _order_stock_line_items(order)
        if line.stock_reservation_id is not None
    ]


def _reservations_below(path: str) -> tuple:
    return (
        f"{path}__stock_reservation",
        StockReservation.objects.select_related("stock_item"),
    )


def _line_items_at(path: str) -> tuple:
    """Line items at `path` with the order their attributes read (a level of its own too: an
    include may have joined the line items already, without it)."""
    return (
        (path, LineItem.objects.select_related("order")),
        (f"{path}__order", Order.objects.all()),
    )


def _no_stock_transfers(record):
    """Stock transfers are made by hand (inventory.md: transfers for orders are a later
    milestone), so no order, shipment or line item has any: the relationship is always empty."""
    return []


# A shipment's line items: those of its stock line items.
def _shipment_line_items(shipment):
    if not shipment.is_prefetched("stock_line_items"):
        return LineItem.objects.filter(stock_line_items__shipment=shipment).distinct()
    lines = shipment.stock_line_items.all()
    return list({line.line_item_id: line.line_item for line in lines}.values())


# A shipment's delivery lead time: its shipping method's from its stock location (read through
# the location, which the shipment's reach covers, like its `stock_location`).
def _delivery_lead_time(shipment):
    if shipment.shipping_method_id is None or shipment.stock_location_id is None:
        return None
    location = shipment.stock_location
    if not location.is_prefetched("delivery_lead_times"):
        return DeliveryLeadTime.objects.filter(
            shipping_method_id=shipment.shipping_method_id, stock_location_id=location.pk
        ).first()
    times = location.delivery_lead_times.all()
    return next((t for t in times if t.shipping_method_id == shipment.shipping_method_id), None)


def _origin_address(shipment):
    location = shipment.stock_location
    return location.address if location is not None else None


# A line item's reservations, through its stock line items.
def _line_item_stock_reservations(line_item):
    if not line_item.is_prefetched("stock_line_items"):
        return StockReservation.objects.filter(stock_line_item__line_item=line_item)
    return [
        line.stock_reservation
        for line in line_item.stock_line_items.all()
        if line.stock_reservation_id is not None
    ]


def _order_trigger(service):
    return lambda order, value, *, ctx: service(order, value, ctx=ctx)


ORDER_TRIGGERS = TriggerSet(
    Trigger(
        "_billing_address_clone_id",
        lambda o, v, *, ctx: clone_into(o, "billing_address", v, _address_scope(ctx)),
        value=str,
        on_create=False,
    ),
    Trigger(
        "_shipping_address_clone_id",
        lambda o, v, *, ctx: clone_into(o, "shipping_address", v, _address_scope(ctx)),
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
    Trigger("_archive", lifecycle.archive_order, kinds=INTEGRATION_ONLY, on_create=False),
    Trigger("_unarchive", lifecycle.unarchive_order, kinds=INTEGRATION_ONLY, on_create=False),
)


def _transactions_of(kind):
    return lambda order: [t for t in order.transactions.all() if t.kind == kind]


def _available_payment_methods(order):
    return [m for m in order.market.payment_methods.all() if m.disabled_at is None]


@register
class OrderResource(ResourceView):
    resource_type = "orders"
    model = Order
    serializer_class = s.OrderSerializer
    access = {**NO_LIST, "list": frozenset({"integration", "customer"})}
    select_related = ("market", "payment_source", "shipping_address", "billing_address")
    lock_related = ORDER_LOCK_RELATED
    triggers = ORDER_TRIGGERS
    relationships_map = {
        "market": Rel("markets", create="optional", update=True),
        "customer": Rel("customers", create="optional", update=True),
        "shipping_address": Rel("addresses", create="optional", update=True),
        "billing_address": Rel("addresses", create="optional", update=True),
        "payment_method": Rel("payment_methods", create="optional", update=True),
        "payment_source": Rel("wire_transfers", create="optional", update=True),
        "available_payment_methods": Rel(
            "payment_methods",
            many=True,
            getter=_available_payment_methods,
            prefetch=_levels(
                ("market", Market.objects.all()),
                (
                    "market__payment_methods",
                    PaymentMethod.objects.select_related("market__price_list"),
                ),
            ),
            through_parent=True,
        ),
        "line_items": Rel("line_items", many=True),
        "shipments": Rel("shipments", many=True),
        "stock_line_items": Rel(
            "stock_line_items",
            many=True,
            getter=_order_stock_line_items,
            prefetch=_levels(*_ORDER_STOCK_LINES),
            through_parent=True,
        ),
        # Integration only, like every reservation (auth.md).
        "stock_reservations": Rel(
            "stock_reservations",
            many=True,
            getter=_order_stock_reservations,
            prefetch=_levels(
                *_ORDER_STOCK_LINES, _reservations_below("shipments__stock_line_items")
            ),
        ),
        "stock_transfers": Rel("stock_transfers", many=True, getter=_no_stock_transfers),
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

    def check_action(self, action):
        super().check_action(action)

    def allows_target(self, name, target):
        if name in ("shipping_address", "billing_address"):
            return _address_scope(self.ctx).filter(pk=target.pk).exists()
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
                "percentage_discount_promotions",
                "fixed_amount_promotions",
                "free_shipping_promotions",
                "shipments",
                "payment_methods",
            ),
            getter=lambda li: li.item,
            type_of=lambda obj: _item_type(obj),
            prefetch=("sku", "promotion", "shipment", "payment_method"),
            through_parent=True,
        ),
        "shipment": Rel("shipments"),
        "payment_method": Rel("payment_methods"),
        "stock_line_items": Rel("stock_line_items", many=True, through_parent=True),
        "stock_reservations": Rel(
            "stock_reservations",
            many=True,
            getter=_line_item_stock_reservations,
            prefetch=_levels(
                ("stock_line_items", StockLineItem.objects.all()),
                _reservations_below("stock_line_items"),
            ),
        ),
        "stock_transfers": Rel("stock_transfers", many=True, getter=_no_stock_transfers),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def parse_write(self, data, *, instance):
        attributes = dict(data.get("attributes") or {})
        self._merge = bool(attributes.get("_update_quantity")) and instance is None
        return super().parse_write(data, instance=instance)

    def create_resource(self, values, ctx):
        return carts.create_line_item(ctx=ctx, values=values, merge=self._merge)

    def update_resource(self, instance, values, ctx):
        return carts.update_line_item(instance, values, ctx=ctx) if values else instance

    def delete_resource(self, instance, ctx):
        carts.delete_line_item(instance, ctx=ctx)


def _item_type(obj) -> str:
    if isinstance(obj, Sku):
        return "skus"
    if isinstance(obj, Promotion):
        return obj.kind
    if isinstance(obj, PaymentMethod):
        return "payment_methods"
    return "shipments"


def _shipment_trigger(name):
    return Trigger(
        f"_{name}",
        lambda sh, v, *, ctx: shipment_services.operator_move(sh, name),
        kinds=INTEGRATION_ONLY,
        on_create=False,
    )


def _available_shipping_methods(shipment):
    """What the shipments service would accept for it; the candidates are read once per market
    object of the document (the prefetch gives the shipments of one market one object), not
    once per shipment."""
    market = shipment.order.market
    candidates = market.__dict__.get("_shipping_method_candidates")
    if candidates is None:
        candidates = planning.shipping_method_candidates(market.pk)
        market.__dict__["_shipping_method_candidates"] = candidates
    return planning.available_shipping_methods(shipment.order, shipment, candidates=candidates)


@register
class ShipmentResource(ResourceView):
    resource_type = "shipments"
    model = Shipment
    serializer_class = s.ShipmentSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY}
    select_related = ("order",)
    locked_through = "order"
    prefetch_related = ("stock_line_items",)  # skus_count
    triggers = TriggerSet(
        *[
            _shipment_trigger(n)
            for n in (
                "upcoming",
                "on_hold",
                "picking",
                "packing",
                "ready_to_ship",
                "ship",
                "deliver",
                "cancel",
            )
        ]
    )
    relationships_map = {
        "order": Rel("orders"),
        "shipping_category": Rel("shipping_categories"),
        "inventory_stock_location": Rel("inventory_stock_locations"),
        "stock_location": Rel("stock_locations", through_parent=True),
        "origin_address": Rel(
            "addresses",
            getter=_origin_address,
            prefetch=_levels(
                ("stock_location", StockLocation.objects.all()),
                ("stock_location__address", Address.objects.all()),
            ),
            through_parent=True,
        ),
        "shipping_address": Rel(
            "addresses",
            getter=lambda sh: sh.order.shipping_address,
            prefetch=("order__shipping_address",),
            through_parent=True,
        ),
        "shipping_method": Rel("shipping_methods", update=True),
        "delivery_lead_time": Rel(
            "delivery_lead_times",
            getter=_delivery_lead_time,
            prefetch=_levels(
                ("stock_location", StockLocation.objects.all()),
                ("stock_location__delivery_lead_times", DeliveryLeadTime.objects.order_by(*BY_AGE)),
            ),
            through_parent=True,
        ),
        "stock_line_items": Rel("stock_line_items", many=True, through_parent=True),
        "stock_transfers": Rel("stock_transfers", many=True, getter=_no_stock_transfers),
        "line_items": Rel(
            "line_items",
            many=True,
            getter=_shipment_line_items,
            prefetch=_levels(
                ("stock_line_items", StockLineItem.objects.order_by(*BY_AGE)),
                *_line_items_at("stock_line_items__line_item"),
            ),
            through_parent=True,
        ),
        "available_shipping_methods": Rel(
            "shipping_methods",
            many=True,
            getter=_available_shipping_methods,
            prefetch=_levels(
                ("order", Order.objects.all()),
                ("order__market", Market.objects.all()),
            ),
            through_parent=True,
        ),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def update_resource(self, instance, values, ctx):
        return shipment_services.update_shipment(instance, values, ctx=ctx)


@register
class StockLineItemResource(ResourceView):
    resource_type = "stock_line_items"
    model = StockLineItem
    serializer_class = s.StockLineItemSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY, "update": INTEGRATION_ONLY}
    ops = frozenset({"list", "retrieve"})
    select_related = ("line_item",)
    relationships_map = {
        "shipment": Rel("shipments"),
        "line_item": Rel("line_items"),
        "stock_item": Rel("stock_items"),
        "sku": Rel("skus"),
        "stock_reservation": Rel("stock_reservations"),
    }

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "shipment__order")


@register
class WireTransferResource(ResourceView):
    resource_type = "wire_transfers"
    model = PaymentSource
    serializer_class = s.WireTransferSerializer
    access = NO_LIST
    relationships_map = {"order": Rel("orders", create="required", lock=True)}

    @classmethod
    def base_queryset(cls):
        return PaymentSource.objects.filter(kind="wire_transfers")

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def create_resource(self, values, ctx):
        return carts.create_payment_source(ctx=ctx, values=values, kind="wire_transfers")


def _transaction_queryset(kind=None):
    """Transactions with their balances (orders.selectors)."""
    qs = Transaction.objects.all() if kind is None else Transaction.objects.filter(kind=kind)
    return with_balances(qs)


# The transactions of a transaction's order, with their amounts, read in one query per page.
_ORDER_TRANSACTIONS = Prefetch("order__transactions", queryset=_transaction_queryset())


def _referring(kind: str, reference: str):
    """The order's transactions of `kind` that refer to this one (its captures, voids...)."""
    return lambda t: [
        x for x in t.order.transactions.all() if x.kind == kind and getattr(x, reference) == t.pk
    ]


class TransactionResourceBase(ResourceView):
    serializer_class = s.TransactionSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY, "update": INTEGRATION_ONLY}
    ops = frozenset({"list", "retrieve", "update"})
    locked_through = "order"
    kind: str | None = None
    relationships_map = {
        "order": Rel("orders"),
        "payment_source": Rel("wire_transfers"),
    }

    @classmethod
    def base_queryset(cls):
        return _transaction_queryset(cls.kind)

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")


@register
class TransactionResource(TransactionResourceBase):
    resource_type = "transactions"
    model = Transaction
    ops = frozenset({"list", "retrieve"})
    document_types = ("authorizations", "captures", "voids", "refunds")


@register
class AuthorizationResource(TransactionResourceBase):
    resource_type = "authorizations"
    model = Transaction
    kind = "authorizations"
    serializer_class = s.AuthorizationSerializer
    triggers = TriggerSet(
        Trigger(
            "_capture_amount_cents",
            lambda t, v, *, ctx: t,
            value=int,
            kinds=INTEGRATION_ONLY,
            on_create=False,
        ),
        Trigger(
            "_capture",
            transactions.capture_authorization,
            kinds=INTEGRATION_ONLY,
            on_create=False,
            with_params=True,
        ),
        Trigger("_void", transactions.void_authorization, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "captures": Rel(
            "captures",
            many=True,
            getter=_referring("captures", "reference_authorization_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
        "voids": Rel(
            "voids",
            many=True,
            getter=_referring("voids", "reference_authorization_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
    }


@register
class CaptureResource(TransactionResourceBase):
    resource_type = "captures"
    model = Transaction
    kind = "captures"
    serializer_class = s.CaptureSerializer
    triggers = TriggerSet(
        Trigger(
            "_refund_amount_cents",
            lambda t, v, *, ctx: t,
            value=int,
            kinds=INTEGRATION_ONLY,
            on_create=False,
        ),
        Trigger(
            "_refund",
            transactions.refund_capture,
            kinds=INTEGRATION_ONLY,
            on_create=False,
            with_params=True,
        ),
    )
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_authorization": Rel("authorizations"),
        "refunds": Rel(
            "refunds",
            many=True,
            getter=_referring("refunds", "reference_capture_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
    }


@register
class VoidResource(TransactionResourceBase):
    resource_type = "voids"
    model = Transaction
    kind = "voids"
    ops = frozenset({"list", "retrieve"})
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_authorization": Rel("authorizations"),
    }


@register
class RefundResource(TransactionResourceBase):
    resource_type = "refunds"
    model = Transaction
    kind = "refunds"
    ops = frozenset({"list", "retrieve"})
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_capture": Rel("captures"),
    }


@register
class CustomerResource(ResourceView):
    resource_type = "customers"
    model = Customer
    serializer_class = s.CustomerSerializer
    access = {
        "list": INTEGRATION_ONLY,
        "retrieve": ALL_KINDS,
        "create": ALL_KINDS,
        "update": ALL_KINDS,
        "delete": INTEGRATION_ONLY,
    }
    relationships_map = {
        "customer_addresses": Rel("customer_addresses", many=True),
        "orders": Rel("orders", many=True),
    }

    @classmethod
    def base_queryset(cls):
        # A correlated count, not a join with GROUP BY: PATCH locks the row (select_for_update).
        placed = (
            Order.objects.filter(customer=OuterRef("pk"), status__in=("placed", "approved"))
            .order_by()
            .values("customer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Customer.objects.annotate(
            placed_orders_count=Coalesce(Subquery(placed, output_field=IntegerField()), 0)
        )

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        if ctx.is_customer:
            return qs.filter(pk=ctx.customer_id)
        return qs.none()

    def create_resource(self, values, ctx):
        return create_customer(**values)

    def update_resource(self, instance, values, ctx):
        return update_customer(instance, values)


@register
class CustomerAddressResource(ResourceView):
    resource_type = "customer_addresses"
    model = CustomerAddress
    serializer_class = s.CustomerAddressSerializer
    access = {
        "list": frozenset({"integration", "customer"}),
        "retrieve": frozenset({"integration", "customer"}),
        "create": frozenset({"integration", "customer"}),
        "update": frozenset({"integration", "customer"}),
        "delete": frozenset({"integration", "customer"}),
    }
    select_related = ("customer", "address")
    filter_aliases = {"customer_email": "customer__email"}
    relationships_map = {
        "customer": Rel("customers", create="optional", update=True),
        "address": Rel("addresses", create="required", update=True),
    }

    @classmethod
    def scope(cls, qs, ctx):
        if ctx.is_integration:
            return qs
        return qs.filter(customer_id=ctx.customer_id) if ctx.is_customer else qs.none()

    def create_resource(self, values, ctx):
        return create_customer_address(ctx=ctx, values=values)


@register
class StockReservationResource(ResourceView):
    """Reservations show both sides (stock item and order), so they are served from here."""

    resource_type = "stock_reservations"
    model = StockReservation
    serializer_class = StockReservationSerializer
    ops = frozenset({"list", "retrieve"})
    select_related = ("stock_item",)
    relationships_map = {
        "stock_item": Rel("stock_items"),
        "sku": Rel("skus", getter=lambda r: r.stock_item.sku, prefetch=("stock_item__sku",)),
        "stock_line_item": Rel("stock_line_items"),
        "line_item": Rel(
            "line_items",
            getter=lambda r: _reservation_line(r, "line_item"),
            prefetch=_levels(
                ("stock_line_item", StockLineItem.objects.all()),
                *_line_items_at("stock_line_item__line_item"),
            ),
        ),
        "order": Rel(
            "orders",
            getter=lambda r: _reservation_line(r, "order"),
            prefetch=_levels(
                ("stock_line_item", StockLineItem.objects.all()),
                ("stock_line_item__shipment", Shipment.objects.all()),
                ("stock_line_item__shipment__order", OrderResource.base_queryset()),
            ),
        ),
        "stock_transfer": Rel("stock_transfers"),
    }


def _reservation_line(reservation, what):
    try:
        sli = reservation.stock_line_item
    except StockLineItem.DoesNotExist:
        return None
    return sli.line_item if what == "line_item" else sli.shipment.order
