"""Rate-limit counters that hold under concurrency (limits.md §6).

A `Budget` is a key with a `Rate` (so many requests per period). Time is cut into buckets of one
period; a request counts in its bucket, and what a budget has used is the current bucket's count
plus the previous bucket's, weighted by the share of it still inside the last period: a sliding
window (as Commerce Layer's limits are), without the double burst of fixed windows at their
boundary. Refused requests count too, so a client that keeps hammering past its limit stays
refused until its rate drops.

Spending is one atomic operation per request, however many budgets it spends together:
- with settings.REDIS_URL: one MULTI/EXEC round trip of INCR + EXPIRE (and a GET of the previous
  bucket) per budget;
- otherwise the database: one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on
  `RateCounter` (PostgreSQL, and SQLite >= 3.35).
Nothing is read and then written back, so racing requests (threads, workers, machines) never
lose a count: with N racing clients exactly `limit` requests of a fresh budget get through.
Buckets follow the app servers' clocks (keep them in sync, as NTP does).

A counter store that fails lets the request through and logs the error: the limits protect the
service, and a broken Redis must not take the shop down with it.
"""

import logging
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

# The database backend deletes expired counters at most this often per process.
PRUNE_EVERY_SECONDS = 300.0
_next_prune = 0.0

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*")
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


@lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """`"1000/min"`, `"10/15min"`, `"30/60s"`, `"500/day"`: a count per (multiple of a) unit."""
    match = _RATE.fullmatch(text.lower())
    name = match[3] if match else ""
    unit = _UNITS.get(name) or _UNITS.get(name.removesuffix("s"))  # min, mins, hour, hours ...
    if not match or unit is None or int(match[1]) < 1 or match[2] == "0":
        raise ValueError(f"not a rate: {text!r} (e.g. 1000/min, 10/15min, 500/day)")
    return Rate(int(match[1]), int(match[2] or 1) * unit)


RATE_SETTINGS = ("OAUTH_TOKEN_RATE", "PASSWORD_FAILURES_PER_IP_RATE", "PASSWORD_FAILURES_RATE")


@checks.register(checks.Tags.compatibility)
def check_rate_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    """Every rate setting reads as a rate (`manage.py check`, and at every start)."""
    rates = {f"API_THROTTLE_RATES[{k!r}]": v for k, v in settings.API_THROTTLE_RATES.items()}
    rates.update({name: getattr(settings, name) for name in RATE_SETTINGS})
    errors = []
    for name, value in rates.items():
        try:
            parse_rate(value)
        except (ValueError, TypeError, AttributeError) as error:
            errors.append(checks.Error(f"{name}: {error}", id="commerce.E101"))
    return errors


@dataclass(frozen=True)
class Budget:
    key: str  # short and free of user input (hash it): it names a counter row or Redis key
    rate: Rate

    @property
    def counter_key(self) -> str:
        # The period is part of the key: changing a rate's period starts new counters.
        return f"{settings.RATE_LIMIT_KEY_PREFIX}:{self.key}:{self.rate.period}"


@dataclass(frozen=True)
class Usage:
    """A budget after one more request: `current` requests in this bucket (that one included),
    `previous` in the one before, `elapsed` seconds into this bucket."""

    budget: Budget
    current: int
    previous: int
    elapsed: float

    @property
    def limit(self) -> int:
        return self.budget.rate.limit

    @property
    def period(self) -> int:
        return self.budget.rate.period

    @property
    def used(self) -> float:
        return self.previous * (1 - self.elapsed / self.period) + self.current

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, math.floor(self.limit - self.used))

    @property
    def retry_after(self) -> int:
        """Whole seconds until one more request would be allowed, if none is sent meanwhile."""
        if self.current + 1 <= self.limit:
            # Within this bucket, once enough of the previous one has slid out of the window.
            if self.previous == 0:
                return 1
            at = self.period * (1 - (self.limit - self.current - 1) / self.previous)
            wait = at - self.elapsed
        else:
            # In the next bucket, once enough of this one has slid out.
            at = self.period * (1 - (self.limit - 1) / self.current)
            wait = self.period - self.elapsed + at
        return max(1, math.ceil(wait))


