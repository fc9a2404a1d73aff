"""inventory.strategies: source selection as a matrix of strategies x (locations, stock) cases.

Each case lists its lines and locations once, then what every strategy plans for it: the exact
shipments, or the exact shortages it reports (every short line at once). Then seed 001 from the
demo figures, the edges (no usable location, priority ties, the cutoff counting only locations not
on hold, negative salable) and a hypothesis property of split_shipments.
"""

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.strategies import (
    STRATEGIES,
    Allocation,
    InsufficientStock,
    Line,
    Location,
    PlannedShipment,
    Shortage,
    available,
    plan,
    usable_locations,
)

pytestmark = pytest.mark.sqlite

NO_SPLIT = "no_split"
SPLIT = "split_shipments"
BY_LINE = "split_by_line_items"
PRIMARY = "ship_from_primary"
FIRST = "ship_from_first_available_or_primary"


def loc(key, priority, *, on_hold=False, **salable) -> Location:
    return Location(key=key, priority=priority, on_hold=on_hold, salable=salable)


def ships(*shipments):
    """Expected shipments: (location, shipping category, [(line, sku, quantity), ...])."""
    return [
        PlannedShipment(
            location=location,
            shipping_category=category,
            allocations=tuple(Allocation(line, sku, location, qty) for line, sku, qty in allocs),
        )
        for location, category, allocs in shipments
    ]


def short(*shortages):
    """Expected shortages: (line, sku, requested, available)."""
    return InsufficientStock([Shortage(*s) for s in shortages])


def outcome(strategy, lines, locations, cutoff):
    try:
        return plan(strategy, lines, locations, cutoff=cutoff)
    except InsufficientStock as error:
        return error


def same(actual, expected) -> bool:
    if isinstance(expected, InsufficientStock):
        return isinstance(actual, InsufficientStock) and actual.shortages == expected.shortages
    return actual == expected


