"""Rate limits per API client (429 + Retry-After, CL's X-Ratelimit headers; limits.md §6) and
CORS preflight."""

import os
import subprocess
import sys

import pytest
from django.db import DatabaseError
from django.test import Client

from commerce import ratelimit
from commerce.auth.services import create_api_client
from tests import factories as f
from tests.conftest import JsonApiClient, obtain_token

pytestmark = [pytest.mark.django_db, pytest.mark.throttle]

STOREFRONT_IP = "203.0.113.5"
OTHER_IP = "198.51.100.9"


@pytest.fixture(params=["database", "redis"])
def counters(request):
    """Each budget test on both counter stores."""
    if request.param == "redis":
        request.getfixturevalue("redis_counters")
    return request.param


def new_token(client_id: str, **body) -> JsonApiClient:
    return JsonApiClient(
        Client(),
        obtain_token(Client(), grant_type="client_credentials", client_id=client_id, **body),
    )


def test_reads_carry_ratelimit_headers(integration, settings, counters):
    settings.API_THROTTLE_RATES = {"read": "5/min", "write": "3/min"}
    response = integration.get("/api/skus")
    assert response.status_code == 200
    assert response["X-Ratelimit-Limit"] == "5"
    assert response["X-Ratelimit-Interval"] == "60"
    assert response["X-Ratelimit-Remaining"] == "4"


