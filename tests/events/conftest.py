"""The webhook receiver and fast delivery settings of tests/webhooks, for the events tests."""

from tests.webhooks.conftest import fast_webhooks, receiver  # noqa: F401
