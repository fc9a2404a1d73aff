"""The demo's inventory models take returns (demo data, aftersale.md §3): usa's at ne_wh, eu's
at milan, each priority 1, seeded once however often the demo is seeded."""

import pytest

from demo.data import seed_demo
from returns.models import InventoryReturnLocation

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_the_demo_markets_take_returns_out_of_the_box():
    seed_demo()
    second = seed_demo()
    assert (second["created"], second["updated"]) == (0, 0)
    rows = InventoryReturnLocation.objects.values_list(
        "inventory_model__markets__code", "stock_location__code", "priority"
    )
    assert sorted(rows) == [("eu", "milan", 1), ("usa", "ne_wh", 1)]
