"""Which methods a shipment may use and which one it carries (shipping.md "Availability"):
zones follow the order's shipping address; a client's choice is never swapped (still priced,
left out of `available_shipping_methods`, refused at `_place`); the backend's own pick is
replaced when it stops being available; currency, category, location and enabled checks."""

import pytest
from django.utils import timezone

from inventory.models import StockItem, StockReservation
from markets.models import ShippingMethod
from orders.models import Order, Shipment
from tests import factories as f
from tests.conftest import ADDRESS
from tests.shipping.conftest import HONOLULU, ROME

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def shop(sku, method, zones):
    return {
        "bag": sku("BAG", 3000),
        "standard": method("Standard", 500),
        "express": method("Express US", 1500, shipping_zone=zones["us"]),
        "italia": method("Corriere", 900, shipping_zone=zones["italy"]),
    }


def test_a_us_zoned_method_is_offered_to_a_us_address_not_to_an_italian_one(cart, shop):
    us = cart([(shop["bag"], 1)])
    assert us.offered() == ["Standard", "Express US"]
    italian = cart([(shop["bag"], 1)], address=ROME)
    assert italian.offered() == ["Standard", "Corriere"]


def test_without_a_shipping_address_no_zoned_method_is_offered(cart, shop):
    pending = cart([(shop["bag"], 1)], address=None)
    assert pending.offered() == ["Standard"]
    pending.ship_to(ADDRESS)
    assert pending.offered() == ["Standard", "Express US"]
    pending.ship_to(ROME)
    assert pending.offered() == ["Standard", "Corriere"]


def test_a_not_pattern_keeps_hawaii_out(cart, shop, method):
    f.ShippingZoneFactory()
    mainland = f.ShippingZoneFactory(country_code_regex="^US$", not_state_code_regex="^(HI|AK)$")
    method("Mainland", 700, shipping_zone=mainland)
    assert cart([(shop["bag"], 1)]).offered() == ["Standard", "Mainland", "Express US"]
    assert cart([(shop["bag"], 1)], address=HONOLULU).offered() == ["Standard", "Express US"]


def test_an_unavailable_method_is_refused_when_chosen(cart, shop):
    italian = cart([(shop["bag"], 1)], address=ROME)
    body = italian.choose(shop["express"], status=422)
    (error,) = body["errors"]
    assert error["source"]["pointer"] == "/data/relationships/shipping_method"
    assert error["detail"] == "shipping_method - is not available for this shipment"


def test_a_chosen_method_is_never_swapped_still_priced_and_no_longer_offered(cart, shop):
    chosen = cart([(shop["bag"], 1)])
    chosen.choose(shop["express"])
    assert Shipment.objects.get().shipping_method_chosen is True
    chosen.ship_to(ROME)
    assert chosen.carried() == "Express US"
    assert chosen.offered() == ["Standard", "Corriere"]
    shipment = chosen.shipment()["attributes"]
    assert shipment["cost_amount_cents"] == 1500
    order = chosen.order()["attributes"]
    assert order["shipping_amount_cents"] == 1500
    assert order["total_amount_cents"] == 3000 + 1500
    # Adding a line re-plans the shipments: the choice still stands.
    chosen.add(shop["bag"], 1)
    assert chosen.carried() == "Express US"
    assert chosen.order()["attributes"]["shipping_amount_cents"] == 1500


def test_place_refuses_a_method_no_longer_available_and_places_nothing(cart, shop, payment_method):
    chosen = cart([(shop["bag"], 2)])
    chosen.choose(shop["express"])
    chosen.ship_to(ROME)
    chosen.pay(payment_method)
    order = Order.objects.get(public_id=chosen.id)
    response = chosen.place()
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert errors == [
        {
            "title": f"Express US is not available for shipment {order.number}/S/001",
            "detail": f"shipments - Express US is not available for shipment {order.number}/S/001",
            "code": "VALIDATION_ERROR",
            "status": "422",
            "source": {"pointer": "/data/relationships/shipments"},
            "meta": {"error": "not_available"},
        }
    ]
    order.refresh_from_db()
    assert order.status == "pending"
    assert order.placed_at is None
    assert StockItem.objects.get(sku=shop["bag"]).quantity == 100
    assert not StockReservation.objects.exists()
    assert Shipment.objects.get().status == "draft"
    # Back to an address the method serves: it places.
    chosen.ship_to(ADDRESS)
    assert chosen.place().status_code == 200