def test_past_the_write_limit_is_429_with_retry_after(integration, settings, counters):
    settings.API_THROTTLE_RATES = {"read": "100/min", "write": "2/min"}
    for n in range(2):
        response = integration.create("shipping_categories", {"name": f"c{n}"})
        assert response.status_code == 201
    refused = integration.create("shipping_categories", {"name": "one too many"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 120  # within this window and the next
    assert refused.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert refused["X-Ratelimit-Remaining"] == "0"
    # Reads have their own budget; the refused write wrote nothing.
    listed = integration.get("/api/shipping_categories")
    assert listed.status_code == 200
    assert listed.json()["meta"]["record_count"] == 2


def test_each_api_client_has_its_own_budget(integration, sales_channel, settings):
    f.SkuFactory()
    settings.API_THROTTLE_RATES = {"read": "1/min", "write": "1/min"}
    assert integration.get("/api/skus").status_code == 200
    assert integration.get("/api/skus").status_code == 429
    assert sales_channel.get("/api/skus").status_code == 200


def test_a_new_token_does_not_reset_the_budget(integration, settings, counters):
    settings.API_THROTTLE_RATES = {"read": "2/min", "write": "2/min"}
    assert integration.get("/api/skus").status_code == 200
    assert integration.get("/api/skus").status_code == 200
    fresh = new_token("test-integration-all", client_secret="test-secret")
    assert fresh.token != integration.token
    assert fresh.get("/api/skus").status_code == 429


def test_an_integration_budget_is_the_clients_from_any_address(integration, settings):
    settings.API_THROTTLE_RATES = {"read": "1/min", "write": "1/min"}
    assert integration.get("/api/skus", REMOTE_ADDR=STOREFRONT_IP).status_code == 200
    assert integration.get("/api/skus", REMOTE_ADDR=OTHER_IP).status_code == 429


def test_a_sales_channel_budget_is_per_client_and_caller_ip(sales_channel, settings, counters):
    """Anyone may mint a sales-channel token: each caller has the client's budget, and new
    tokens from one address spend the same one."""
    settings.API_THROTTLE_RATES = {"read": "2/min", "write": "2/min"}
    for _ in range(2):
        assert sales_channel.get("/api/skus", REMOTE_ADDR=STOREFRONT_IP).status_code == 200
    refused = sales_channel.get("/api/skus", REMOTE_ADDR=STOREFRONT_IP)
    assert refused.status_code == 429
    again = new_token("test-sales_channel-market-code-usa", scope="market:code:usa")
    assert again.get("/api/skus", REMOTE_ADDR=STOREFRONT_IP).status_code == 429
    # Another visitor of the storefront has a budget of its own.
    response = again.get("/api/skus", REMOTE_ADDR=OTHER_IP)
    assert response.status_code == 200
    assert response["X-Ratelimit-Remaining"] == "1"
    # Another sales channel from the same address too.
    create_api_client(
        kind="sales_channel", name="Kiosk", client_id="kiosk", scope="market:code:usa"
    )
    other = new_token("kiosk")
    assert other.get("/api/skus", REMOTE_ADDR=STOREFRONT_IP).status_code == 200


def test_x_forwarded_for_is_believed_only_from_trusted_proxies(sales_channel, settings):
    settings.API_THROTTLE_RATES = {"read": "1/min", "write": "1/min"}
    proxy = "10.0.0.2"

    def read(caller):
        return sales_channel.get("/api/skus", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=caller)

    # No trusted proxy: a forged header buys no fresh budget (all of it is the proxy's).
    settings.TRUSTED_PROXIES = ""
    assert read(STOREFRONT_IP).status_code == 200
    assert read(OTHER_IP).status_code == 429
    # Behind a trusted proxy, each caller it names has its own budget.
    for trusted in ("1", "10.0.0.0/8"):
        settings.TRUSTED_PROXIES = trusted
        caller = f"192.0.2.{len(trusted)}"
        assert read(caller).status_code == 200, trusted
        assert read(f"6.6.6.6, {caller}").status_code == 429, trusted  # a forged left part


def test_a_failing_counter_store_lets_requests_through(integration, settings, monkeypatch):
    settings.API_THROTTLE_RATES = {"read": "1/min", "write": "1/min"}

    def broken(*args):
        raise DatabaseError("the counters are gone")

    monkeypatch.setattr(ratelimit, "_database_spend", broken)
    for _ in range(2):
        response = integration.get("/api/skus")
        assert response.status_code == 200
        assert "X-Ratelimit-Remaining" not in response


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


def _printed_under(env_changes: dict, expression: str) -> str:
    """What `print(<expression>)` shows in a fresh process whose settings are read from this
    environment with `env_changes` (None: the variable unset)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "commerce.settings", **env_changes}
    env = {k: v for k, v in env.items() if v is not None}
    code = f"from django.conf import settings; print({expression})"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_cors_allowed_origins_come_from_the_environment():
    origins = "https://shop.example.com,http://localhost:3000"
    joined = "','.join(settings.CORS_ALLOWED_ORIGINS)"
    assert _printed_under({"CORS_ALLOWED_ORIGINS": origins}, joined) == origins
    unset = {"CORS_ALLOWED_ORIGINS": None}
    assert _printed_under(unset, "settings.CORS_ALLOWED_ORIGINS") == "[]"


def test_the_proxys_scheme_is_believed_only_behind_trusted_proxies():
    header = "repr(settings.SECURE_PROXY_SSL_HEADER)"
    assert _printed_under({"TRUSTED_PROXIES": None}, header) == "None"
    assert _printed_under({"TRUSTED_PROXIES": "1"}, header) == repr(
        ("HTTP_X_FORWARDED_PROTO", "https")
    )


def test_behind_a_tls_proxy_links_are_https(sales_channel, settings):
    # What TRUSTED_PROXIES=1 sets (above): the links a client follows keep its scheme.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = sales_channel.get(
        "/api/skus", HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="demo-store.shop.example.com"
    )
    assert proxied.status_code == 200
    assert proxied.json()["links"]["first"].startswith("https://demo-store.shop.example.com/api/")
    # A client that reaches the server directly gets the scheme it used.
    direct = sales_channel.get("/api/skus", HTTP_HOST="demo-store.shop.example.com")
    assert direct.json()["links"]["first"].startswith("http://demo-store.shop.example.com/api/")
