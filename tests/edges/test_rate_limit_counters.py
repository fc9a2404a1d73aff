"""The counters under the rate limits (commerce/ratelimit.py) and the caller's IP they are keyed
by (commerce/client_ip.py), on the database and on Redis (limits.md §6)."""

import pytest
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from commerce import ratelimit
from commerce.client_ip import caller_ip, ip_key
from commerce.models import RateCounter
from commerce.ratelimit import Budget, Rate, Usage, parse_rate

pytestmark = [pytest.mark.django_db, pytest.mark.throttle]

PERIOD = 60
T0 = 1_000_000 * PERIOD  # the start of a bucket


@pytest.fixture(params=["database", "redis"])
def backend(request, monkeypatch):
    """Each test on both counter stores; no pruning in between (it has its own test)."""
    if request.param == "redis":
        request.getfixturevalue("redis_counters")
    monkeypatch.setattr(ratelimit, "_next_prune", float("inf"))
    return request.param


@pytest.fixture
def clock(monkeypatch):
    """The counters' clock, set by the test."""

    class Clock:
        now = float(T0)

    monkeypatch.setattr(ratelimit.time, "time", lambda: Clock.now)
    return Clock


def spend(*budgets):
    return ratelimit.spend(list(budgets))


# --- rates and the sliding window ---------------------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "text, rate",
    [
        ("1000/min", Rate(1000, 60)),
        ("200/m", Rate(200, 60)),
        ("10/15min", Rate(10, 900)),
        ("30/60s", Rate(30, 60)),
        ("5/hour", Rate(5, 3600)),
        ("500/day", Rate(500, 86400)),
        (" 7 / 2 days ", Rate(7, 172800)),
    ],
)
def test_rates_read_as_a_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.sqlite
@pytest.mark.parametrize("text", ["", "1000", "0/min", "10/0min", "10/fortnight", "-1/min"])
def test_a_rate_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_rate(text)


@pytest.mark.sqlite
def test_a_bad_rate_setting_fails_the_system_check(settings):
    assert ratelimit.check_rate_settings() == []
    settings.PASSWORD_FAILURES_RATE = "ten per minute"
    settings.API_THROTTLE_RATES = {"read": "1000/min", "write": "200/fortnight"}
    errors = ratelimit.check_rate_settings()
    assert [error.id for error in errors] == ["commerce.E101"] * 2
    assert "API_THROTTLE_RATES['write']" in errors[0].msg
    assert "PASSWORD_FAILURES_RATE" in errors[1].msg


@pytest.mark.sqlite
def test_the_previous_bucket_counts_for_what_is_left_of_it_in_the_window():
    budget = Budget("k", Rate(10, 60))
    # 8 in the previous minute, 3 in this one, 15 s into it: 8 x 3/4 + 3 = 9 used.
    usage = Usage(budget, current=3, previous=8, elapsed=15)
    assert usage.used == 9
    assert usage.allowed and usage.remaining == 1
    # Refused: 8 x 3/4 + 5 = 11 > 10. One more fits once 8 x (1 - t/60) + 6 <= 10: t = 30 s.
    refused = Usage(budget, current=5, previous=8, elapsed=15)
    assert not refused.allowed and refused.remaining == 0
    assert refused.retry_after == 15
    # The bucket itself is full: wait for the next one, and for 60 x (1 - 9/12) = 15 s of it.
    full = Usage(budget, current=12, previous=0, elapsed=50)
    assert full.retry_after == 10 + 15


# --- counting --------------------------------------------------------------------------------


def test_requests_count_one_by_one_then_past_the_limit(backend, clock):
    budget = Budget("count", Rate(3, PERIOD))
    usages = [spend(budget)[0] for _ in range(4)]
    assert [u.current for u in usages] == [1, 2, 3, 4]
    assert [u.remaining for u in usages] == [2, 1, 0, 0]
    assert [u.allowed for u in usages] == [True, True, True, False]


def test_the_window_slides(backend, clock):
    budget = Budget("slide", Rate(4, PERIOD))
    for _ in range(4):
        spend(budget)
    assert not spend(budget)[0].allowed  # 5 of 4, the refused one counted too
    clock.now = T0 + PERIOD + 30  # halfway through the next bucket: 5 x 1/2 of it still count
    (usage,) = spend(budget)
    assert (usage.current, usage.previous) == (1, 5)
    assert usage.used == 3.5 and usage.allowed
    clock.now = T0 + 3 * PERIOD  # two buckets later: nothing from before counts
    (usage,) = spend(budget)
    assert (usage.current, usage.previous) == (1, 0)


