"""Rate limits hold under a race (limits.md §6): 16 threads spending one API client's budget
admit exactly the limit, on the database counters and on Redis (PostgreSQL only: SQLite
serialises every write, so it can't show the race).

The old limiter read a history list from the cache and wrote it back: 16 threads were allowed
1 150 reads against a limit of 1 000. The period is a day, so the race never straddles two
buckets of the sliding window.
"""

import pytest
from django.test import Client

from tests.inventory.racing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.throttle,
    pytest.mark.usefixtures("races"),
]

THREADS = 16
REQUESTS_PER_THREAD = 10
LIMIT = 100  # of 160 attempts


@pytest.fixture(params=["database", "redis"])
def counters(request):
    if request.param == "redis":
        request.getfixturevalue("redis_counters")
    return request.param


def reads(token: str):
    """One thread's requests, one after the other: [(status, X-Ratelimit-Remaining)]."""
    client = Client()
    answers = []
    for _ in range(REQUESTS_PER_THREAD):
        response = client.get(
            "/api/skus",
            HTTP_ACCEPT="application/vnd.api+json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        answers.append((response.status_code, int(response["X-Ratelimit-Remaining"])))
    return answers


def test_sixteen_threads_on_one_budget_admit_the_limit_and_no_more(
    integration, sales_channel, settings, counters
):
    settings.API_THROTTLE_RATES = {"read": f"{LIMIT}/day", "write": f"{LIMIT}/day"}
    for api in (integration, sales_channel):  # a client's budget, and a client's and IP's
        results = at_once({n: lambda api=api: reads(api.token) for n in range(THREADS)})
        answers = [answer for thread in results.values() for answer in thread]
        assert {status for status, _ in answers} == {200, 429}, answers
        admitted = [remaining for status, remaining in answers if status == 200]
        assert len(admitted) <= LIMIT * 1.01
        # Not one count lost, none doubled: each admitted request saw its own place in the budget.
        assert sorted(admitted) == list(range(LIMIT)), api