# name -> (lines, locations, cutoff, {strategy: expected})
CASES = {
    "enough_stock_at_the_primary": (
        [Line("l1", "A", 5), Line("l2", "B", 3)],
        [loc("w1", 1, A=10, B=10), loc("w2", 2, A=10, B=10)],
        None,
        {
            NO_SPLIT: ships(("w1", None, [("l1", "A", 5), ("l2", "B", 3)])),
            SPLIT: ships(("w1", None, [("l1", "A", 5), ("l2", "B", 3)])),
            BY_LINE: ships(("w1", None, [("l1", "A", 5)]), ("w1", None, [("l2", "B", 3)])),
            PRIMARY: ships(("w1", None, [("l1", "A", 5), ("l2", "B", 3)])),
            FIRST: ships(("w1", None, [("l1", "A", 5), ("l2", "B", 3)])),
        },
    ),
    "short_at_the_primary_enough_overall": (
        [Line("l1", "B", 20), Line("l2", "A", 40)],
        [loc("w1", 1, A=35, B=100), loc("w2", 2, A=100, B=0), loc("w3", 3, A=50, B=50)],
        None,
        {
            NO_SPLIT: short(("l2", "A", 40, 35)),
            SPLIT: ships(
                ("w1", None, [("l1", "B", 20), ("l2", "A", 35)]),
                ("w2", None, [("l2", "A", 5)]),
            ),
            BY_LINE: ships(
                ("w1", None, [("l1", "B", 20)]),
                ("w1", None, [("l2", "A", 35)]),
                ("w2", None, [("l2", "A", 5)]),
            ),
            PRIMARY: short(("l2", "A", 40, 35)),
            FIRST: ships(("w3", None, [("l1", "B", 20), ("l2", "A", 40)])),
        },
    ),
    "short_everywhere": (
        [Line("l1", "A", 20), Line("l2", "B", 15)],
        [loc("w1", 1, A=5, B=10), loc("w2", 2, A=5, B=0)],
        None,
        {
            NO_SPLIT: short(("l1", "A", 20, 5), ("l2", "B", 15, 10)),
            SPLIT: short(("l1", "A", 20, 10), ("l2", "B", 15, 10)),
            BY_LINE: short(("l1", "A", 20, 10), ("l2", "B", 15, 10)),
            PRIMARY: short(("l1", "A", 20, 5), ("l2", "B", 15, 10)),
            FIRST: short(("l1", "A", 20, 5), ("l2", "B", 15, 10)),
        },
    ),
    "primary_on_hold": (
        [Line("l1", "A", 15)],
        [loc("w1", 1, on_hold=True, A=100), loc("w2", 2, A=10), loc("w3", 3, A=10)],
        None,
        {
            NO_SPLIT: short(("l1", "A", 15, 10)),
            SPLIT: ships(("w2", None, [("l1", "A", 10)]), ("w3", None, [("l1", "A", 5)])),
            BY_LINE: ships(("w2", None, [("l1", "A", 10)]), ("w3", None, [("l1", "A", 5)])),
            PRIMARY: short(("l1", "A", 15, 10)),
            FIRST: short(("l1", "A", 15, 10)),
        },
    ),
    "second_location_on_hold": (
        [Line("l1", "A", 15)],
        [loc("w1", 1, A=10), loc("w2", 2, on_hold=True, A=100), loc("w3", 3, A=20)],
        2,
        {
            NO_SPLIT: short(("l1", "A", 15, 10)),
            SPLIT: ships(("w1", None, [("l1", "A", 10)]), ("w3", None, [("l1", "A", 5)])),
            BY_LINE: ships(("w1", None, [("l1", "A", 10)]), ("w3", None, [("l1", "A", 5)])),
            PRIMARY: short(("l1", "A", 15, 10)),
            FIRST: ships(("w3", None, [("l1", "A", 15)])),
        },
    ),
    "cutoff_reached_enough_within_it": (
        [Line("l1", "A", 12), Line("l2", "B", 1)],
        [loc("w1", 1, A=5, B=1), loc("w2", 2, A=10, B=1), loc("w3", 3, A=100, B=100)],
        2,
        {
            NO_SPLIT: short(("l1", "A", 12, 5)),
            SPLIT: ships(
                ("w1", None, [("l1", "A", 5), ("l2", "B", 1)]),
                ("w2", None, [("l1", "A", 7)]),
            ),
            BY_LINE: ships(
                ("w1", None, [("l1", "A", 5)]),
                ("w1", None, [("l2", "B", 1)]),
                ("w2", None, [("l1", "A", 7)]),
            ),
            PRIMARY: short(("l1", "A", 12, 5)),
            # w3 has it all but lies past the cutoff: the primary is short.
            FIRST: short(("l1", "A", 12, 5)),
        },
    ),
    "stock_beyond_the_cutoff": (
        [Line("l1", "A", 20)],
        [loc("w1", 1, A=5), loc("w2", 2, A=5), loc("w3", 3, A=100)],
        2,
        {
            NO_SPLIT: short(("l1", "A", 20, 5)),
            SPLIT: short(("l1", "A", 20, 10)),
            BY_LINE: short(("l1", "A", 20, 10)),
            PRIMARY: short(("l1", "A", 20, 5)),
            FIRST: short(("l1", "A", 20, 5)),
        },
    ),
    "do_not_track_sku": (
        [Line("l1", "U", 7, tracked=False), Line("l2", "A", 4)],
        [loc("w1", 1), loc("w2", 2, A=10)],
        None,
        {
            NO_SPLIT: short(("l2", "A", 4, 0)),
            SPLIT: ships(("w1", None, [("l1", "U", 7)]), ("w2", None, [("l2", "A", 4)])),
            BY_LINE: ships(("w1", None, [("l1", "U", 7)]), ("w2", None, [("l2", "A", 4)])),
            PRIMARY: short(("l2", "A", 4, 0)),
            FIRST: ships(("w2", None, [("l1", "U", 7), ("l2", "A", 4)])),
        },
    ),
    "two_shipping_categories": (
        [Line("l1", "A", 5, "std"), Line("l2", "B", 3, "cold"), Line("l3", "C", 1, "std")],
        [loc("w1", 1, A=4, B=2, C=5), loc("w2", 2, A=10, B=10, C=5)],
        None,
        {
            NO_SPLIT: short(("l1", "A", 5, 4), ("l2", "B", 3, 2)),
            SPLIT: ships(
                ("w1", "std", [("l1", "A", 4), ("l3", "C", 1)]),
                ("w1", "cold", [("l2", "B", 2)]),
                ("w2", "std", [("l1", "A", 1)]),
                ("w2", "cold", [("l2", "B", 1)]),
            ),
            BY_LINE: ships(
                ("w1", "std", [("l1", "A", 4)]),
                ("w1", "std", [("l3", "C", 1)]),
                ("w1", "cold", [("l2", "B", 2)]),
                ("w2", "std", [("l1", "A", 1)]),
                ("w2", "cold", [("l2", "B", 1)]),
            ),
            PRIMARY: short(("l1", "A", 5, 4), ("l2", "B", 3, 2)),
            FIRST: ships(
                ("w2", "std", [("l1", "A", 5), ("l3", "C", 1)]),
                ("w2", "cold", [("l2", "B", 3)]),
            ),
        },
    ),
    "two_lines_of_one_sku": (
        [Line("l1", "A", 4), Line("l2", "A", 4)],
        [loc("w1", 1, A=6), loc("w2", 2, A=10)],
        None,
        {
            NO_SPLIT: short(("l2", "A", 4, 2)),
            SPLIT: ships(
                ("w1", None, [("l1", "A", 4), ("l2", "A", 2)]),
                ("w2", None, [("l2", "A", 2)]),
            ),
            BY_LINE: ships(
                ("w1", None, [("l1", "A", 4)]),
                ("w1", None, [("l2", "A", 2)]),
                ("w2", None, [("l2", "A", 2)]),
            ),
            PRIMARY: short(("l2", "A", 4, 2)),
            FIRST: ships(("w2", None, [("l1", "A", 4), ("l2", "A", 4)])),
        },
    ),
}

