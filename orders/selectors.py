"""Reads of the orders app that more than one layer needs: what a cart's every change reads
again (its lines, shipments and stock line items, compiled once), and the transactions'
balances.

An authorization's `capture_amount_cents`/`void_amount_cents` are the sums of the succeeded
captures and voids that refer to it, a capture's `refund_amount_cents` those of its refunds;
the balances follow:

    capture_balance = max(amount - captured - voided, 0)   (void_balance is the same)
    refund_balance  = max(amount - refunded, 0)

`with_balances` computes them in the query that reads the transactions (one correlated
subquery each, no GROUP BY, so `select_for_update` still works); services, views and admin all
read balances through it.
"""

from django.db import models
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Lower

from commerce.compiled import CompiledRead
from inventory.models import InventoryStockLocation, StockItem
from inventory.services import with_reserved_and_salable
from orders.models import Customer, LineItem, Order, Shipment, StockLineItem, Transaction

# What a cart's every change reads again, SQL built once per process (commerce/compiled.py).
# A bundle line's bundle comes along (its list decides which promotions it takes).
_LINES = CompiledRead(
    lambda order_id: LineItem.objects.filter(order_id=order_id).select_related(
        "sku", "adjustment", "bundle"
    ),
    order_id=models.BigIntegerField(),
)
# A shipment's method comes with what its availability reads (shipping.md "Availability": its
# currency and zone), so that a refresh checks it again without a statement of its own.
_SHIPMENTS = CompiledRead(
    lambda order_id: (
        Shipment.objects.filter(order_id=order_id)
        .select_related("shipping_method__market__price_list", "shipping_method__shipping_zone")
        .order_by("id")
    ),
    order_id=models.BigIntegerField(),
)
# What a checkout reads once per step or two: compiled too.
_CUSTOMER_BY_EMAIL = CompiledRead(
    # LOWER(email) = the lower-cased address: `email__iexact` without LIKE's wildcards (on
    # SQLite iexact is a LIKE whose escaping a compiled read would not redo for each value).
    lambda email: Customer.objects.alias(email_lower=Lower("email")).filter(email_lower=email),
    email=models.CharField(),
)
_TRANSACTIONS = CompiledRead(
    lambda order_id: Transaction.objects.filter(order_id=order_id).order_by(),
    order_id=models.BigIntegerField(),
)
_SUCCEEDED = CompiledRead(
    lambda order_id: (
        Transaction.objects.filter(order_id=order_id, succeeded=True)
        .only("kind", "amount_cents")
        .order_by()
    ),
    order_id=models.BigIntegerField(),
)
_STOCK_LINE_ITEMS = CompiledRead(
    lambda order_id: StockLineItem.objects.filter(shipment__order_id=order_id),
    order_id=models.BigIntegerField(),
)


# The stock items of the SKUs of a cart's sku lines at its market's stock locations, with their
# salable units: what planning reads (inventory.services.stock_with_salable), here through a
# subquery of the lines, so that it is read ahead with them (`cart_reads`).
_CART_STOCK = CompiledRead(
    lambda order_id, model_id: with_reserved_and_salable(
        StockItem.objects.filter(
            sku_id__in=LineItem.objects.filter(order_id=order_id, item_type="skus").values(
                "sku_id"
            ),
            stock_location_id__in=InventoryStockLocation.objects.filter(
                inventory_model_id=model_id
            ).values("stock_location_id"),
        )
    ),
    order_id=models.BigIntegerField(),
    model_id=models.BigIntegerField(),
)


def held_cart_stock(order: Order) -> list[StockItem] | None:
    """The stock of the cart's sku lines (`_CART_STOCK`) when `cart_reads` read it ahead, else
    None, without a query."""
    return _CART_STOCK.held(order_id=order.pk, model_id=order.market.inventory_model_id)


def order_lines(order: Order) -> list[LineItem]:
    """The order's line items with their SKUs (adjustments, bundles), oldest first."""
    return _LINES.all(order_id=order.pk, known={"order": order})


def order_shipments(order: Order) -> list[Shipment]:
    """The order's shipments with their shipping methods, by id."""
    return _SHIPMENTS.all(order_id=order.pk, known={"order": order})


def cart_reads(
    order: Order, *, lines: bool = True, stock_line_items: bool = True, stock: bool = False
) -> list[tuple]:
    """`order_lines` (when `lines`), `order_shipments`, `order_stock_line_items` (when
    `stock_line_items`) and the stock of its lines (`held_cart_stock`, when `stock`) as
    (read, values), to be read ahead with others (commerce/together.py)."""
    calls = [(_SHIPMENTS, {"order_id": order.pk})]
    if lines:
        calls.append((_LINES, {"order_id": order.pk}))
    if stock_line_items:
        calls.append(stock_line_items_read(order))
    if stock:
        model_id = order.market.inventory_model_id
        calls.append((_CART_STOCK, {"order_id": order.pk, "model_id": model_id}))
    return calls


