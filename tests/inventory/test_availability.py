"""The SKU `inventory` attribute over HTTP (inventory.md "Availability"): salable summed over the
market's first `stock_locations_cutoff` locations not on hold, with a level per location and its
delivery lead times, for the token's market — a sales channel's, a customer's, a market-scoped
integration token's; `null` without a market. Reservations lower it at once; `do_not_track` SKUs
are always available and never reserved."""

import pytest

from inventory.models import StockReservation
from tests import factories as f
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def stocked(shop, market, other_market):
    """usa (cutoff 2): first (priority 1) 5 units; held (2, on hold) 100; second (3) 7;
    beyond (4, past the cutoff) 1000. eu: 9 units at its own location."""
    model = market.inventory_model
    model.stock_locations_cutoff = 2
    model.save()
    sku = shop["sku"]
    shop["stock_item"].quantity = 5
    shop["stock_item"].save()
    places = {"first": shop["location"]}
    for code, priority, on_hold, quantity in (
        ("held", 2, True, 100),
        ("second", 3, False, 7),
        ("beyond", 4, False, 1000),
    ):
        location = f.StockLocationFactory(code=code)
        places[code] = location
        places[f"{code}_link"] = f.InventoryStockLocationFactory(
            inventory_model=model, stock_location=location, priority=priority, on_hold=on_hold
        )
        f.StockItemFactory(stock_location=location, sku=sku, quantity=quantity)
    milan = f.StockLocationFactory(code="milan")
    f.InventoryStockLocationFactory(
        inventory_model=other_market.inventory_model, stock_location=milan
    )
    f.StockItemFactory(stock_location=milan, sku=sku, quantity=9)
    # Lead times: the first location ships Standard in 1-3 days; the held one would ship
    # Express (never shown while held); another market's method never shows in usa.
    f.DeliveryLeadTimeFactory(
        stock_location=places["first"], shipping_method=shop["standard"], min_hours=24, max_hours=72
    )
    f.DeliveryLeadTimeFactory(
        stock_location=places["held"], shipping_method=shop["express"], min_hours=12, max_hours=24
    )
    eu_method = f.ShippingMethodFactory(market=other_market, name="Corriere")
    f.DeliveryLeadTimeFactory(stock_location=places["first"], shipping_method=eu_method)
    return {**shop, **places}


def _inventory(api, sku):
    return ok(api.get(f"/api/skus/{sku.public_id}"))["attributes"]["inventory"]


STANDARD_1_TO_3_DAYS = {
    "shipping_method": {
        "name": "Standard",
        "reference": None,
        "price_amount_cents": 500,
        "price_amount_float": 5.0,
        "formatted_price_amount": "$5.00",
        "free_over_amount_cents": None,
        "free_over_amount_float": None,
        "formatted_free_over_amount": None,
    },
    "min": {"hours": 24, "days": 1},
    "max": {"hours": 72, "days": 3},
}
USA = {
    "available": True,
    "quantity": 12,
    "levels": [
        {"quantity": 5, "delivery_lead_times": [STANDARD_1_TO_3_DAYS]},
        {"quantity": 7, "delivery_lead_times": []},
    ],
}


def test_a_sales_channel_sees_its_market_skipping_held_locations_and_those_past_the_cutoff(
    sales_channel, stocked
):
    assert _inventory(sales_channel, stocked["sku"]) == USA


def test_a_customer_sees_the_same_as_its_market(customer_token, stocked):
    customer = customer_token(stocked["market"], "ada@example.com")
    assert _inventory(customer, stocked["sku"]) == USA


def test_a_market_scoped_integration_token_sees_its_market(market_integration, stocked):
    assert _inventory(market_integration, stocked["sku"]) == USA


def test_a_token_without_a_market_gets_null(integration, stocked):
    assert _inventory(integration, stocked["sku"]) is None


def test_another_market_sees_its_own_stock(other_sales_channel, stocked):
    assert _inventory(other_sales_channel, stocked["sku"]) == {
        "available": True,
        "quantity": 9,
        "levels": [{"quantity": 9, "delivery_lead_times": []}],
    }


