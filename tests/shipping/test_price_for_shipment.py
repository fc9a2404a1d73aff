"""A method's price for a shipment (shipping.md "What a method costs for a shipment"):
`price_amount_for_shipment_*` when reached through a shipment (its `shipping_method`, its
`available_shipping_methods`, at any include depth, and the related endpoints), null when read
on its own; available methods cheapest first by their price for that shipment; an external
method listed at its `price_amount_cents`, its URL never called to list."""

import pytest

from markets.models import ShippingMethod, ShippingWeightTier
from orders.models import LineItem
from orders.services import shipping_costs
from tests import factories as f
from tests.shipping.conftest import ROME

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def triplet(resource) -> tuple:
    attributes = resource["attributes"]
    return (
        attributes["price_amount_for_shipment_cents"],
        attributes["price_amount_for_shipment_float"],
        attributes["formatted_price_amount_for_shipment"],
    )


def included(document, type_name="shipping_methods") -> dict:
    return {
        r["attributes"]["name"]: r for r in document.get("included", []) if r["type"] == type_name
    }


@pytest.fixture
def shop(sku, method):
    """A light cart (1 lb) prices Tiered at $3, under Flat's $5; a heavy one (3 lb) at its own
    $30 (no beyond tier). Free over $100 is free when the subtotal reaches it."""
    tiered = method("Tiered", 3000, scheme="weight_tiered", unit_of_weight="lb")
    ShippingWeightTier.objects.create(
        shipping_method=tiered, name="1 lb", up_to=1, price_amount_cents=300
    )
    return {
        "pound": sku("POUND", 2000, weight=1, unit="lb"),
        "flat": method("Flat", 500),
        "tiered": tiered,
        "generous": method("Generous", 1200, free_over_amount_cents=10000),
    }


def test_available_methods_are_sorted_and_priced_for_their_shipment(cart, shop):
    light = cart([(shop["pound"], 1)])
    document = light.shipments()
    (shipment,) = document["data"]
    linkage = shipment["relationships"]["available_shipping_methods"]["data"]
    methods = included(document)
    assert [methods_by_id(document)[link["id"]] for link in linkage] == [
        "Tiered",
        "Flat",
        "Generous",
    ]
    assert triplet(methods["Tiered"]) == (300, 3.0, "$3.00")
    assert triplet(methods["Flat"]) == (500, 5.0, "$5.00")
    assert triplet(methods["Generous"]) == (1200, 12.0, "$12.00")
    heavy = cart([(shop["pound"], 3)])
    assert heavy.offered() == ["Flat", "Generous", "Tiered"]  # no beyond tier: $30.00


def methods_by_id(document) -> dict:
    return {r["id"]: r["attributes"]["name"] for r in document.get("included", [])}


def test_free_over_makes_the_price_for_the_shipment_zero(cart, shop):
    rich = cart([(shop["pound"], 5)])  # $100 subtotal: Generous is free; 5 lb: Tiered $30
    document = rich.shipments()
    methods = included(document)
    assert triplet(methods["Generous"]) == (0, 0.0, "$0.00")
    assert triplet(methods["Tiered"]) == (3000, 30.0, "$30.00")
    # The list keeps its order by the price before free-over.
    assert rich.offered() == ["Flat", "Generous", "Tiered"]


def test_the_carried_method_shows_what_the_shipment_costs(cart, shop):
    light = cart([(shop["pound"], 1)])
    assert light.carried() == "Tiered"  # the backend's pick: the cheapest for this shipment
    document = light.shipments(include="shipping_method")
    assert triplet(included(document)["Tiered"]) == (300, 3.0, "$3.00")
    (shipment,) = document["data"]
    assert shipment["attributes"]["cost_amount_cents"] == 300


def test_through_an_order_at_depth(cart, shop, sales_channel):
    light = cart([(shop["pound"], 1)])
    response = sales_channel.get(
        f"/api/orders/{light.id}?include=shipments.available_shipping_methods,"
        "shipments.shipping_method"
    )
    assert response.status_code == 200, response.json()
    methods = included(response.json())
    assert {name: triplet(m)[0] for name, m in methods.items()} == {
        "Tiered": 300,
        "Flat": 500,
        "Generous": 1200,
    }