def test_several_budgets_are_spent_together_and_each_counts(backend, clock):
    small, large = Budget("small", Rate(1, PERIOD)), Budget("large", Rate(100, 3600))
    spend(small)
    first, second = spend(large, small)
    assert (first.budget, first.current, first.allowed) == (large, 1, True)
    assert (second.budget, second.current, second.allowed) == (small, 2, False)


def test_a_request_given_back_no_longer_counts(backend, clock):
    budget = Budget("back", Rate(2, PERIOD))
    spend(budget)
    spend(budget)
    ratelimit.give_back([budget])
    assert spend(budget)[0].current == 2
    ratelimit.give_back([Budget("never-spent", Rate(2, PERIOD))])  # nothing to give back
    assert spend(Budget("never-spent", Rate(2, PERIOD)))[0].current == 1


def test_budgets_of_another_period_are_other_counters(backend, clock):
    spend(Budget("same", Rate(5, PERIOD)))
    assert spend(Budget("same", Rate(5, 3600)))[0].current == 1


@pytest.mark.sqlite
def test_the_database_counts_in_one_statement(monkeypatch, clock, settings):
    monkeypatch.setattr(ratelimit, "_next_prune", float("inf"))
    settings.REDIS_URL = ""
    budgets = [Budget(f"one-statement-{n}", Rate(5, PERIOD)) for n in range(3)]
    spend(*budgets)
    with CaptureQueriesContext(connection) as queries:
        usages = spend(*budgets)
    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().startswith("INSERT")
    assert [u.current for u in usages] == [2, 2, 2]


@pytest.mark.sqlite
def test_expired_database_counters_are_pruned_now_and_then(monkeypatch, clock, settings):
    settings.REDIS_URL = ""
    monkeypatch.setattr(ratelimit, "_next_prune", float("inf"))
    spend(Budget("old", Rate(5, PERIOD)))
    clock.now = T0 + 2 * PERIOD + 1  # the old counter counts nothing any more
    monkeypatch.setattr(ratelimit, "_next_prune", 0.0)
    with CaptureQueriesContext(connection) as queries:
        spend(Budget("new", Rate(5, PERIOD)))
    assert [q["sql"].split()[0] for q in queries] == ["INSERT", "DELETE"]
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["ratelimit:new:60"]
    with CaptureQueriesContext(connection) as queries:  # and not again for a while
        spend(Budget("new", Rate(5, PERIOD)))
    assert len(queries) == 1


@pytest.mark.sqlite
def test_a_failing_counter_store_lets_requests_through(monkeypatch, settings, caplog):
    settings.REDIS_URL = ""

    def broken(*args):
        raise DatabaseError("the counters are gone")

    monkeypatch.setattr(ratelimit, "_database_spend", broken)
    assert spend(Budget("broken", Rate(1, PERIOD))) is None
    assert "rate-limit counters failed" in caplog.text


# --- the caller's IP -----------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/api/skus", **extra)


@pytest.mark.sqlite
def test_without_trusted_proxies_the_caller_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = ""
    assert caller_ip(request_from("198.51.100.9", "203.0.113.5")) == "198.51.100.9"


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "trusted, remote, forwarded, caller",
    [
        # One proxy hop trusted, whatever its address: the address it appended.
        ("1", "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        ("1", "10.0.0.2", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left part is the client's
        ("2", "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        ("2", "10.0.0.2", "203.0.113.5", "203.0.113.5"),  # fewer hops than trusted
        ("1", "10.0.0.2", None, "10.0.0.2"),
        # Named proxies: skipped from the right while they are trusted.
        ("10.0.0.0/8", "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.1.2.3", "203.0.113.5"),
        ("10.0.0.0/8, 192.0.2.7", "192.0.2.7", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.0/8", "198.51.100.9", "203.0.113.5", "198.51.100.9"),  # not through the proxy
        ("10.0.0.0/8", "10.0.0.2", "garbage, 203.0.113.5:4711", "203.0.113.5"),
        ("10.0.0.0/8", "10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_behind_trusted_proxies_the_caller_comes_from_x_forwarded_for(
    settings, trusted, remote, forwarded, caller
):
    settings.TRUSTED_PROXIES = trusted
    assert caller_ip(request_from(remote, forwarded)) == caller


@pytest.mark.sqlite
def test_an_ipv6_caller_is_counted_by_its_64_network():
    assert ip_key("2001:db8:1:2:aaaa::1") == ip_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert ip_key("2001:db8:1:3::1") != ip_key("2001:db8:1:2::1")
    assert ip_key("::ffff:203.0.113.5") == ip_key("203.0.113.5") == "203.0.113.5"
    assert ip_key("") == "unknown"
