"""A shipment with parcels ships only once every stock line item is packed; without parcels it
ships as before (shipping.md "Packages, parcels, parcel line items", inventory.md
"Shipments"). Carrier triggers are refused clearly (shipping.md "Out of scope")."""

import pytest

from orders.models import Order, Shipment
from tests.parcels.conftest import error_of, lines_of, make_parcel, pack, shipment_in
from tests.shop import ok

pytestmark = pytest.mark.django_db


def _ready(api, shipment):
    for trigger in ("_packing", "_ready_to_ship"):
        ok(api.update("shipments", shipment.public_id, {trigger: True}))


def _ship(api, shipment):
    return api.update("shipments", shipment.public_id, {"_ship": True})


def test_ship_waits_until_every_line_is_packed(integration, shipment, box):
    lines = lines_of(shipment)  # 2 x PCL-1, 3 x PCL-2
    first = make_parcel(integration, shipment, box)
    ok(pack(integration, first["id"], lines["PCL-1"], 1), 201)
    _ready(integration, shipment)

    refused = _ship(integration, shipment)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["source"]["pointer"], e["detail"]) for e in errors] == [
        ("/data/relationships/parcels", "parcels - PCL-1: 1 of 2 packed"),
        ("/data/relationships/parcels", "parcels - PCL-2: 0 of 3 packed"),
    ]
    assert errors[0]["meta"] == {"error": "not_packed", "sku_code": "PCL-1", "count": 1}
    assert Shipment.objects.get(pk=shipment.pk).status == "ready_to_ship"

    # the rest goes in a second parcel: still one PCL-2 short
    second = make_parcel(integration, shipment, box)
    ok(pack(integration, second["id"], lines["PCL-1"], 1), 201)
    ok(pack(integration, second["id"], lines["PCL-2"], 2), 201)
    short = error_of(_ship(integration, shipment))
    assert short["detail"] == "parcels - PCL-2: 2 of 3 packed"
    ok(pack(integration, first["id"], lines["PCL-2"], 1), 201)

    shipped = ok(_ship(integration, shipment))
    assert shipped["attributes"]["status"] == "shipped"
    assert Order.objects.get(pk=shipment.order_id).fulfillment_status == "fulfilled"


def test_an_empty_parcel_means_nothing_is_packed_yet(integration, shipment, box):
    make_parcel(integration, shipment, box)
    _ready(integration, shipment)
    response = _ship(integration, shipment)
    assert response.status_code == 422
    assert [e["detail"] for e in response.json()["errors"]] == [
        "parcels - PCL-1: 0 of 2 packed",
        "parcels - PCL-2: 0 of 3 packed",
    ]


def test_a_shipment_without_parcels_ships_as_before(integration, shipment):
    _ready(integration, shipment)
    assert ok(_ship(integration, shipment))["attributes"]["status"] == "shipped"


def test_a_refused_move_says_why_before_parcels_are_counted(integration, shipment, box):
    """`_ship` from picking is a transition error, whatever is packed."""
    make_parcel(integration, shipment, box)
    error = error_of(_ship(integration, shipment))
    assert error["source"]["pointer"] == "/data/attributes/status"
    assert error["meta"]["error"] == "transition"


@pytest.mark.parametrize("trigger", ["_get_rates", "_purchase"])
def test_carrier_triggers_are_not_supported(integration, sales_channel, shop, trigger):
    shipment = shipment_in(integration, shop, "_packing")
    for api in (integration, sales_channel):
        error = error_of(api.update("shipments", shipment.public_id, {trigger: True}))
        assert error["source"]["pointer"] == "/data/attributes/base"
        assert error["detail"] == "base - carrier accounts are not supported"
        assert error["code"] == "VALIDATION_ERROR"
    assert Shipment.objects.get(pk=shipment.pk).status == "packing"