def test_the_related_endpoints_price_for_their_shipment(cart, shop, sales_channel):
    light = cart([(shop["pound"], 1)])
    shipment_id = light.shipment()["id"]
    response = sales_channel.get(f"/api/shipments/{shipment_id}/available_shipping_methods")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert [(m["attributes"]["name"], triplet(m)[0]) for m in data] == [
        ("Tiered", 300),
        ("Flat", 500),
        ("Generous", 1200),
    ]
    assert response.json()["meta"]["record_count"] == 3
    response = sales_channel.get(f"/api/shipments/{shipment_id}/shipping_method")
    assert response.status_code == 200, response.json()
    assert triplet(response.json()["data"]) == (300, 3.0, "$3.00")
    # A sort still wins; the price follows each method.
    response = sales_channel.get(
        f"/api/shipments/{shipment_id}/available_shipping_methods?sort=-price_amount_cents"
    )
    data = response.json()["data"]
    assert [(m["attributes"]["name"], triplet(m)[0]) for m in data] == [
        ("Tiered", 300),
        ("Generous", 1200),
        ("Flat", 500),
    ]


def test_a_method_read_on_its_own_has_no_price_for_a_shipment(cart, shop, sales_channel):
    light = cart([(shop["pound"], 1)])
    light.shipments()
    response = sales_channel.get(f"/api/shipping_methods/{shop['tiered'].public_id}")
    assert triplet(response.json()["data"]) == (None, None, None)


def test_a_chosen_method_no_longer_offered_still_shows_its_cost(cart, shop, method, zones):
    us_only = method("US only", 800, shipping_zone=zones["us"])
    chosen = cart([(shop["pound"], 1)])
    chosen.choose(us_only)
    chosen.ship_to(ROME)
    document = chosen.shipments()
    assert "US only" not in chosen.offered()
    assert triplet(included(document)["US only"]) == (800, 8.0, "$8.00")


def test_listing_never_calls_an_external_url(cart, shop, method, monkeypatch):
    calls = []
    monkeypatch.setattr(
        shipping_costs, "external_price_cents", lambda *args: calls.append(args) or 100
    )
    rates = method(
        "Merchant rates", 700, scheme="external", external_prices_url="https://rates.test/"
    )
    light = cart([(shop["pound"], 1)])
    document = light.shipments()
    assert triplet(included(document)["Merchant rates"]) == (700, 7.0, "$7.00")
    assert calls == []  # the cart's method is Tiered: no refresh asked the URL either
    light.choose(rates)
    assert len(calls) == 1  # the refresh after the choice asks it, once
    assert light.order()["attributes"]["shipping_amount_cents"] == 100
    light.shipments()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("figures", "free_shipping_line", "threshold", "free"),
    [
        # No discount, no shipping charged: the basis is the subtotal.
        ((10000, 0, 0), False, 10000, True),
        ((10000, 0, 0), False, 10001, False),
        # A sku discount only: the basis is the subtotal plus it.
        ((10000, -1000, 500), False, 9000, True),
        ((10000, -1000, 500), False, 9001, False),
        # The stored discount holds a free-shipping promotion's minus the shipping: the basis
        # leaves it out (its line says it applied); without the line it is a sku discount.
        ((10000, -1500, 500), True, 9000, True),
        ((10000, -1500, 500), False, 9000, False),
        ((10000, -1500, 500), True, 9001, False),
        ((10000, -1500, 500), False, 8500, True),
    ],
)
def test_free_over_for_a_listed_method_reads_the_stored_figures(
    market, figures, free_shipping_line, threshold, free
):
    subtotal, discount, shipping = figures
    order = f.OrderFactory(
        market=market,
        subtotal_amount_cents=subtotal,
        discount_amount_cents=discount,
        shipping_amount_cents=shipping,
    )
    if free_shipping_line:
        LineItem.objects.create(
            order=order,
            item_type="free_shipping_promotions",
            name="Free shipping",
            quantity=1,
            unit_amount_cents=-shipping,
            total_amount_cents=-shipping,
        )
    method = ShippingMethod(price_amount_cents=700, free_over_amount_cents=threshold)
    assert shipping_costs.free_over_applies(order, method) is free
    method.use_subtotal = True
    assert shipping_costs.free_over_applies(order, method) is (subtotal >= threshold)


def test_a_patch_answers_with_the_price_for_the_shipment(cart, shop):
    light = cart([(shop["pound"], 1)])
    shipment_id = light.shipment()["id"]
    response = light.api.patch(
        f"/api/shipments/{shipment_id}?include=shipping_method,available_shipping_methods",
        {
            "data": {
                "type": "shipments",
                "id": shipment_id,
                "relationships": {
                    "shipping_method": {
                        "data": {"type": "shipping_methods", "id": shop["flat"].public_id}
                    }
                },
            }
        },
    )
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["data"]["attributes"]["cost_amount_cents"] == 500
    methods = included(document)
    assert triplet(methods["Flat"]) == (500, 5.0, "$5.00")
    assert triplet(methods["Tiered"]) == (300, 3.0, "$3.00")
