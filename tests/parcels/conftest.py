"""A small shop whose orders are placed, approved and paid over HTTP, so that their shipment is
`picking` with two stock line items (2 x PCL-1, 3 x PCL-2) at the market's stock location, and
the packages of that location and of another one."""

import pytest

from commerce.models import Event
from orders.models import Shipment
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, make_cart, ok

LINES = {"PCL-1": 2, "PCL-2": 3}


@pytest.fixture
def shop(market):
    shop = build_shop(market, "PCL", skus=2, quantity=50)
    first, second = shop["skus"]
    second.shipping_category = first.shipping_category  # one shipment for both
    second.save()
    return shop


@pytest.fixture
def box(shop):
    """A package at the shipment's stock location."""
    return f.PackageFactory(stock_location=shop["location"], name="Medium box", code="MED")


@pytest.fixture
def elsewhere():
    """A package at another stock location."""
    return f.PackageFactory(name="Far box", code="FAR")


def shipment_in(api, shop, *triggers) -> Shipment:
    """A paid order's shipment (picking), then moved by the shipment `triggers` over HTTP."""
    skus = shop["skus"]
    order = make_cart(shop, [(skus[0], LINES["PCL-1"]), (skus[1], LINES["PCL-2"])])
    ok(api.update("orders", order.public_id, {"_place": True}))
    ok(api.update("orders", order.public_id, {"_approve_and_capture": True}))
    shipment = Shipment.objects.get(order=order)
    for trigger in triggers:
        ok(api.update("shipments", shipment.public_id, {trigger: True}))
    shipment.refresh_from_db()
    return shipment


@pytest.fixture
def shipment(integration, shop):
    return shipment_in(integration, shop)


def lines_of(shipment) -> dict:
    """{sku_code: stock line item} of the shipment."""
    return {line.sku_code: line for line in shipment.stock_line_items.all()}


def parcel_body(shipment, package, **attributes):
    return (
        {"weight": 1.5, "unit_of_weight": "lb", **attributes},
        {
            "shipment": rel("shipments", shipment.public_id),
            "package": rel("packages", package.public_id),
        },
    )


def make_parcel(api, shipment, package, status=201, **attributes):
    response = api.create("parcels", *parcel_body(shipment, package, **attributes))
    return ok(response, status) if status == 201 else response


def pack(api, parcel_id, stock_line_item, quantity):
    """POST a parcel line item; the response as it came."""
    return api.create(
        "parcel_line_items",
        {"quantity": quantity},
        {
            "parcel": rel("parcels", parcel_id),
            "stock_line_item": rel("stock_line_items", stock_line_item.public_id),
        },
    )


def error_of(response, status=422) -> dict:
    assert response.status_code == status, response.json()
    (error,) = response.json()["errors"]
    return error


def topics(resource_id) -> list[str]:
    return list(
        Event.objects.filter(resource_id=resource_id).order_by("id").values_list("topic", flat=True)
    )