MATRIX = [
    pytest.param(strategy, case, id=f"{strategy}-{case}")
    for case, (*_, expected) in CASES.items()
    for strategy in expected
]


def test_the_matrix_covers_every_strategy_in_every_case():
    assert all(set(expected) == set(STRATEGIES) for *_, expected in CASES.values())


@pytest.mark.parametrize(("strategy", "case"), MATRIX)
def test_strategy_plans_the_expected_shipments_or_shortages(strategy, case):
    lines, locations, cutoff, expected = CASES[case]
    actual = outcome(strategy, lines, locations, cutoff)
    assert same(actual, expected[strategy]), actual


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_each_shipping_category_ships_apart_from_the_primary(strategy):
    lines = [Line("l1", "A", 1, "std"), Line("l2", "B", 2, "cold")]
    shipments = plan(strategy, lines, [loc("w1", 1, A=5, B=5)], cutoff=None)
    assert shipments == ships(("w1", "std", [("l1", "A", 1)]), ("w1", "cold", [("l2", "B", 2)]))


def test_seed_001_usa_ships_in_two_partial_shipments_from_ne_wh_and_brooklyn():
    lines = [Line("li-wb03", "24-WB03", 20), Line("li-wb01", "24-WB01", 40)]
    locations = [
        loc("brooklyn", 2, **{"24-WB01": 100, "24-WB03": 0, "240-LV06": 100}),
        loc("ne_wh", 1, **{"24-WB01": 35, "24-WB03": 100, "240-LV06": 0}),
    ]
    assert plan("split_shipments", lines, locations, cutoff=2) == ships(
        ("ne_wh", None, [("li-wb03", "24-WB03", 20), ("li-wb01", "24-WB01", 35)]),
        ("brooklyn", None, [("li-wb01", "24-WB01", 5)]),
    )


