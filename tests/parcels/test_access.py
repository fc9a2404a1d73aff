"""Who reaches parcels, their line items and packages (shipping.md "Access and events"):
integration tokens everything; sales channels and customers read them through the shipments of
the orders they reach, never list them, never write (401); another storefront's are 404."""

import pytest

from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.parcels.conftest import lines_of, make_parcel, pack, parcel_body
from tests.shop import make_cart, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def packed(integration, shipment, box):
    parcel = make_parcel(integration, shipment, box, tracking_number="TRK-42")
    line = ok(pack(integration, parcel["id"], lines_of(shipment)["PCL-1"], 2), 201)
    return {"shipment": shipment, "parcel": parcel["id"], "line": line["id"], "box": box}


def _included(document) -> set:
    return {(item["type"], item["id"]) for item in document.get("included", [])}


def test_a_storefront_reads_the_tracking_of_its_orders_shipments(sales_channel, packed):
    shipment = packed["shipment"].public_id
    response = sales_channel.get(
        f"/api/shipments/{shipment}?include=parcels.parcel_line_items,parcels.package"
    )
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["data"]["relationships"]["parcels"]["data"] == [
        {"type": "parcels", "id": packed["parcel"]}
    ]
    assert _included(document) == {
        ("parcels", packed["parcel"]),
        ("parcel_line_items", packed["line"]),
        ("packages", packed["box"].public_id),
    }
    parcel = next(i for i in document["included"] if i["type"] == "parcels")
    assert parcel["attributes"]["tracking_number"] == "TRK-42"

    related = ok(sales_channel.get(f"/api/shipments/{shipment}/parcels"))
    assert [p["id"] for p in related] == [packed["parcel"]]
    assert ok(sales_channel.get(f"/api/parcels/{packed['parcel']}"))["id"] == packed["parcel"]
    package = ok(sales_channel.get(f"/api/parcels/{packed['parcel']}/package"))
    assert package["id"] == packed["box"].public_id
    lines = ok(sales_channel.get(f"/api/parcels/{packed['parcel']}/parcel_line_items"))
    assert [line["id"] for line in lines] == [packed["line"]]
    line = ok(sales_channel.get(f"/api/parcel_line_items/{packed['line']}?include=parcel"))
    assert line["relationships"]["parcel"]["data"]["id"] == packed["parcel"]
    order = packed["shipment"].order.public_id
    through_order = sales_channel.get(f"/api/orders/{order}?include=shipments.parcels")
    assert ("parcels", packed["parcel"]) in _included(through_order.json())


def test_a_storefront_lists_and_writes_nothing(sales_channel, integration, packed):
    parcel, line, box = packed["parcel"], packed["line"], packed["box"]
    for type_name in ("parcels", "parcel_line_items", "packages"):
        assert_unauthorized(sales_channel.get(f"/api/{type_name}"), f"{type_name}: list")
    assert_unauthorized(sales_channel.get(f"/api/packages/{box.public_id}"), "package by id")
    assert_unauthorized(
        sales_channel.create("parcels", *parcel_body(packed["shipment"], box)), "create parcel"
    )
    assert_unauthorized(
        sales_channel.update("parcels", parcel, {"tracking_number": "FAKE"}), "update parcel"
    )
    assert_unauthorized(sales_channel.delete(f"/api/parcels/{parcel}"), "delete parcel")
    stock_line = lines_of(packed["shipment"])["PCL-2"]
    assert_unauthorized(pack(sales_channel, parcel, stock_line, 1), "create line item")
    assert_unauthorized(
        sales_channel.update("parcel_line_items", line, {"metadata": {}}), "update line item"
    )
    assert_unauthorized(sales_channel.delete(f"/api/parcel_line_items/{line}"), "delete line")
    assert_unauthorized(
        sales_channel.create(
            "packages",
            {"name": "Box", "length": 1, "width": 1, "height": 1, "unit_of_length": "cm"},
            {"stock_location": rel("stock_locations", box.stock_location.public_id)},
        ),
        "create package",
    )
    after = ok(integration.get(f"/api/parcels/{parcel}"))
    assert after["attributes"]["tracking_number"] == "TRK-42"


def test_another_storefront_does_not_reach_them(other_sales_channel, packed):
    shipment = packed["shipment"].public_id
    assert_not_found(other_sales_channel.get(f"/api/shipments/{shipment}/parcels"))
    assert_not_found(other_sales_channel.get(f"/api/parcels/{packed['parcel']}"))
    assert_not_found(other_sales_channel.get(f"/api/parcels/{packed['parcel']}/package"))
    assert_not_found(other_sales_channel.get(f"/api/parcel_line_items/{packed['line']}"))


def test_a_customer_reads_the_parcels_of_its_own_orders_only(
    integration, customer_token, shop, packed
):
    from orders.models import Customer, Shipment

    api = customer_token(shop["market"], "ada@example.com")
    customer = Customer.objects.get(email="ada@example.com")
    own = make_cart(shop, customer=customer)
    ok(integration.update("orders", own.public_id, {"_place": True}))
    ok(integration.update("orders", own.public_id, {"_approve_and_capture": True}))
    shipment = Shipment.objects.get(order=own)
    parcel = make_parcel(integration, shipment, packed["box"], tracking_number="OWN-1")
    document = api.get(f"/api/shipments/{shipment.public_id}?include=parcels")
    assert document.status_code == 200, document.json()
    assert _included(document.json()) == {("parcels", parcel["id"])}
    assert ok(api.get(f"/api/parcels/{parcel['id']}"))["attributes"]["tracking_number"] == "OWN-1"
    assert_not_found(api.get(f"/api/parcels/{packed['parcel']}"), "a guest order's parcel")
    assert_unauthorized(api.get("/api/parcels"), "list")
    assert_unauthorized(api.update("parcels", parcel["id"], {"signed_by": "me"}), "update")
