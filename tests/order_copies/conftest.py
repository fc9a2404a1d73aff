"""Order copies (aftersale.md §4): a shop, sources in the states a copy starts from, and the
two halves of a copy, the API's POST (its commit runs what it registered on_commit: the task is
enqueued) and the task worker, run in process as django-tasks-db's `db_worker` runs it."""

import pytest

from orders.models import Order, OrderCopy
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, make_cart, ok
from tests.webhooks.conftest import committed, run_worker

__all__ = ["committed", "run_worker"]


@pytest.fixture
def shop(market):
    """Two SKUs (CPY-1, CPY-2) at $10.00, 50 of each; "Standard" ($5.00) and "Express"
    ($15.00) shipping; wire transfers."""
    return build_shop(market, "CPY", skus=2, express=True)


def placed_order(integration, shop, lines=None, *, customer=None, express=True, **attributes):
    """A cart of `lines` (2 x CPY-1 by default) shipped "Express" (not the cart's default,
    the cheapest) with `attributes` (a coupon code...) sent before `_place`, then placed."""
    cart = make_cart(shop, lines, customer=customer)
    if express:
        cart.shipments.update(shipping_method=shop["express"])
    if attributes:
        ok(integration.update("orders", cart.public_id, attributes))
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    cart.refresh_from_db()
    return cart


def request_copy(api, source: Order, status: int = 201, **options):
    """POST /api/order_copies for `source`; its commit enqueues the task. The answer's data."""
    with committed():
        response = api.create(
            "order_copies", options, {"source_order": rel("orders", source.public_id)}
        )
    return ok(response, status)


def copy_now(api, source: Order, **options) -> OrderCopy:
    """A copy requested and run by the worker; the copy as the worker left it."""
    made = request_copy(api, source, **options)
    assert run_worker() == 1
    return OrderCopy.objects.select_related("target_order").get(public_id=made["id"])


def customer_of(email: str):
    return Order._meta.get_field("customer").related_model.objects.get(email=email)


def wallet_method(market):
    return f.PaymentMethodFactory(
        market=market,
        name="PSP",
        payment_source_type="external_payments",
        payment_gateway=f.ExternalGatewayFactory(),
    )
