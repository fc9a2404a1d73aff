"""Returns' tests: a shop whose inventory model takes returns at a returns desk of its own, paid
orders (placed, approved and captured over HTTP) to return units of, and a snapshot of all a
return trigger may touch (so "refused" can be checked as "nothing changed")."""

from decimal import Decimal

import pytest

from commerce.models import Counter
from markets.models import ManualTaxCalculator, TaxRule
from orders.models import Order
from returns.models import InventoryReturnLocation, Return, ReturnLineItem
from tests import factories as f
from tests.admin.conftest import logged_in
from tests.conftest import rel
from tests.orders.conftest import snapshot as order_snapshot
from tests.shop import build_shop, make_cart, ok


@pytest.fixture
def staff_client(django_user_model):
    """An operator in the admin (a superuser, as tests/admin's)."""
    user = django_user_model.objects.create(username="operator", is_staff=True, is_superuser=True)
    return logged_in(user)


@pytest.fixture
def returns_desk(market):
    """The stock location the market's inventory model takes returns at (priority 1)."""
    desk = f.StockLocationFactory(name="Returns desk")
    InventoryReturnLocation.objects.create(
        inventory_model=market.inventory_model, stock_location=desk, priority=1
    )
    return desk


@pytest.fixture
def shop(market, returns_desk):
    shop = build_shop(market, "RET", price_cents=1500)
    shop["returns_desk"] = returns_desk
    return shop


def taxed(market, rate="0.10") -> None:
    """A 10 % tax on everything, excluded from the prices (the price list's default)."""
    calculator = ManualTaxCalculator.objects.create(name="Taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator,
        name="All",
        tax_rate=Decimal(rate),
        country_code_regex=".*",
    )
    market.tax_calculator = calculator
    market.save()


def paid_order(api, shop, lines=None, *, customer=None) -> Order:
    """A cart placed, approved and captured over HTTP: approved, paid, fulfillment in
    progress (its shipments picking) — an order that takes returns."""
    order = make_cart(shop, lines, customer=customer)
    ok(api.update("orders", order.public_id, {"_place": True}))
    ok(api.update("orders", order.public_id, {"_approve_and_capture": True}))
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.fulfillment_status) == (
        "approved",
        "paid",
        "in_progress",
    )
    return order


def sku_line(order, sku=None):
    lines = order.line_items.filter(item_type="skus")
    return lines.get(sku=sku) if sku is not None else lines.first()


def create_return(api, order, **relationships):
    return api.create(
        "returns", relationships={"order": rel("orders", order.public_id), **relationships}
    )


def new_return(api, order, **relationships) -> dict:
    return ok(create_return(api, order, **relationships), 201)


def add_line(api, return_id, line_item, quantity, **attributes):
    return api.create(
        "return_line_items",
        {"quantity": quantity, **attributes},
        {
            "return": rel("returns", return_id),
            "line_item": rel("line_items", line_item.public_id),
        },
    )


def return_with(api, order, lines, *, status="draft") -> dict:
    """A return of `lines` [(line item, quantity)] moved to `status` over HTTP."""
    ret = new_return(api, order)
    for line, quantity in lines:
        ok(add_line(api, ret["id"], line, quantity), 201)
    for trigger in STEPS_TO[status]:
        ret = ok(api.update("returns", ret["id"], {trigger: True}))
    return ret


# The triggers that bring a draft return to each status.
STEPS_TO = {
    "draft": [],
    "requested": ["_request"],
    "approved": ["_request", "_approve"],
    "shipped": ["_request", "_approve", "_ship"],
    "received": ["_request", "_approve", "_ship", "_receive"],
    "refunded": ["_request", "_approve", "_ship", "_receive", "_refund"],
    "cancelled": ["_cancel"],
    "rejected": ["_request", "_approve", "_ship", "_reject"],
}


def snapshot(order: Order) -> dict:
    """Everything a return trigger may write: the order's rows, stock, transactions, events,
    and every return and return line item of the order."""
    return {
        **order_snapshot(order),
        "returns": list(Return.objects.filter(order=order).order_by("pk").values()),
        "return_line_items": list(
            ReturnLineItem.objects.filter(return_record__order=order).order_by("pk").values()
        ),
        "return_locations": list(InventoryReturnLocation.objects.order_by("pk").values()),
        "counters": list(Counter.objects.order_by("pk").values_list("name", "value")),
    }
