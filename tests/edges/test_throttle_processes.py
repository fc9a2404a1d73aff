"""Rate limits hold across processes: two app servers share one budget per token.

Two `manage.py runserver --noreload` processes on loopback, both on the test database (and, in
the second variant, on one Redis database), with a read limit of 6 a minute. Requests
alternating between them spend one shared budget: the 7th is refused with 429 and Retry-After,
whichever process answers it.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from commerce.auth.services import create_api_client

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
READ_LIMIT = 6
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


test_database_url.__test__ = False  # a helper, not a test


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
        DATABASE_URL=test_database_url(),
        API_THROTTLE_ENABLED="1",
        API_THROTTLE_READ=f"{READ_LIMIT}/min",
        API_THROTTLE_WRITE="100/min",
        PYTHONUNBUFFERED="1",
        **env_extra,
    )
    processes, urls = [], []
    try:
        for n in range(count):
            port = free_port()
            log = open(logs / f"server{n}.log", "wb")  # noqa: SIM115 (closed with the process)
            processes.append(
                (
                    subprocess.Popen(
                        [
                            sys.executable,
                            "manage.py",
                            "runserver",
                            f"127.0.0.1:{port}",
                            "--noreload",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for (process, _), url in zip(processes, urls, strict=True):
            wait_until_up(process, url, logs)
        yield urls
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_until_up(process, url: str, logs: Path) -> None:
    deadline = time.monotonic() + 120  # a generous bound for a loaded machine, not a timing
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited: " + "\n".join(p.read_text() for p in logs.iterdir()))
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer /health")


def spend_one_budget_across(urls: list[str]) -> None:
    client_id = "throttle-processes"
    # Hashed the way the servers check it (the suite's fast MD5 hasher is not theirs).
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        create_api_client(
            kind="integration", name=client_id, client_id=client_id, client_secret="s3cret"
        )
    status, _, token = request(
        f"{urls[0]}/oauth/token",
        body={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "s3cret",
        },
    )
    assert status == 200, token
    token = token["access_token"]

    remaining = []
    for n in range(READ_LIMIT):
        status, headers, document = request(f"{urls[n % 2]}/api/skus", token=token)
        assert status == 200, (n, document)
        remaining.append(int(headers["X-Ratelimit-Remaining"]))
    # One counter: the two processes together count down 5, 4, ..., 0.
    assert remaining == list(range(READ_LIMIT - 1, -1, -1))
    for url in urls:  # the 7th and 8th reads, one on each process
        status, headers, document = request(f"{url}/api/skus", token=token)
        assert status == 429, (url, document)
        assert 1 <= int(headers["Retry-After"]) <= 60  # seconds, within the window
        assert document["errors"][0]["code"] == "TOO_MANY_REQUESTS"


def test_two_processes_share_the_database_cache_budget(tmp_path):
    call_command("createcachetable", verbosity=0)  # `migrate` makes it; be sure all the same
    with app_processes(2, {}, tmp_path) as urls:
        spend_one_budget_across(urls)


def redis_answers(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


def test_two_processes_share_the_redis_budget(tmp_path):
    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    with app_processes(2, {"REDIS_URL": REDIS_URL}, tmp_path) as urls:
        spend_one_budget_across(urls)