def test_place_names_each_shipment_whose_method_is_gone(cart, sku, method, shop, payment_method):
    fragile = f.ShippingCategoryFactory(name="Fragile")
    vase = sku("VASE", 2000)
    vase.shipping_category = fragile
    vase.save()
    order = cart([(shop["bag"], 1), (vase, 1)])
    document = order.shipments()
    assert len(document["data"]) == 2
    for shipment in document["data"]:
        order.api.update(
            "shipments",
            shipment["id"],
            relationships={
                "shipping_method": {
                    "data": {"type": "shipping_methods", "id": shop["express"].public_id}
                }
            },
        )
    order.ship_to(ROME)
    order.pay(payment_method)
    response = order.place()
    assert response.status_code == 422
    numbers = sorted(s.number for s in Shipment.objects.all())
    assert [e["detail"] for e in response.json()["errors"]] == [
        f"shipments - Express US is not available for shipment {n}" for n in numbers
    ]


def test_the_backend_replaces_its_own_pick_when_it_stops_being_available(cart, shop, market):
    market.default_shipping_method = shop["express"]
    market.save()
    picked = cart([])  # the address first: the zoned default is available when it picks
    picked.add(shop["bag"], 1)
    assert picked.carried() == "Express US"
    assert Shipment.objects.get().shipping_method_chosen is False
    picked.ship_to(ROME)
    assert picked.carried() == "Standard"  # the default is gone: the cheapest available
    assert picked.order()["attributes"]["shipping_amount_cents"] == 500
    picked.ship_to(ADDRESS)
    # Still available: the backend's pick is not moved back to the default.
    assert picked.carried() == "Standard"


def test_a_method_disabled_since_the_backend_picked_it_is_replaced(cart, shop):
    picked = cart([(shop["bag"], 1)])
    assert picked.carried() == "Standard"
    ShippingMethod.objects.filter(pk=shop["standard"].pk).update(disabled_at=timezone.now())
    picked.ship_to(ADDRESS)
    assert picked.carried() == "Express US"


def test_a_method_set_to_null_goes_back_to_the_backends_pick(cart, shop, market):
    market.default_shipping_method = shop["express"]
    market.save()
    chosen = cart([(shop["bag"], 1)])
    chosen.choose(shop["standard"])
    assert (chosen.carried(), Shipment.objects.get().shipping_method_chosen) == ("Standard", True)
    answer = chosen.choose(None)
    assert answer["data"]["relationships"]["shipping_method"]["links"]
    assert chosen.carried() == "Express US"  # the market's default, available
    assert Shipment.objects.get().shipping_method_chosen is False
    chosen.ship_to(ROME)
    assert chosen.carried() == "Standard"  # the backend's again: replaced


@pytest.mark.parametrize(
    ("fields", "offered"),
    [
        ({}, True),
        ({"currency_code": "EUR"}, False),  # another currency than the order's USD
        ({"currency_code": "USD"}, True),
        ({"market": None}, True),  # no market, no currency: any currency
        ({"market": None, "currency_code": "EUR"}, False),
        ({"disabled_at": timezone.now()}, False),
    ],
)
def test_currency_market_and_enabled(cart, shop, method, fields, offered):
    method("Other", 100, **fields)
    names = cart([(shop["bag"], 1)]).offered()
    assert ("Other" in names) is offered, names


def test_a_method_of_another_market_in_its_currency_is_not_offered(cart, shop, method):
    method("Abroad", 100, market=f.MarketFactory(price_list__currency_code="USD"))
    assert "Abroad" not in cart([(shop["bag"], 1)]).offered()


def test_category_and_stock_location_restrict_a_method(cart, shop, method, location):
    method("Same place", 100, stock_location=location)
    method("Elsewhere", 100, stock_location=f.StockLocationFactory())
    method("Its category", 100, shipping_category=shop["bag"].shipping_category)
    method("Other category", 100, shipping_category=f.ShippingCategoryFactory())
    names = cart([(shop["bag"], 1)]).offered()
    assert names == ["Same place", "Its category", "Standard", "Express US"]


def test_an_operator_editing_the_zone_counts_at_the_next_refresh(cart, shop, zones):
    chosen = cart([(shop["bag"], 1)])
    chosen.choose(shop["express"])
    zones["us"].country_code_regex = "^CA$"
    zones["us"].save()
    assert chosen.offered() == ["Standard"]  # what is offered follows at once
    assert chosen.carried() == "Express US"  # the choice stands
    assert chosen.order()["attributes"]["shipping_amount_cents"] == 1500