def test_lists_leave_it_out(sales_channel, stocked):
    listed = ok(sales_channel.get("/api/skus"))
    assert [s["attributes"]["inventory"] for s in listed] == [None]


def test_releasing_a_held_location_brings_its_stock_in(sales_channel, integration, stocked):
    link = stocked["held_link"]
    ok(integration.update("inventory_stock_locations", link.public_id, {"on_hold": False}))
    # Within the cutoff of 2 now: first (5) and the released one (100); second is past it.
    inventory = _inventory(sales_channel, stocked["sku"])
    assert inventory["quantity"] == 105
    assert [level["quantity"] for level in inventory["levels"]] == [5, 100]
    lead_times = inventory["levels"][1]["delivery_lead_times"]
    assert [(t["shipping_method"]["name"], t["min"], t["max"]) for t in lead_times] == [
        ("Express", {"hours": 12, "days": 0}, {"hours": 24, "days": 1})
    ]


def test_placing_lowers_it_at_once_and_an_empty_market_is_unavailable(
    sales_channel, integration, stocked
):
    model = stocked["market"].inventory_model
    model.strategy = "split_shipments"  # 5 from the first location, 7 from the second
    model.save()
    order = make_cart(stocked, [(stocked["sku"], 12)])
    ok(sales_channel.update("orders", order.public_id, {"_place": True}))
    assert _inventory(sales_channel, stocked["sku"]) == {
        "available": False,
        "quantity": 0,
        "levels": [],
    }
    ok(integration.update("orders", order.public_id, {"_cancel": True}))
    assert _inventory(sales_channel, stocked["sku"]) == USA


def test_do_not_track_skus_are_always_available_and_never_reserved(sales_channel, stocked, market):
    untracked = f.SkuFactory(code="UNTRACKED", do_not_track=True)
    f.PriceFactory(price_list=market.price_list, sku=untracked, amount_cents=100)
    inventory = _inventory(sales_channel, untracked)
    assert inventory["available"] is True
    # No stock item anywhere, and far more than any location has: still placed.
    order = make_cart(stocked, [(untracked, 5000)])
    placed = ok(sales_channel.update("orders", order.public_id, {"_place": True}))
    assert placed["attributes"]["status"] == "placed"
    assert not StockReservation.objects.exists()
    assert _inventory(sales_channel, untracked)["available"] is True


def test_a_cutoff_of_zero_is_refused_and_null_means_every_location(
    sales_channel, integration, stocked
):
    model = stocked["market"].inventory_model
    response = integration.update(
        "inventory_models", model.public_id, {"stock_locations_cutoff": 0}
    )
    assert response.status_code == 422, response.json()
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/stock_locations_cutoff"
    assert _inventory(sales_channel, stocked["sku"]) == USA
    # Stored anyway (the admin writes the model directly), 0 means no location, as placing
    # counts it: nothing is available rather than everything.
    model.stock_locations_cutoff = 0
    model.save()
    assert _inventory(sales_channel, stocked["sku"]) == {
        "available": False,
        "quantity": 0,
        "levels": [],
    }
    refused = sales_channel.update(
        "orders", make_cart(stocked, [(stocked["sku"], 1)]).public_id, {"_place": True}
    )
    assert refused.status_code == 422, refused.json()
    ok(integration.update("inventory_models", model.public_id, {"stock_locations_cutoff": None}))
    # Every location not on hold: first 5 + second 7 + beyond 1000.
    assert _inventory(sales_channel, stocked["sku"])["quantity"] == 1012


def test_a_levels_lead_times_come_cheapest_method_first(sales_channel, stocked):
    """drop-in.js's cl-availability shows a level's first lead time as the cheapest method's:
    a faster but dearer Express at the first location comes after Standard."""
    f.DeliveryLeadTimeFactory(
        stock_location=stocked["first"],
        shipping_method=stocked["express"],
        min_hours=12,
        max_hours=24,
    )
    (first, _second) = _inventory(sales_channel, stocked["sku"])["levels"]
    assert [
        (t["shipping_method"]["formatted_price_amount"], t["min"]["hours"])
        for t in first["delivery_lead_times"]
    ] == [("$5.00", 24), ("$15.00", 12)]
