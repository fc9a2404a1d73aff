"""Rate-limit counters on Redis: a database number of these tests' own and a fresh key prefix."""

import os
import uuid

import pytest

# Redis runs beside PostgreSQL on every machine that runs the suite (CI included): a test that
# asks for it fails when it is missing, it is never skipped.
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_client(url: str = REDIS_TEST_URL):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"no Redis answers at {url} ({error}): the rate-limit tests need one")
    return client


@pytest.fixture
def redis_counters(settings):
    """The rate-limit counters on Redis, under a prefix no other test (or run) shares; its keys
    are deleted afterwards."""
    client = redis_client()
    prefix = f"test-{uuid.uuid4().hex}"
    settings.REDIS_URL = REDIS_TEST_URL
    settings.RATE_LIMIT_KEY_PREFIX = prefix
    yield client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
