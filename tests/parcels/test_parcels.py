"""Parcels over HTTP with an integration token (shipping.md "Packages, parcels, parcel line
items"): what a new parcel needs, its numbers, the shipment statuses it may change in, and what
stays writable once its shipment has shipped."""

import pytest

from orders.models import Parcel
from tests import factories as f
from tests.conftest import rel
from tests.parcels.conftest import (
    error_of,
    lines_of,
    make_parcel,
    pack,
    parcel_body,
    shipment_in,
    topics,
)
from tests.shop import ok

pytestmark = pytest.mark.django_db


def test_a_parcel_is_numbered_after_its_shipment_and_shows_what_was_sent(
    integration, shipment, box
):
    parcel = make_parcel(
        integration,
        shipment,
        box,
        tracking_number="1Z999AA10123456784",
        customs_certify=True,
        restriction_type="none",
        tracking_details=[{"status": "pre_transit"}],
        metadata={"tracking_url": "https://track.example.com/1Z999"},
    )
    attributes = parcel["attributes"]
    assert attributes["number"] == f"{shipment.number}/P/001"
    assert (attributes["weight"], attributes["unit_of_weight"]) == (1.5, "lb")
    assert attributes["tracking_number"] == "1Z999AA10123456784"
    assert attributes["customs_certify"] is True
    assert attributes["tracking_details"] == [{"status": "pre_transit"}]
    assert attributes["metadata"] == {"tracking_url": "https://track.example.com/1Z999"}
    read = ok(
        integration.get(f"/api/parcels/{parcel['id']}?include=shipment,package,parcel_line_items")
    )
    assert read["relationships"]["shipment"]["data"] == {
        "type": "shipments",
        "id": shipment.public_id,
    }
    assert read["relationships"]["package"]["data"] == {"type": "packages", "id": box.public_id}
    assert read["relationships"]["parcel_line_items"]["data"] == []
    assert topics(parcel["id"]) == ["parcels.create"]


def test_numbers_are_never_reused(integration, shipment, box):
    first = make_parcel(integration, shipment, box)
    second = make_parcel(integration, shipment, box)
    assert [first["attributes"]["number"], second["attributes"]["number"]] == [
        f"{shipment.number}/P/001",
        f"{shipment.number}/P/002",
    ]
    assert integration.delete(f"/api/parcels/{second['id']}").status_code == 204
    third = make_parcel(integration, shipment, box)
    assert third["attributes"]["number"] == f"{shipment.number}/P/003"
    assert topics(second["id"]) == ["parcels.create", "parcels.destroy"]


def test_numbers_count_per_shipment(integration, shop, shipment, box):
    other = shipment_in(integration, shop)
    make_parcel(integration, shipment, box)
    parcel = make_parcel(integration, other, box)
    assert parcel["attributes"]["number"] == f"{other.number}/P/001"


def test_the_package_must_be_at_the_shipments_stock_location(integration, shipment, elsewhere):
    error = error_of(integration.create("parcels", *parcel_body(shipment, elsewhere)))
    assert error["source"]["pointer"] == "/data/relationships/package"
    assert error["detail"] == "package - must be a package of the shipment's stock location"
    assert not Parcel.objects.exists()


@pytest.mark.parametrize("weight", [0, -1.5])
def test_weight_must_be_positive(integration, shipment, box, weight):
    error = error_of(integration.create("parcels", *parcel_body(shipment, box, weight=weight)))
    assert error["source"]["pointer"] == "/data/attributes/weight"
    assert error["meta"] == {"error": "greater_than", "count": 0}


def test_weight_and_its_unit_are_required(integration, shipment, box):
    attributes, relationships = parcel_body(shipment, box)
    response = integration.create("parcels", {}, relationships)
    assert response.status_code == 422
    pointers = {e["source"]["pointer"]: e["meta"]["error"] for e in response.json()["errors"]}
    assert pointers == {
        "/data/attributes/weight": "blank",
        "/data/attributes/unit_of_weight": "blank",
    }
    bad_unit = integration.create("parcels", {**attributes, "unit_of_weight": "kg"}, relationships)
    assert error_of(bad_unit)["source"]["pointer"] == "/data/attributes/unit_of_weight"


def test_shipment_and_package_are_required(integration, shipment, box):
    attributes, _ = parcel_body(shipment, box)
    response = integration.create("parcels", attributes, {})
    assert response.status_code == 422
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {
        "/data/relationships/shipment",
        "/data/relationships/package",
    }


@pytest.mark.parametrize("triggers", [(), ("_packing",), ("_packing", "_ready_to_ship")])
def test_parcels_change_while_picking_packing_or_ready_to_ship(integration, shop, box, triggers):
    shipment = shipment_in(integration, shop, *triggers)
    parcel = make_parcel(integration, shipment, box)
    bigger = f.PackageFactory(stock_location=shop["location"], code="BIG")
    changed = ok(
        integration.update(
            "parcels",
            parcel["id"],
            {"weight": 2.25, "unit_of_weight": "oz", "contents_type": "merchandise"},
            {"package": rel("packages", bigger.public_id)},
        )
    )
    assert (changed["attributes"]["weight"], changed["attributes"]["unit_of_weight"]) == (
        2.25,
        "oz",
    )
    stored = Parcel.objects.get(public_id=parcel["id"])
    assert (stored.package_id, stored.contents_type) == (bigger.pk, "merchandise")
    assert integration.delete(f"/api/parcels/{parcel['id']}").status_code == 204
    assert topics(parcel["id"]) == ["parcels.create", "parcels.update", "parcels.destroy"]


