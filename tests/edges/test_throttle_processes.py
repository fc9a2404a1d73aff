"""Rate limits hold across processes: two app servers share one budget per API client.

Two `manage.py runserver --noreload` processes on loopback, both on the test database (and, in
the second variant, on one Redis database), with a read limit of 40 a day. Requests alternating
between them spend one shared budget: first one by one (the two count down one counter), then
16 threads racing across both processes, which together admit exactly what is left of it and no
more; then a freshly minted token is refused too, whichever process answers it.
"""

import json
import os
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.db import connection
from django.test import override_settings

from commerce.auth.services import create_api_client
from tests.edges.conftest import REDIS_TEST_URL, redis_client
from tests.inventory.racing import at_once
from tests.servers import free_port, served

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

READ_LIMIT = 40
ONE_BY_ONE = 6
THREADS = 16
REQUESTS_PER_THREAD = 4  # 64 attempts for the 34 reads left


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


database_url.__test__ = False  # a helper, not a test


def request(url, *, token=None, body=None):
    """(status, headers, parsed body) of one HTTP request; 4xx/5xx are answers, not errors."""
    headers = {"Accept": "application/vnd.api+json"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


@contextmanager
def app_processes(count: int, env_extra: dict, logs: Path):
    """`count` servers on free loopback ports; yields their base URLs; stops them by pid."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=database_url(),
        API_THROTTLE_ENABLED="1",
        API_THROTTLE_READ=f"{READ_LIMIT}/day",
        API_THROTTLE_WRITE="100/min",
        PYTHONUNBUFFERED="1",
        **env_extra,
    )
    with ExitStack() as stack:
        urls = []
        for n in range(count):
            port = free_port()
            args = ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
            stack.enter_context(served(args, port=port, env=env, log=logs / f"server{n}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls


def new_token(url: str, client_id: str) -> str:
    status, _, body = request(
        f"{url}/oauth/token",
        body={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "s3cret",
        },
    )
    assert status == 200, body
    return body["access_token"]


def spend_one_budget_across(urls: list[str]) -> None:
    client_id = "throttle-processes"
    # Hashed the way the servers check it (the suite's fast MD5 hasher is not theirs).
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        create_api_client(
            kind="integration", name=client_id, client_id=client_id, client_secret="s3cret"
        )
    token = new_token(urls[0], client_id)

    remaining = []
    for n in range(ONE_BY_ONE):
        status, headers, document = request(f"{urls[n % 2]}/api/skus", token=token)
        assert status == 200, (n, document)
        assert headers["X-Ratelimit-Interval"] == "86400"
        remaining.append(int(headers["X-Ratelimit-Remaining"]))
    # One counter: the two processes together count down 39, 38, ..., 34.
    assert remaining == list(range(READ_LIMIT - 1, READ_LIMIT - 1 - ONE_BY_ONE, -1))

    def reads(first: int):
        answers = []
        for n in range(REQUESTS_PER_THREAD):
            status, headers, _ = request(f"{urls[(first + n) % 2]}/api/skus", token=token)
            answers.append((status, int(headers["X-Ratelimit-Remaining"])))
        return answers

    results = at_once({n: lambda n=n: reads(n) for n in range(THREADS)})
    answers = [answer for thread in results.values() for answer in thread]
    assert {status for status, _ in answers} == {200, 429}, answers
    admitted = sorted(remaining for status, remaining in answers if status == 200)
    assert len(admitted) <= (READ_LIMIT - ONE_BY_ONE) * 1.01
    assert admitted == list(range(READ_LIMIT - ONE_BY_ONE)), answers  # no count lost

    fresh = new_token(urls[1], client_id)  # a new token does not reset the client's budget
    for url in urls:
        status, headers, document = request(f"{url}/api/skus", token=fresh)
        assert status == 429, (url, document)
        assert 1 <= int(headers["Retry-After"]) <= 2 * 86400  # within this window and the next
        assert document["errors"][0]["code"] == "TOO_MANY_REQUESTS"


def test_two_processes_share_the_database_budget(tmp_path):
    with app_processes(2, {}, tmp_path) as urls:
        spend_one_budget_across(urls)


def test_two_processes_share_the_redis_budget(tmp_path):
    redis = redis_client()
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        env = {"REDIS_URL": REDIS_TEST_URL, "RATE_LIMIT_KEY_PREFIX": prefix}
        with app_processes(2, env, tmp_path) as urls:
            spend_one_budget_across(urls)
    finally:
        for key in redis.scan_iter(match=f"{prefix}:*"):
            redis.delete(key)
