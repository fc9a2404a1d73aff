"""`POST /oauth/token` is limited per client id and caller IP (limits.md §6): 30 a minute by
default; past it a 429 in the endpoint's JSON error shape, with Retry-After."""

import base64
import json

import pytest
from django.test import Client

from tests.auth.conftest import INTEGRATION_ID, INTEGRATION_SECRET, SALES_CHANNEL_ID, error_of

pytestmark = [pytest.mark.django_db, pytest.mark.throttle, pytest.mark.sqlite]

LIMIT = 30
JSON = "application/json"


def storefront_token(post_token, remote_addr="127.0.0.1"):
    body = {"grant_type": "client_credentials", "client_id": SALES_CHANNEL_ID}
    return Client(REMOTE_ADDR=remote_addr).post(
        "/oauth/token", data=json.dumps({**body, "scope": "market:code:usa"}), content_type=JSON
    )


def test_a_burst_of_token_requests_is_refused_after_30(post_token, sales_channel_client, usa):
    for n in range(LIMIT):
        response = storefront_token(post_token)
        assert response.status_code == 200, (n, response.content)
    refused = storefront_token(post_token)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused["Cache-Control"] == "no-store"
    assert 1 <= int(refused["Retry-After"]) <= 120
    assert error_of(refused) == {
        "title": "too_many_requests",
        "detail": "Too many requests. Slow down and retry later.",
        "code": "TOO_MANY_REQUESTS",
        "status": 429,
    }
    # Per client and IP: another address, or another client from this one, still gets tokens.
    assert storefront_token(post_token, "198.51.100.9").status_code == 200
    other = post_token(
        grant_type="client_credentials",
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
    )
    assert other.status_code == 401  # no such client here: but not refused by the limit


def test_the_limit_is_a_setting_and_counts_failed_requests_too(
    post_token, integration_client, settings
):
    settings.OAUTH_TOKEN_RATE = "3/min"
    wrong = {"grant_type": "client_credentials", "client_id": INTEGRATION_ID}
    for _ in range(3):  # guessing the secret costs the budget as well
        assert post_token(**wrong, client_secret="guess").status_code == 401
    right = post_token(**wrong, client_secret=INTEGRATION_SECRET)
    assert right.status_code == 429
    # An unknown client id is counted like a known one.
    for _ in range(3):
        assert post_token(grant_type="client_credentials", client_id="nobody").status_code == 401
    assert post_token(grant_type="client_credentials", client_id="nobody").status_code == 429


def test_form_bodies_and_basic_auth_spend_the_same_budget(
    client, post_token, integration_client, settings
):
    settings.OAUTH_TOKEN_RATE = "2/min"
    body = {"client_id": INTEGRATION_ID, "client_secret": INTEGRATION_SECRET}
    assert post_token(grant_type="client_credentials", form=True, **body).status_code == 200
    assert post_token(grant_type="client_credentials", **body).status_code == 200
    credentials = base64.b64encode(f"{INTEGRATION_ID}:{INTEGRATION_SECRET}".encode()).decode()
    refused = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert refused.status_code == 429


def test_without_rate_limits_the_endpoint_is_not_limited(
    post_token, sales_channel_client, usa, settings
):
    settings.API_THROTTLE_ENABLED = False
    for _ in range(LIMIT + 1):
        assert storefront_token(post_token).status_code == 200