def test_no_parcel_before_picking(integration, shop, box):
    """A placed order not yet approved: its shipment is upcoming."""
    from orders.models import Shipment
    from tests.shop import make_cart

    order = make_cart(shop)
    ok(integration.update("orders", order.public_id, {"_place": True}))
    shipment = Shipment.objects.get(order=order)
    assert shipment.status == "upcoming"
    error = error_of(integration.create("parcels", *parcel_body(shipment, box)))
    assert error["source"]["pointer"] == "/data/attributes/status"
    assert error["detail"] == "status - the shipment is upcoming: its parcels can't change"
    assert error["meta"] == {"error": "frozen"}


def test_an_on_hold_shipments_parcels_are_frozen(integration, shipment, box):
    parcel = make_parcel(integration, shipment, box)
    ok(integration.update("shipments", shipment.public_id, {"_on_hold": True}))
    refused = integration.update("parcels", parcel["id"], {"tracking_number": "TRK-1"})
    assert error_of(refused)["source"]["pointer"] == "/data/attributes/status"
    refused = integration.delete(f"/api/parcels/{parcel['id']}")
    assert error_of(refused)["source"]["pointer"] == "/data/attributes/status"


def _shipped_parcel(api, shop, box):
    shipment = shipment_in(api, shop)
    parcel = make_parcel(api, shipment, box)
    for line in lines_of(shipment).values():
        ok(pack(api, parcel["id"], line, line.quantity), 201)
    for trigger in ("_packing", "_ready_to_ship", "_ship"):
        ok(api.update("shipments", shipment.public_id, {trigger: True}))
    return shipment, parcel


def test_once_shipped_the_carriers_attributes_stay_writable(integration, shop, box):
    shipment, parcel = _shipped_parcel(integration, shop, box)
    carrier = {
        "tracking_number": "1Z999AA10123456784",
        "tracking_status": "in_transit",
        "tracking_status_detail": "arrived at facility",
        "tracking_status_updated_at": "2026-12-08T10:00:00.000Z",
        "tracking_details": [{"status": "in_transit"}],
        "shipping_label_url": "https://labels.example.com/1.pdf",
        "shipping_label_file_type": "application/pdf",
        "shipping_label_size": "4x6",
        "shipping_label_resolution": "300",
        "signed_by": "A. Lovelace",
        "metadata": {"tracking_url": "https://track.example.com/1Z999"},
    }
    changed = ok(integration.update("parcels", parcel["id"], carrier))
    for name, value in carrier.items():
        assert changed["attributes"][name] == value, name
    # what is sent unchanged is no change
    same = ok(integration.update("parcels", parcel["id"], {"weight": 1.5, **carrier}))
    assert same["attributes"]["weight"] == 1.5
    ok(integration.update("shipments", shipment.public_id, {"_deliver": True}))
    delivered = ok(integration.update("parcels", parcel["id"], {"signed_by": "C. Babbage"}))
    assert delivered["attributes"]["signed_by"] == "C. Babbage"


def test_once_shipped_the_rest_is_frozen_and_the_parcel_stays(integration, shop, box):
    shipment, parcel = _shipped_parcel(integration, shop, box)
    weight = error_of(integration.update("parcels", parcel["id"], {"weight": 3.0}))
    assert weight["source"]["pointer"] == "/data/attributes/weight"
    assert weight["detail"] == "weight - can't be changed once the shipment is shipped"
    assert weight["meta"] == {"error": "frozen"}
    both = integration.update(
        "parcels", parcel["id"], {"weight": 3.0, "reference": "R-1", "tracking_number": "T"}
    )
    assert both.status_code == 422
    assert [e["source"]["pointer"] for e in both.json()["errors"]] == [
        "/data/attributes/reference",
        "/data/attributes/weight",
    ]
    other_box = f.PackageFactory(stock_location=shop["location"], code="OTHER")
    package = integration.update(
        "parcels", parcel["id"], relationships={"package": rel("packages", other_box.public_id)}
    )
    assert error_of(package)["source"]["pointer"] == "/data/relationships/package"
    deleted = error_of(integration.delete(f"/api/parcels/{parcel['id']}"))
    assert deleted["source"]["pointer"] == "/data/attributes/status"
    assert deleted["detail"] == "status - the shipment is shipped: its parcels can't be deleted"
    stored = Parcel.objects.get(public_id=parcel["id"])
    assert (stored.weight, stored.tracking_number, stored.package_id) == (1.5, None, box.pk)


def test_a_parcel_stays_with_its_shipment(integration, shop, shipment, box):
    parcel = make_parcel(integration, shipment, box)
    same = integration.update(
        "parcels", parcel["id"], relationships={"shipment": rel("shipments", shipment.public_id)}
    )
    assert same.status_code == 200
    other = shipment_in(integration, shop)
    moved = integration.update(
        "parcels", parcel["id"], relationships={"shipment": rel("shipments", other.public_id)}
    )
    assert error_of(moved)["source"]["pointer"] == "/data/relationships/shipment"
    assert Parcel.objects.get(public_id=parcel["id"]).shipment_id == shipment.pk


def test_deleting_a_parcel_deletes_its_line_items(integration, shipment, box):
    parcel = make_parcel(integration, shipment, box)
    line = ok(pack(integration, parcel["id"], lines_of(shipment)["PCL-1"], 2), 201)
    assert integration.delete(f"/api/parcels/{parcel['id']}").status_code == 204
    assert integration.get(f"/api/parcel_line_items/{line['id']}").status_code == 404
    assert topics(line["id"]) == ["parcel_line_items.create", "parcel_line_items.destroy"]
