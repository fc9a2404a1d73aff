"""The pure shipping rules (markets.shipping_rules, shipping.md "Shipping zones", "Weight",
"What a method costs for a shipment"): zone matching as a table of addresses and patterns,
exact unit conversion, weight bounds and tiers at every boundary."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from markets import shipping_rules as rules

pytestmark = pytest.mark.sqlite


def zone(**patterns):
    fields = [f"{p}{n}_regex" for n in rules.ZONE_FIELDS for p in ("", "not_")]
    return SimpleNamespace(**{**dict.fromkeys(fields), **patterns})


def address(country="US", state="MA", zip_code="02108"):
    return SimpleNamespace(country_code=country, state_code=state, zip_code=zip_code)


BOSTON = address()
HONOLULU = address(state="HI", zip_code="96813")
ROME = address(country="IT", state="RM", zip_code="00184")
JERSEY = address(country="JE", state=None, zip_code="JE2 3AB")
JERSEY_LOWER = address(country="JE", state=None, zip_code="je2 3ab")
US_NO_STATE = address(state=None, zip_code="")
US_BLANK_STATE = address(state="", zip_code="02108")
USA_LONG = address(country="USA")

# (zone patterns, address, in the zone?)
ZONES = [
    # no pattern at all: every address
    ({}, BOSTON, True),
    ({}, ROME, True),
    # a search, unanchored: "US" is found inside "USA"; "^US$" anchors itself
    ({"country_code_regex": "US"}, BOSTON, True),
    ({"country_code_regex": "US"}, ROME, False),
    ({"country_code_regex": "US"}, USA_LONG, True),
    ({"country_code_regex": "^US$"}, USA_LONG, False),
    ({"country_code_regex": "^US$"}, BOSTON, True),
    ({"country_code_regex": "S"}, BOSTON, True),
    ({"country_code_regex": "^S"}, BOSTON, False),
    # alternation and a zip prefix
    ({"country_code_regex": "^(US|CA)$"}, BOSTON, True),
    ({"country_code_regex": "^(US|CA)$"}, ROME, False),
    ({"zip_code_regex": "^0"}, BOSTON, True),
    ({"zip_code_regex": "^0"}, HONOLULU, False),
    ({"zip_code_regex": "^00"}, ROME, True),
    # case-sensitive unless (?i): Commerce Layer's own postcode example
    ({"zip_code_regex": "(JE1|JE2|JE3)"}, JERSEY, True),
    ({"zip_code_regex": "(JE1|JE2|JE3)"}, JERSEY_LOWER, False),
    ({"zip_code_regex": "(?i)(JE1|JE2|JE3)"}, JERSEY_LOWER, True),
    ({"zip_code_regex": "(?i)^(JE1|JE2|JE3)$"}, JERSEY, False),
    ({"country_code_regex": "us"}, BOSTON, False),
    ({"country_code_regex": "(?i)us"}, BOSTON, True),
    # not_ patterns exclude what they find
    ({"country_code_regex": "^US$", "not_state_code_regex": "^(HI|AK)$"}, BOSTON, True),
    ({"country_code_regex": "^US$", "not_state_code_regex": "^(HI|AK)$"}, HONOLULU, False),
    ({"not_country_code_regex": "^US$"}, ROME, True),
    ({"not_country_code_regex": "^US$"}, BOSTON, False),
    ({"not_zip_code_regex": "^9"}, HONOLULU, False),
    ({"not_zip_code_regex": "(?i)je"}, JERSEY_LOWER, False),
    ({"not_zip_code_regex": "je"}, JERSEY, True),
    # every condition must hold
    (
        {"country_code_regex": "^US$", "state_code_regex": "^MA$", "zip_code_regex": "^02"},
        BOSTON,
        True,
    ),
    (
        {"country_code_regex": "^US$", "state_code_regex": "^MA$", "zip_code_regex": "^03"},
        BOSTON,
        False,
    ),
    # a blank field matches no regex: a positive pattern fails, a not_ pattern holds
    ({"state_code_regex": ".*"}, US_NO_STATE, False),
    ({"state_code_regex": "^$"}, US_BLANK_STATE, False),
    ({"zip_code_regex": "(?i)"}, US_NO_STATE, False),
    ({"country_code_regex": "^US$", "not_state_code_regex": "^(HI|AK)$"}, US_NO_STATE, True),
    ({"not_state_code_regex": ".*"}, US_BLANK_STATE, True),
    ({"not_zip_code_regex": ".*"}, US_NO_STATE, True),
    # a blank pattern is no condition
    ({"country_code_regex": "", "not_state_code_regex": None}, ROME, True),
    # a pattern that does not compile matches nothing (the API refuses to store one)
    ({"country_code_regex": "(US"}, BOSTON, False),
    ({"not_country_code_regex": "[A-"}, ROME, False),
]


@pytest.mark.parametrize(("patterns", "where", "expected"), ZONES)
def test_zone_matching(patterns, where, expected):
    assert rules.zone_matches(zone(**patterns), where) is expected, (patterns, vars(where))


def test_no_address_is_in_no_zone():
    assert rules.zone_matches(zone(), None) is False
    assert rules.zone_matches(zone(not_country_code_regex="^IT$"), None) is False


@pytest.mark.parametrize(
    ("weight", "unit", "grams"),
    [
        (1, "gr", Decimal("1")),
        (0.5, None, Decimal("0.5")),  # no unit: grams
        (1, "oz", Decimal("28.349523125")),
        (1, "lb", Decimal("453.59237")),
        (16, "oz", Decimal("453.59237")),
        (0.1, "lb", Decimal("45.359237")),  # the float 0.1 read as 0.1, not its binary value
        (2.2, "lb", Decimal("997.903214")),
    ],
)
def test_units_convert_exactly_to_grams(weight, unit, grams):
    assert rules.to_grams(weight, unit) == grams


def test_two_times_eight_ounces_is_exactly_one_pound():
    grams = rules.total_grams([(8.0, "oz", 2)])
    assert grams == rules.to_grams(1, "lb")
    assert rules.within_bounds(grams, None, 1, "lb")
    assert rules.within_bounds(grams, 1, None, "lb")
    assert rules.tier_price_cents(grams, [(1, 500), (None, 900)], "lb", 100) == 500


def test_a_weight_sums_skus_times_quantities_and_none_weighs_nothing():
    items = [(0.5, "lb", 3), (None, "lb", 7), (100, "gr", 2), (4, "oz", 1), (1.25, None, 4)]
    expected = Decimal("1.5") * Decimal("453.59237") + 200 + 4 * Decimal("28.349523125") + 5
    assert rules.total_grams(items) == expected


# Bounds in lb, both inclusive: (min, max, weight in lb, within?)
BOUNDS = [
    (None, None, "0", True),
    (1, None, "0.999", False),
    (1, None, "1", True),
    (1, None, "1.001", True),
    (None, 5, "4.999", True),
    (None, 5, "5", True),
    (None, 5, "5.001", False),
    (1, 5, "0", False),
    (2.5, 2.5, "2.5", True),
    (2.5, 2.5, "2.4999", False),
]


@pytest.mark.parametrize(("low", "high", "pounds", "expected"), BOUNDS)
def test_weight_bounds_are_inclusive(low, high, pounds, expected):
    grams = rules.to_grams(Decimal(pounds), "lb")
    assert rules.within_bounds(grams, low, high, "lb") is expected


TIERS = [(2, 2500), (10, 4500), (0.5, 1500), (None, 8000)]  # unordered on purpose


@pytest.mark.parametrize(
    ("pounds", "cents"),
    [
        ("0", 1500),
        ("0.4999", 1500),
        ("0.5", 1500),  # equal to up_to: that tier
        ("0.5001", 2500),
        ("1.9999", 2500),
        ("2", 2500),
        ("2.0001", 4500),
        ("9.9999", 4500),
        ("10", 4500),
        ("10.0001", 8000),  # beyond every up_to: the null tier
        ("1000", 8000),
    ],
)
def test_tiers_at_every_boundary(pounds, cents):
    grams = rules.to_grams(Decimal(pounds), "lb")
    assert rules.tier_price_cents(grams, TIERS, "lb", 999) == cents


@pytest.mark.parametrize(
    ("pounds", "cents"), [("2", 2500), ("2.0001", 4500), ("10", 4500), ("10.0001", 999)]
)
def test_without_a_beyond_tier_the_method_price_applies(pounds, cents):
    grams = rules.to_grams(Decimal(pounds), "lb")
    assert rules.tier_price_cents(grams, [(10, 4500), (2, 2500)], "lb", 999) == cents


def test_no_tiers_is_the_method_price():
    assert rules.tier_price_cents(Decimal(5), [], "gr", 700) == 700
    assert rules.tier_price_cents(Decimal(5), [(None, 300)], "gr", 700) == 300


def test_tiers_in_ounces_against_grams():
    # 8 oz is 226.796185 g exactly: a shipment of that many grams takes the 8 oz tier.
    grams = Decimal("226.796185")
    assert rules.tier_price_cents(grams, [(8, 400), (16, 600)], "oz", 0) == 400
    assert (
        rules.tier_price_cents(grams + Decimal("0.000001"), [(8, 400), (16, 600)], "oz", 0) == 600
    )
