"""Per-token rate limits (429 + Retry-After, CL's X-Ratelimit headers) and CORS preflight."""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.throttle]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_reads_carry_ratelimit_headers(integration, settings):
    settings.API_THROTTLE_RATES = {"read": "5/min", "write": "3/min"}
    response = integration.get("/api/skus")
    assert response.status_code == 200
    assert response["X-Ratelimit-Limit"] == "5"
    assert response["X-Ratelimit-Interval"] == "60"
    assert response["X-Ratelimit-Remaining"] == "4"


def test_past_the_write_limit_is_429_with_retry_after(integration, settings):
    settings.API_THROTTLE_RATES = {"read": "100/min", "write": "2/min"}
    for n in range(2):
        response = integration.create("shipping_categories", {"name": f"c{n}"})
        assert response.status_code == 201
    refused = integration.create("shipping_categories", {"name": "one too many"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    # Reads have their own budget; the refused write wrote nothing.
    listed = integration.get("/api/shipping_categories")
    assert listed.status_code == 200
    assert listed.json()["meta"]["record_count"] == 2


def test_each_token_has_its_own_budget(integration, sales_channel, settings):
    f.SkuFactory()
    settings.API_THROTTLE_RATES = {"read": "1/min", "write": "1/min"}
    assert integration.get("/api/skus").status_code == 200
    assert integration.get("/api/skus").status_code == 429
    assert sales_channel.get("/api/skus").status_code == 200


def test_cors_preflight_for_an_allowed_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    response = client.options(
        "/api/orders",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,idempotency-key",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "PATCH" in response["Access-Control-Allow-Methods"]
    assert "idempotency-key" in response["Access-Control-Allow-Headers"]


def test_cors_refuses_other_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    response = client.options(
        "/api/orders",
        HTTP_ORIGIN="https://evil.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "Access-Control-Allow-Origin" not in response


def test_cors_actual_request_from_an_allowed_origin(integration, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    response = integration.get("/api/skus", HTTP_ORIGIN="https://shop.example.com")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    # A storefront's script may read the rate-limit headers.
    exposed = response["Access-Control-Expose-Headers"].lower()
    assert "x-ratelimit-remaining" in exposed and "retry-after" in exposed


def test_cors_actual_request_from_another_origin_gets_no_grant(integration, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    response = integration.get("/api/skus", HTTP_ORIGIN="https://evil.example.com")
    # The server answers (CORS is the browser's check), but grants nothing to that origin.
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Expose-Headers" not in response


def test_cors_preflight_for_the_token_endpoint(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    response = client.options(
        "/oauth/token",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"


def test_cors_allowed_origins_come_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "CORS_ALLOWED_ORIGINS": "https://shop.example.com,http://localhost:3000",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(','.join(settings.CORS_ALLOWED_ORIGINS))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "https://shop.example.com,http://localhost:3000"
    env.pop("CORS_ALLOWED_ORIGINS")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