def customer_by_email(email: str) -> Customer | None:
    """The customer of an address, whatever its case."""
    return _CUSTOMER_BY_EMAIL.first(email=email.lower())


def transactions_count(order: Order) -> int:
    """How many transactions the order has (a new one's number)."""
    return _TRANSACTIONS.count(order_id=order.pk)


def transactions_read(order: Order) -> tuple:
    """The order's transactions as (read, values), to be read ahead (commerce/together.py) by
    a caller about to number a new one (`transactions_count` counts them then)."""
    return _TRANSACTIONS, {"order_id": order.pk}


def customer_by_email_read(email: str) -> tuple:
    """`customer_by_email` as (read, values), to be read ahead (commerce/together.py)."""
    return _CUSTOMER_BY_EMAIL, {"email": email.lower()}


def stock_line_items_read(order: Order) -> tuple:
    """`order_stock_line_items` as (read, values), to be read ahead (commerce/together.py)."""
    return _STOCK_LINE_ITEMS, {"order_id": order.pk}


def with_stock_line_items(order: Order, shipments: list[Shipment]) -> list[Shipment]:
    """The order's `shipments`, each holding its stock line items (`order_stock_line_items`)
    as prefetched."""
    by_shipment = order_stock_line_items(order)
    for shipment in shipments:
        shipment.give_prefetched("stock_line_items", by_shipment.get(shipment.pk, []))
    return shipments


def order_stock_line_items(order: Order) -> dict[int, list[StockLineItem]]:
    """The stock line items of the order's shipments, oldest first, by shipment id."""
    by_shipment: dict[int, list[StockLineItem]] = {}
    for sli in _STOCK_LINE_ITEMS.all(order_id=order.pk):
        by_shipment.setdefault(sli.shipment_id, []).append(sli)
    return by_shipment


def _referring_sum(kind: str, reference: str):
    referring = (
        Transaction.objects.filter(**{reference: OuterRef("pk")}, kind=kind, succeeded=True)
        .order_by()
        .values(reference)
        .annotate(total=Sum("amount_cents"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(referring, output_field=IntegerField()), Value(0))


def with_balances(queryset):
    """The transactions of `queryset` with their referring sums and balances (see above)."""
    return queryset.annotate(
        capture_amount_cents=_referring_sum("captures", "reference_authorization"),
        void_amount_cents=_referring_sum("voids", "reference_authorization"),
        refund_amount_cents=_referring_sum("refunds", "reference_capture"),
    ).annotate(
        capture_balance_cents=Greatest(
            F("amount_cents") - F("capture_amount_cents") - F("void_amount_cents"), Value(0)
        ),
        void_balance_cents=F("capture_balance_cents"),
        refund_balance_cents=Greatest(F("amount_cents") - F("refund_amount_cents"), Value(0)),
    )


def capture_balance(authorization: Transaction) -> int:
    """What of an authorization is still neither captured nor voided (one query)."""
    return _balance(authorization, "capture_balance_cents")


def refund_balance(capture: Transaction) -> int:
    """What of a capture can still be refunded (one query)."""
    return _balance(capture, "refund_balance_cents")


def _balance(tx: Transaction, name: str) -> int:
    return (
        with_balances(Transaction.objects.filter(pk=tx.pk).order_by())
        .values_list(name, flat=True)
        .get()
    )


def open_authorization(order: Order) -> Transaction | None:
    """The order's latest succeeded authorization, with its balances."""
    return (
        with_balances(Transaction.objects.filter(order=order, kind="authorizations"))
        .filter(succeeded=True)
        .order_by("-id")
        .first()
    )


def captures_with_balance(order: Order) -> list[Transaction]:
    """The order's succeeded captures that still have something to refund, oldest first."""
    return list(
        with_balances(Transaction.objects.filter(order=order, kind="captures", succeeded=True))
        .filter(refund_balance_cents__gt=0)
        .order_by("id")
    )


def transaction_sums(order: Order) -> dict[str, int]:
    """The cents of the order's succeeded transactions, by kind, named as
    `orders.transitions.payment_status` takes them (`authorized`, `captured`, `voided`,
    `refunded`)."""
    totals = dict.fromkeys(_FIGURES, 0)
    for tx in _SUCCEEDED.all(order_id=order.pk):  # a handful per order: summed here
        totals[tx.kind] += tx.amount_cents
    return {figure: totals[kind] for kind, figure in _FIGURES.items()}


_FIGURES = {
    "authorizations": "authorized",
    "captures": "captured",
    "voids": "voided",
    "refunds": "refunded",
}
