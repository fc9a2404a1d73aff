"""What shipping costs in SQL (shipping.md; the brief's "Queries"): zones are read with the
candidates and the order's address with the order (no statement of their own); weight tiers
are read at most once per refresh or document, and never in a market without a weight_tiered
method; SKU weights come with what is read already."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from markets.models import ShippingWeightTier
from tests import factories as f
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TIERS_TABLE = ShippingWeightTier._meta.db_table


def statements(call) -> list[str]:
    """The SQL of `call` (whose answers the Cart's methods check)."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def tier_reads(sqls) -> int:
    return sum(TIERS_TABLE in sql for sql in sqls)


@pytest.fixture
def two_shipments(sku, cart):
    """A cart of two SKUs in two shipping categories: two shipments."""
    bag = sku("BAG", 2000, weight=1, unit="lb")
    vase = sku("VASE", 3000, weight=2, unit="lb")
    vase.shipping_category = f.ShippingCategoryFactory(name="Fragile")
    vase.save()
    return cart([(bag, 1), (vase, 1)]), bag


def test_a_market_without_tiered_methods_never_reads_tiers(two_shipments, method, zones):
    method("Standard", 500)
    method("Express US", 1500, shipping_zone=zones["us"], max_weight=10, unit_of_weight="lb")
    basket, bag = two_shipments
    assert len(basket.shipments()["data"]) == 2
    assert tier_reads(statements(lambda: basket.add(bag, 1))) == 0
    assert tier_reads(statements(basket.shipments)) == 0
    first = basket.shipments()["data"][0]["id"]
    patch = statements(
        lambda: basket.api.update(
            "shipments", first, relationships={"shipping_method": {"data": None}}
        )
    )
    assert tier_reads(patch) == 0


def test_tiers_are_read_once_per_refresh_and_per_document(two_shipments, method):
    for name in ("Light", "Heavy"):
        tiered = method(name, 3000, scheme="weight_tiered", unit_of_weight="lb")
        ShippingWeightTier.objects.create(
            shipping_method=tiered, name="1", up_to=1, price_amount_cents=300
        )
    basket, bag = two_shipments
    assert tier_reads(statements(lambda: basket.add(bag, 1))) == 1
    assert tier_reads(statements(lambda: basket.ship_to(ADDRESS))) == 1
    include = "shipments.available_shipping_methods,shipments.shipping_method"
    document = statements(lambda: basket.api.get(f"/api/orders/{basket.id}?include={include}"))
    assert tier_reads(document) == 1


def test_zones_cost_no_statement(sku, cart, method, zones):
    """The same cart, its methods zoned or not: every request costs the same."""
    bag = sku("BAG", 2000)

    def counts(zone):
        method(f"Standard {zone}", 500, shipping_zone=zone)
        basket = cart([])
        add = statements(lambda: basket.add(bag, 1))
        address = statements(lambda: basket.ship_to(ADDRESS))
        listed = statements(basket.shipments)
        return len(add), len(address), len(listed)

    plain = counts(None)
    zoned = counts(zones["us"])
    assert zoned == plain