def test_seed_001_order_is_short_under_no_split_with_the_detail_of_the_422():
    lines = [Line("li-wb03", "24-WB03", 20), Line("li-wb01", "24-WB01", 40)]
    locations = [
        loc("ne_wh", 1, **{"24-WB01": 35, "24-WB03": 100}),
        loc("brooklyn", 2, **{"24-WB01": 100}),
    ]
    with pytest.raises(InsufficientStock) as raised:
        plan("no_split", lines, locations, cutoff=2)
    assert raised.value.shortages == [Shortage("li-wb01", "24-WB01", 40, 35)]
    assert [s.detail for s in raised.value.shortages] == ["24-WB01: 40 requested, 35 available"]
    assert str(raised.value) == "24-WB01: 40 requested, 35 available"


def test_unknown_strategy_is_a_value_error():
    with pytest.raises(ValueError, match="unknown inventory strategy"):
        plan("ship_by_carrier_pigeon", [Line("l1", "A", 1)], [loc("w1", 1, A=1)], cutoff=None)


def test_negative_cutoff_is_a_value_error():
    with pytest.raises(ValueError, match="cutoff"):
        plan("no_split", [Line("l1", "A", 1)], [loc("w1", 1, A=1)], cutoff=-1)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_negative_quantity_is_a_value_error(strategy):
    with pytest.raises(ValueError, match="quantity"):
        plan(strategy, [Line("l1", "A", -1)], [loc("w1", 1, A=1)], cutoff=None)


NO_USABLE_LOCATION = {
    "no_locations": ([], None),
    "every_location_on_hold": ([loc("w1", 1, on_hold=True, A=9, B=9)], None),
    "cutoff_zero": ([loc("w1", 1, A=9, B=9)], 0),
}


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("situation", list(NO_USABLE_LOCATION))
def test_without_a_usable_location_every_tracked_line_is_short(strategy, situation):
    locations, cutoff = NO_USABLE_LOCATION[situation]
    lines = [Line("l1", "A", 2), Line("l2", "U", 1, tracked=False), Line("l3", "B", 3)]
    with pytest.raises(InsufficientStock) as raised:
        plan(strategy, lines, locations, cutoff=cutoff)
    assert raised.value.shortages == [Shortage("l1", "A", 2, 0), Shortage("l3", "B", 3, 0)]


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("situation", list(NO_USABLE_LOCATION))
def test_without_a_usable_location_untracked_lines_alone_plan_nothing(strategy, situation):
    locations, cutoff = NO_USABLE_LOCATION[situation]
    lines = [Line("l1", "U", 3, tracked=False)]
    assert plan(strategy, lines, locations, cutoff=cutoff) == []


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_an_empty_order_plans_nothing(strategy):
    assert plan(strategy, [], [loc("w1", 1, A=1)], cutoff=None) == []


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_zero_quantity_lines_get_no_allocation(strategy):
    lines = [Line("l1", "A", 0), Line("l2", "A", 1)]
    assert plan(strategy, lines, [loc("w1", 1, A=1)], cutoff=None) == ships(
        ("w1", None, [("l2", "A", 1)])
    )


def test_priority_ties_keep_the_input_order():
    locations = [loc("w3", 2, A=1), loc("w1", 1, A=1), loc("w2", 2, A=1)]
    assert plan(SPLIT, [Line("l1", "A", 3)], locations, cutoff=None) == ships(
        ("w1", None, [("l1", "A", 1)]),
        ("w3", None, [("l1", "A", 1)]),
        ("w2", None, [("l1", "A", 1)]),
    )


