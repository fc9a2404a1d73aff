"""Parcel line items over HTTP (shipping.md "Packages, parcels, parcel line items"): units of a
stock line item of the parcel's shipment, never more over all its parcels than the stock line
item holds; what they show is copied from it; changed by deleting and creating again."""

import pytest

from orders.models import ParcelLineItem
from tests.conftest import rel
from tests.parcels.conftest import error_of, lines_of, make_parcel, pack, shipment_in, topics
from tests.shop import ok

pytestmark = pytest.mark.django_db


def test_a_line_item_copies_what_the_stock_line_item_shows(integration, shipment, box):
    stock_line = lines_of(shipment)["PCL-1"]
    stock_line.line_item.image_url = "https://img.example.com/pcl-1.png"
    stock_line.line_item.save()
    parcel = make_parcel(integration, shipment, box)
    line = ok(pack(integration, parcel["id"], stock_line, 2), 201)
    shown = ("sku_code", "bundle_code", "quantity", "name", "image_url")
    assert {name: line["attributes"][name] for name in shown} == {
        "sku_code": "PCL-1",
        "bundle_code": None,
        "quantity": 2,
        "name": stock_line.line_item.name,
        "image_url": "https://img.example.com/pcl-1.png",
    }
    read = ok(
        integration.get(f"/api/parcel_line_items/{line['id']}?include=parcel,stock_line_item")
    )
    assert read["relationships"]["parcel"]["data"]["id"] == parcel["id"]
    assert read["relationships"]["stock_line_item"]["data"]["id"] == stock_line.public_id
    listed = ok(integration.get(f"/api/parcels/{parcel['id']}/parcel_line_items"))
    assert [item["id"] for item in listed] == [line["id"]]
    assert topics(line["id"]) == ["parcel_line_items.create"]


def test_packing_never_exceeds_the_stock_line_item_over_all_parcels(integration, shipment, box):
    stock_line = lines_of(shipment)["PCL-2"]  # 3 units
    first = make_parcel(integration, shipment, box)
    second = make_parcel(integration, shipment, box)
    ok(pack(integration, first["id"], stock_line, 2), 201)
    error = error_of(pack(integration, second["id"], stock_line, 2))
    assert error["source"]["pointer"] == "/data/attributes/quantity"
    assert error["detail"] == "quantity - must be less than or equal to 1"
    assert error["meta"] == {"error": "less_than_or_equal_to", "count": 1}
    ok(pack(integration, second["id"], stock_line, 1), 201)
    full = error_of(pack(integration, first["id"], stock_line, 1))
    assert full["meta"] == {"error": "less_than_or_equal_to", "count": 0}
    assert sum(ParcelLineItem.objects.values_list("quantity", flat=True)) == 3


def test_a_line_item_packs_its_own_shipments_units(integration, shop, shipment, box):
    other = shipment_in(integration, shop)
    parcel = make_parcel(integration, shipment, box)
    error = error_of(pack(integration, parcel["id"], lines_of(other)["PCL-1"], 1))
    assert error["source"]["pointer"] == "/data/relationships/stock_line_item"
    assert error["detail"] == (
        f"stock_line_item - must be a stock line item of shipment {shipment.number}"
    )
    assert not ParcelLineItem.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_is_at_least_one(integration, shipment, box, quantity):
    parcel = make_parcel(integration, shipment, box)
    error = error_of(pack(integration, parcel["id"], lines_of(shipment)["PCL-1"], quantity))
    assert error["source"]["pointer"] == "/data/attributes/quantity"
    assert error["meta"] == {"error": "greater_than_or_equal_to", "count": 1}


def test_parcel_stock_line_item_and_quantity_are_required(integration, shipment, box):
    response = integration.create("parcel_line_items", {}, {})
    assert response.status_code == 422
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {
        "/data/attributes/quantity",
        "/data/relationships/parcel",
        "/data/relationships/stock_line_item",
    }


def test_quantity_is_not_updatable_delete_and_pack_again(integration, shipment, box):
    stock_line = lines_of(shipment)["PCL-1"]
    parcel = make_parcel(integration, shipment, box)
    line = ok(pack(integration, parcel["id"], stock_line, 1), 201)
    error = error_of(integration.update("parcel_line_items", line["id"], {"quantity": 2}), 400)
    assert (error["code"], error["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        "/data/attributes/quantity",
    )
    moved = integration.update(
        "parcel_line_items", line["id"], relationships={"parcel": rel("parcels", parcel["id"])}
    )
    assert error_of(moved, 400)["code"] == "PARAM_NOT_ALLOWED"
    noted = ok(integration.update("parcel_line_items", line["id"], {"metadata": {"bin": "A4"}}))
    assert noted["attributes"]["metadata"] == {"bin": "A4"}
    assert integration.delete(f"/api/parcel_line_items/{line['id']}").status_code == 204
    again = ok(pack(integration, parcel["id"], stock_line, 2), 201)
    assert again["attributes"]["quantity"] == 2
    assert topics(line["id"]) == [
        "parcel_line_items.create",
        "parcel_line_items.update",
        "parcel_line_items.destroy",
    ]


def test_once_shipped_line_items_stay(integration, shipment, box):
    parcel = make_parcel(integration, shipment, box)
    lines = [
        ok(pack(integration, parcel["id"], stock_line, stock_line.quantity), 201)
        for stock_line in lines_of(shipment).values()
    ]
    for trigger in ("_packing", "_ready_to_ship", "_ship"):
        ok(integration.update("shipments", shipment.public_id, {trigger: True}))
    refused = error_of(integration.delete(f"/api/parcel_line_items/{lines[0]['id']}"))
    assert refused["source"]["pointer"] == "/data/attributes/status"
    assert refused["detail"] == "status - the shipment is shipped: its parcels can't change"
    noted = integration.update("parcel_line_items", lines[0]["id"], {"metadata": {"ok": True}})
    assert noted.status_code == 200
    reference = integration.update("parcel_line_items", lines[0]["id"], {"reference": "X"})
    assert error_of(reference)["source"]["pointer"] == "/data/attributes/reference"
    created = error_of(pack(integration, parcel["id"], lines_of(shipment)["PCL-1"], 1))
    assert created["source"]["pointer"] == "/data/attributes/status"
    assert ParcelLineItem.objects.count() == 2