def spend(budgets: Sequence[Budget]) -> list[Usage] | None:
    """Count one request against every budget, in one atomic operation; their usages, in order.

    None when the counter store failed (logged): let the request through.
    """
    if not budgets:
        return []
    now = time.time()
    try:
        if settings.REDIS_URL:
            counts = _redis_spend(budgets, now)
        else:
            counts = _database_spend(budgets, now)
    except (DatabaseError, OSError, redis.RedisError):
        logger.exception("rate-limit counters failed; the request is let through")
        return None
    if not settings.REDIS_URL:
        _prune_now_and_then(now)
    usages = []
    for budget, (current, previous, bucket) in zip(budgets, counts, strict=True):
        elapsed = min(max(now - bucket * budget.rate.period, 0.0), float(budget.rate.period))
        usages.append(Usage(budget, current, previous, elapsed))
    return usages


def give_back(budgets: Sequence[Budget]) -> None:
    """Uncount one request of the current bucket of each budget (a request that, in the end,
    should not count: a successful sign-in against the failed-password budgets)."""
    if not budgets:
        return
    now = time.time()
    try:
        if settings.REDIS_URL:
            _redis_give_back(budgets, now)
        else:
            _database_give_back(budgets, now)
    except (DatabaseError, OSError, redis.RedisError):
        logger.exception("rate-limit counters failed to give a request back")


def _bucket(budget: Budget, now: float) -> int:
    return math.floor(now / budget.rate.period)


# --- database ---------------------------------------------------------------------------------

_TABLE = "commerce_ratecounter"


def _database_spend(budgets: Sequence[Budget], now: float) -> list[tuple[int, int, int]]:
    # Keys in one order: two requests upserting the same rows lock them in the same order.
    rows = sorted(
        {
            b.counter_key: (b.counter_key, _bucket(b, now), (_bucket(b, now) + 2) * b.rate.period)
            for b in budgets
        }.values()
    )
    values = ", ".join(["(%s, %s, 1, 0, %s)"] * len(rows))
    # One statement: insert the counter, or move it to this bucket and count the request. The
    # SET expressions all read the row as it was. A row ahead of our clock (another server's
    # clock) keeps its bucket and counts the request there.
    sql = f"""
        INSERT INTO {_TABLE} AS c ("key", bucket, "current", previous, expires_at)
        VALUES {values}
        ON CONFLICT ("key") DO UPDATE SET
            previous = CASE
                WHEN c.bucket >= excluded.bucket THEN c.previous
                WHEN c.bucket = excluded.bucket - 1 THEN c."current"
                ELSE 0 END,
            "current" = CASE WHEN c.bucket >= excluded.bucket THEN c."current" + 1 ELSE 1 END,
            bucket = CASE WHEN c.bucket > excluded.bucket THEN c.bucket ELSE excluded.bucket END,
            expires_at = CASE
                WHEN c.bucket > excluded.bucket THEN c.expires_at ELSE excluded.expires_at END
        RETURNING "key", "current", previous, bucket
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        returned = {key: (current, previous, bucket) for key, current, previous, bucket in cursor}
    return [returned[b.counter_key] for b in budgets]


def _database_give_back(budgets: Sequence[Budget], now: float) -> None:
    where = " OR ".join(['("key" = %s AND bucket = %s)'] * len(budgets))
    params = [value for b in budgets for value in (b.counter_key, _bucket(b, now))]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {_TABLE} SET "current" = "current" - 1 WHERE "current" > 0 AND ({where})',
            params,
        )


def _prune_now_and_then(now: float) -> None:
    global _next_prune
    if time.monotonic() < _next_prune:
        return
    _next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
    try:
        prune(now)
    except DatabaseError:  # the next one will do (the counters themselves are fine)
        logger.exception("could not prune the rate-limit counters")


def prune(now: float | None = None) -> int:
    """Delete the database counters that count nothing any more; how many."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE} WHERE expires_at < %s", [now or time.time()])
        return cursor.rowcount


# --- Redis ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _redis_spend(budgets: Sequence[Budget], now: float) -> list[tuple[int, int, int]]:
    pipe = _redis(settings.REDIS_URL).pipeline(transaction=True)
    buckets = []
    for budget in budgets:
        bucket = _bucket(budget, now)
        buckets.append(bucket)
        key = f"{budget.counter_key}:{bucket}"
        pipe.incr(key)
        pipe.expire(key, 2 * budget.rate.period + 1)
        pipe.get(f"{budget.counter_key}:{bucket - 1}")
    replies = pipe.execute()
    return [
        (int(replies[3 * i]), int(replies[3 * i + 2] or 0), bucket)
        for i, bucket in enumerate(buckets)
    ]


_GIVE_BACK = """
for _, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
"""


def _redis_give_back(budgets: Sequence[Budget], now: float) -> None:
    keys = [f"{b.counter_key}:{_bucket(b, now)}" for b in budgets]
    _redis(settings.REDIS_URL).eval(_GIVE_BACK, len(keys), *keys)