def test_the_cutoff_counts_only_locations_not_on_hold():
    locations = [loc("w1", 1, on_hold=True, A=9), loc("w2", 2, A=1), loc("w3", 3, A=9)]
    assert [x.key for x in usable_locations(locations, 1)] == ["w2"]
    with pytest.raises(InsufficientStock) as raised:
        plan(SPLIT, [Line("l1", "A", 2)], locations, cutoff=1)
    assert raised.value.shortages == [Shortage("l1", "A", 2, 1)]


def test_negative_salable_ships_nothing_and_takes_nothing_from_other_locations():
    # An operator lowered quantity below what is reserved at w1.
    locations = [loc("w1", 1, A=-4), loc("w2", 2, A=3)]
    assert plan(SPLIT, [Line("l1", "A", 3)], locations, cutoff=None) == ships(
        ("w2", None, [("l1", "A", 3)])
    )


AVAILABLE = {
    "sum_over_locations": ("A", [loc("w1", 1, A=3), loc("w2", 2, A=4)], None, 7),
    "held_location_skipped": ("A", [loc("w1", 1, on_hold=True, A=3), loc("w2", 2, A=4)], None, 4),
    "cutoff_applied_by_priority": ("A", [loc("w2", 2, A=4), loc("w1", 1, A=3)], 1, 3),
    "sku_missing_is_zero": ("Z", [loc("w1", 1, A=3)], None, 0),
    "negative_salable_counts_zero": ("A", [loc("w1", 1, A=-5), loc("w2", 2, A=4)], None, 4),
    "no_locations": ("A", [], None, 0),
}


@pytest.mark.parametrize(
    ("sku", "locations", "cutoff", "expected"), AVAILABLE.values(), ids=list(AVAILABLE)
)
def test_available_sums_salable_over_the_usable_locations(sku, locations, cutoff, expected):
    assert available(sku, locations, cutoff) == expected


# -- property: split_shipments never oversells and fails only when a SKU is really short ---------

SKUS = ("A", "B", "C")


@st.composite
def orders(draw):
    locations = [
        Location(
            key=f"w{i}",
            priority=draw(st.integers(1, 4)),
            on_hold=draw(st.booleans()),
            salable=draw(st.dictionaries(st.sampled_from(SKUS), st.integers(-3, 25))),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    lines = [
        Line(
            key=f"l{i}",
            sku=draw(st.sampled_from(SKUS)),
            quantity=draw(st.integers(0, 30)),
            shipping_category=draw(st.sampled_from([None, "std", "cold"])),
            tracked=draw(st.booleans() | st.just(True)),
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    cutoff = draw(st.none() | st.integers(0, 4))
    return lines, locations, cutoff


@given(orders())
def test_split_shipments_fills_every_line_within_salable_or_reports_real_shortages(order):
    lines, locations, cutoff = order
    usable = {x.key: x for x in usable_locations(locations, cutoff)}
    tracked = {line.key for line in lines if line.tracked}
    demand = defaultdict(int)
    for line in lines:
        if line.tracked:
            demand[line.sku] += line.quantity
    enough = all(qty <= available(sku, locations, cutoff) for sku, qty in demand.items())
    try:
        shipments = plan(SPLIT, lines, locations, cutoff=cutoff)
    except InsufficientStock as error:
        assert not enough
        assert error.shortages
        for shortage in error.shortages:
            assert shortage.line in tracked
            assert 0 <= shortage.available < shortage.requested
        return
    assert enough
    by_line, by_stock = defaultdict(int), defaultdict(int)
    for shipment in shipments:
        assert shipment.location in usable
        for allocation in shipment.allocations:
            assert allocation.quantity > 0
            assert allocation.location == shipment.location
            by_line[allocation.line] += allocation.quantity
            if allocation.line in tracked:
                by_stock[allocation.location, allocation.sku] += allocation.quantity
    for line in lines:
        expected = 0 if not usable and not line.tracked else line.quantity
        assert by_line[line.key] == expected
    for (key, sku), qty in by_stock.items():
        assert qty <= max(0, usable[key].salable.get(sku, 0))
