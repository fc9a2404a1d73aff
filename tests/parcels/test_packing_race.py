"""Concurrent packing never over-packs (shipping.md: a stock line item's packed quantity never
exceeds its quantity): line items racing for the same units from several parcels, and a `_ship`
racing them, on PostgreSQL with real threads and connections (tests/inventory/racing.py). The
packed total is checked under the shipment's lock, which `_ship` holds too."""

import json
import random
from functools import partial

import pytest
from django.db.models import Sum
from django.test import Client

from orders.models import ParcelLineItem, Shipment
from tests.inventory.racing import at_once, deadlocks_detected
from tests.parcels.conftest import lines_of, make_parcel, shipment_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 6


def _send(token, method, path, data):
    response = getattr(Client(), method)(
        path,
        data=json.dumps({"data": data}),
        content_type="application/vnd.api+json",
        HTTP_ACCEPT="application/vnd.api+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def _pack(token, parcel_id, stock_line, quantity):
    return _send(
        token,
        "post",
        "/api/parcel_line_items",
        {
            "type": "parcel_line_items",
            "attributes": {"quantity": quantity},
            "relationships": {
                "parcel": {"data": {"type": "parcels", "id": parcel_id}},
                "stock_line_item": {"data": {"type": "stock_line_items", "id": stock_line}},
            },
        },
    )


def _ship(token, shipment_id):
    data = {"type": "shipments", "id": shipment_id, "attributes": {"_ship": True}}
    return _send(token, "patch", f"/api/shipments/{shipment_id}", data)


def test_racing_line_items_never_pack_more_than_the_stock_line_item(integration, shop, box):
    rng = random.Random(20261208)
    deadlocks_before = deadlocks_detected()
    refused = 0
    for round_ in range(ROUNDS):
        shipment = shipment_in(integration, shop, "_packing", "_ready_to_ship")
        stock_line = lines_of(shipment)["PCL-2"]  # 3 units
        parcels = [make_parcel(integration, shipment, box)["id"] for _ in range(3)]
        asks = {
            f"pack-{n}": (rng.choice(parcels), 1 if round_ == 0 else rng.randint(1, 3))
            for n in range(4)
        }
        calls = {
            key: partial(_pack, integration.token, parcel, stock_line.public_id, quantity)
            for key, (parcel, quantity) in asks.items()
        }
        calls["ship"] = partial(_ship, integration.token, shipment.public_id)
        results = at_once(calls)

        for key, (status, body) in results.items():
            assert status in (200, 201, 422), (key, status, body)
        packed = ParcelLineItem.objects.filter(stock_line_item=stock_line).aggregate(
            units=Sum("quantity")
        )["units"]
        won = [asks[k][1] for k, (status, _) in results.items() if k != "ship" and status == 201]
        assert (packed or 0) == sum(won) <= 3  # exactly what won, never over-packed
        for key, (status, body) in results.items():
            if key != "ship" and status == 422:
                refused += 1
                error = body["errors"][0]
                assert error["source"]["pointer"] == "/data/attributes/quantity"
                assert asks[key][1] > error["meta"]["count"] >= 0  # what was left then
        # PCL-1 was never packed: `_ship` was refused, whatever it saw
        assert results["ship"][0] == 422
        assert Shipment.objects.get(pk=shipment.pk).status == "ready_to_ship"
    assert refused > 0
    assert deadlocks_detected() - deadlocks_before == 0
