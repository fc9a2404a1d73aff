"""A shipment's weight and what a method costs for it, over HTTP (shipping.md "Weight", "What a
method costs for a shipment"): SKU weight x quantity in exact decimals, bounds inclusive, weight
tiers at every boundary, free-over after the tier, the shipment's `cost_amount_cents` and the
order's `shipping_amount`."""

import pytest

from markets.models import ShippingWeightTier
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def tiered(method, name, tiers, cents=9900, **fields):
    """A weight_tiered method in lb with `tiers` [(up_to, cents)]."""
    shipping_method = method(name, cents, scheme="weight_tiered", unit_of_weight="lb", **fields)
    for up_to, price in tiers:
        ShippingWeightTier.objects.create(
            shipping_method=shipping_method,
            name=f"up to {up_to}",
            up_to=up_to,
            price_amount_cents=price,
        )
    return shipping_method


def shipment_figures(cart) -> tuple[int, int]:
    shipment = cart.shipment()["attributes"]
    return shipment["cost_amount_cents"], cart.order()["attributes"]["shipping_amount_cents"]


@pytest.mark.parametrize(
    ("units", "offered"), [(1, True), (2, True), (3, False)]
)  # 8 oz each: 2 units are exactly the 1 lb bound
def test_two_times_eight_ounces_is_exactly_one_pound_at_a_max_weight(
    cart, sku, method, units, offered
):
    half = sku("HALF", 1000, weight=8, unit="oz")
    method("Light", 300, max_weight=1, unit_of_weight="lb")
    method("Any", 900)
    names = cart([(half, units)]).offered()
    assert ("Light" in names) is offered, names


@pytest.mark.parametrize(
    ("grams", "offered"),
    [
        (453.59236, False),  # just below 1 lb
        (453.59237, True),  # exactly 1 lb: min_weight is inclusive
        (453.59238, True),
    ],
)
def test_min_weight_is_inclusive(cart, sku, method, grams, offered):
    item = sku("ITEM", 1000, weight=grams, unit="gr")
    method("Heavy only", 300, min_weight=1, unit_of_weight="lb")
    assert ("Heavy only" in cart([(item, 1)]).offered()) is offered


@pytest.mark.parametrize(("grams", "offered"), [(999.999, True), (1000, True), (1000.001, False)])
def test_max_weight_is_inclusive_in_grams(cart, sku, method, grams, offered):
    item = sku("ITEM", 1000, weight=grams, unit="gr")
    method("Up to a kilo", 300, max_weight=1000, unit_of_weight="gr")
    assert ("Up to a kilo" in cart([(item, 1)]).offered()) is offered


def test_a_sku_without_weight_weighs_nothing_and_one_without_unit_is_grams(cart, sku, method):
    feather = sku("FEATHER", 1000)  # no weight
    stone = sku("STONE", 1000, weight=500)  # no unit: 500 g
    method("Under 1001 g", 300, max_weight=1001, unit_of_weight="gr")
    method("From 1000 g", 400, min_weight=1000, unit_of_weight="gr")
    basket = cart([(feather, 50), (stone, 2)])  # 1000 g
    assert basket.offered() == ["Under 1001 g", "From 1000 g"]
    basket.add(stone, 1)  # 1500 g
    assert basket.offered() == ["From 1000 g"]


# 1 lb = 453.59237 g, 2 lb = 907.18474 g, 10 lb = 4535.9237 g.
TIERS = [(1, 500), (2, 900), (10, 2000), (None, 4000)]


@pytest.mark.parametrize(
    ("grams", "cents"),
    [
        (1, 500),
        (453.59236, 500),  # just below 1 lb
        (453.59237, 500),  # equal: the lower tier
        (453.59238, 900),  # just above
        (907.18473, 900),
        (907.18474, 900),
        (907.18475, 2000),
        (4535.9236, 2000),
        (4535.9237, 2000),
        (4535.9238, 4000),  # beyond every up_to: the null tier
        (100000, 4000),
    ],
)
def test_weight_tiers_at_every_boundary(cart, sku, method, grams, cents):
    item = sku("ITEM", 1000, weight=grams, unit="gr")
    tiered(method, "Tiered", TIERS)
    assert shipment_figures(cart([(item, 1)])) == (cents, cents)


@pytest.mark.parametrize(("units", "cents"), [(2, 900), (3, 9900)])  # 8 oz each
def test_without_a_beyond_tier_the_method_price_applies(cart, sku, method, units, cents):
    half = sku("HALF", 1000, weight=8, unit="oz")
    tiered(method, "Tiered", [(0.5, 500), (1, 900)], cents=9900)
    assert shipment_figures(cart([(half, units)])) == (cents, cents)


def test_a_heavier_cart_moves_to_the_next_tier(cart, sku, method):
    half = sku("HALF", 1000, weight=8, unit="oz")
    tiered(method, "Tiered", TIERS)
    basket = cart([(half, 2)])  # exactly 1 lb
    assert shipment_figures(basket) == (500, 500)
    basket.add(half, 1)  # 1.5 lb
    assert shipment_figures(basket) == (900, 900)
    assert basket.order()["attributes"]["total_amount_cents"] == 3 * 1000 + 900


@pytest.mark.parametrize(("units", "cents"), [(4, 900), (5, 0)])
def test_free_over_still_applies_after_the_tier(cart, sku, method, units, cents):
    item = sku("ITEM", 1000, weight=10, unit="oz")
    tiered(method, "Tiered", [(3, 900), (None, 4000)], free_over_amount_cents=5000)
    # 4 units: 2.5 lb, subtotal $40 < $50: the tier's 900; 5 units: 3.125 lb (4000) but the
    # subtotal reaches $50: free.
    assert shipment_figures(cart([(item, units)])) == (cents, cents)


def test_a_tier_changes_count_at_the_next_refresh(cart, sku, method):
    item = sku("ITEM", 1000, weight=1, unit="lb")
    shipping_method = tiered(method, "Tiered", [(1, 500)])
    basket = cart([(item, 1)])
    assert shipment_figures(basket) == (500, 500)
    ShippingWeightTier.objects.filter(shipping_method=shipping_method).update(
        price_amount_cents=600
    )
    assert shipment_figures(basket) == (500, 500)  # stored figures, until the next refresh
    basket.ship_to(ADDRESS)
    assert shipment_figures(basket) == (600, 600)
