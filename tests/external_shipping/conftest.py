"""A merchant's shipping-price service on loopback (shipping.md "The `external` scheme"), the
settings that let the app reach it fast, and a cart whose shipment is priced by it."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass

import pytest

from tests import factories as f
from tests.shop import build_shop, make_cart

TIMEOUT = 0.3  # seconds: WEBHOOK_TIMEOUT_SECONDS in these tests
THRESHOLD = 3  # WEBHOOK_CIRCUIT_THRESHOLD in these tests


@dataclass
class Hit:
    path: str
    headers: dict
    raw: bytes

    @property
    def body(self) -> dict:
        return json.loads(self.raw)

    def signed_with(self, secret: str) -> bool:
        expected = base64.b64encode(hmac.new(secret.encode(), self.raw, hashlib.sha256).digest())
        return hmac.compare_digest(expected.decode(), self.headers["X-CommerceLayer-Signature"])


class Merchant:
    """Records every POST and answers `price(cents)` (200, CL's shape) unless told otherwise
    by `answer(...)`, which scripts the next POSTs in turn."""

    def __init__(self):
        self.hits: list[Hit] = []
        self.cents = 1234
        self._script: list[tuple[int, bytes, float]] = []
        self._lock = threading.Lock()
        merchant = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                merchant._serve(self, raw)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/shipping-prices"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int = 200, body=None, *, delay: float = 0) -> None:
        """The next unscripted POST gets `status` and `body` (JSON, or raw bytes)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self._lock:
            self._script.append((status, raw, delay))

    def _serve(self, handler, raw: bytes) -> None:
        with self._lock:
            self.hits.append(Hit(handler.path, dict(handler.headers), raw))
            scripted = self._script.pop(0) if self._script else None
        if scripted is None:
            scripted = (200, json.dumps(price(self.cents)).encode(), 0)
        status, payload, delay = scripted
        if delay:
            time.sleep(delay)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:  # the app gave up waiting (a timeout)
            pass


def price(cents) -> dict:
    """A good answer, in Commerce Layer's shape."""
    return {"success": True, "data": {"price_amount_cents": cents}}


@pytest.fixture
def merchant(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the merchant is on loopback
    settings.WEBHOOK_TIMEOUT_SECONDS = TIMEOUT
    settings.WEBHOOK_CIRCUIT_THRESHOLD = THRESHOLD
    service = Merchant()
    yield service
    service.stop()


@pytest.fixture
def shop(market):
    """The test shop: 1 SKU, XSH-1, at $10.00, a $5.00 Standard method (tests.shop)."""
    return build_shop(market, "XSH")


@pytest.fixture
def external(shop, merchant):
    """An `external` method of the shop's market priced by `merchant`, $9.00 when it fails."""
    return f.ShippingMethodFactory(
        market=shop["market"],
        name="Merchant's rates",
        scheme="external",
        external_prices_url=merchant.url,
        price_amount_cents=900,
    )


@pytest.fixture
def cart(shop):
    """A pending guest cart: 2 x XSH-1 ($20.00), one shipment (Standard)."""
    return make_cart(shop)
