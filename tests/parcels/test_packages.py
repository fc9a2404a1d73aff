"""Packages over HTTP (shipping.md "Packages"): box sizes at a stock location, dimensions > 0,
`cm` or `in`, codes unique per location, kept while a parcel is made from them."""

import pytest

from inventory.models import Package
from tests import factories as f
from tests.conftest import rel
from tests.parcels.conftest import error_of, make_parcel, topics
from tests.shop import ok

pytestmark = pytest.mark.django_db

BOX = {"name": "Medium box", "code": "MED", "length": 30, "width": 20.5, "height": 10}


def create(api, location, **attributes):
    return api.create(
        "packages",
        {**BOX, "unit_of_length": "cm", **attributes},
        {"stock_location": rel("stock_locations", location.public_id)},
    )


def test_a_package_renders_its_dimensions_as_numbers(integration):
    location = f.StockLocationFactory()
    package = ok(create(integration, location, unit_of_length="in"), 201)
    attributes = package["attributes"]
    assert {k: attributes[k] for k in ("length", "width", "height")} == {
        "length": 30,
        "width": 20.5,
        "height": 10,
    }
    assert all(isinstance(attributes[k], float) for k in ("length", "width", "height"))
    assert attributes["unit_of_length"] == "in"
    read = ok(integration.get(f"/api/packages/{package['id']}?include=stock_location"))
    assert read["relationships"]["stock_location"]["data"]["id"] == location.public_id
    assert topics(package["id"]) == ["packages.create"]


@pytest.mark.parametrize("name", ["length", "width", "height"])
@pytest.mark.parametrize("value", [0, -2.5])
def test_each_dimension_must_be_positive(integration, name, value):
    error = error_of(create(integration, f.StockLocationFactory(), **{name: value}))
    assert error["source"]["pointer"] == f"/data/attributes/{name}"
    assert error["detail"] == f"{name} - must be greater than 0"
    assert error["meta"] == {"error": "greater_than", "count": 0}
    assert not Package.objects.exists()


def test_every_bad_dimension_is_reported_at_once(integration):
    response = create(integration, f.StockLocationFactory(), length=0, height=-1)
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == [
        "/data/attributes/length",
        "/data/attributes/height",
    ]


def test_unit_of_length_is_cm_or_in(integration):
    error = error_of(create(integration, f.StockLocationFactory(), unit_of_length="gr"))
    assert error["source"]["pointer"] == "/data/attributes/unit_of_length"
    assert error["meta"]["error"] == "inclusion"


def test_a_stock_location_is_required(integration):
    response = integration.create("packages", {**BOX, "unit_of_length": "cm"})
    assert error_of(response)["source"]["pointer"] == "/data/relationships/stock_location"


def test_codes_are_unique_per_stock_location(integration):
    location, other = f.StockLocationFactory(), f.StockLocationFactory()
    ok(create(integration, location), 201)
    taken = error_of(create(integration, location))
    assert taken["source"]["pointer"] == "/data/attributes/code"
    assert taken["meta"] == {"error": "taken", "value": "MED"}
    ok(create(integration, other), 201)  # the same code elsewhere
    ok(create(integration, location, code=None), 201)
    ok(create(integration, location, code=None), 201)  # codes are optional
    small = ok(create(integration, location, code="SMALL"), 201)
    renamed = integration.update("packages", small["id"], {"code": "MED"})
    assert error_of(renamed)["source"]["pointer"] == "/data/attributes/code"
    moved = integration.update(
        "packages",
        small["id"],
        relationships={"stock_location": rel("stock_locations", other.public_id)},
    )
    assert moved.status_code == 200
    assert error_of(integration.update("packages", small["id"], {"code": "MED"}))["meta"] == {
        "error": "taken",
        "value": "MED",
    }


def test_a_package_changes_and_goes(integration):
    package = ok(create(integration, f.StockLocationFactory()), 201)
    changed = ok(integration.update("packages", package["id"], {"name": "Big box", "width": 40}))
    assert (changed["attributes"]["name"], changed["attributes"]["width"]) == ("Big box", 40)
    zero = integration.update("packages", package["id"], {"width": 0})
    assert error_of(zero)["source"]["pointer"] == "/data/attributes/width"
    assert integration.delete(f"/api/packages/{package['id']}").status_code == 204
    assert topics(package["id"]) == ["packages.create", "packages.update", "packages.destroy"]


def test_a_package_a_parcel_is_made_from_is_kept(integration, shipment, box):
    make_parcel(integration, shipment, box)
    response = integration.delete(f"/api/packages/{box.public_id}")
    assert response.status_code == 423
    assert response.json()["errors"][0]["code"] == "LOCKED"
    assert Package.objects.filter(pk=box.pk).exists()
    moved = integration.update(
        "packages",
        box.public_id,
        relationships={
            "stock_location": rel("stock_locations", f.StockLocationFactory().public_id)
        },
    )
    error = error_of(moved)
    assert error["source"]["pointer"] == "/data/relationships/stock_location"
    assert error["meta"] == {"error": "in_use"}
    resized = ok(integration.update("packages", box.public_id, {"height": 12}))
    assert resized["attributes"]["height"] == 12
    assert topics(box.public_id) == ["packages.update"]
