"""Fixtures of the storefront browser tests (issue 23): the demo pages of `storefront/` served
from an origin of their own (a second loopback port, as a storefront's CDN would serve them),
and Commerce Layer's hosts (`https://<slug>.<API_DOMAIN>`, `https://auth.<API_DOMAIN>`) sent
to the test server by request interception, so no DNS name or certificate is faked on the
machine.

Playwright's own routes answer a CORS preflight themselves (a 204 allowing any origin, whatever
the server would say), so `storefront_page` forwards with Chromium's interception (the DevTools
protocol's Fetch domain) instead: the preflights (OPTIONS) reach the server like every request.

The admin's browser fixtures (Chromium by path, the demo data, test-artifacts/) are reused.
"""

import base64
import functools
import http.client
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.admin.test_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    TIMEOUT_MS,
    browser,
    demo,
    playwright,
)

STOREFRONT = Path(__file__).resolve().parents[2] / "storefront"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture
def storefront_origin():
    """The URL (http://127.0.0.1:<port>) of a static server of `storefront/`, its
    node_modules included (`npm ci` there first: make test does)."""
    if not (STOREFRONT / "node_modules" / "@commercelayer").is_dir():
        pytest.fail("storefront/node_modules is missing: run `npm ci` in storefront/", False)
    handler = functools.partial(_Quiet, directory=str(STOREFRONT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def commerce_layer_hosts(settings) -> re.Pattern:
    """`https://<anything>.<API_DOMAIN>/...`: the organization's API host and the auth host."""
    return re.compile(rf"^https://[a-z0-9-]+\.{re.escape(settings.API_DOMAIN)}(/.*)?$")


# Not copied between the browser and the server: the connection's own headers.
NOT_FORWARDED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}


def _body(request: dict) -> bytes | None:
    if entries := request.get("postDataEntries"):
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    return request["postData"].encode() if "postData" in request else None


def forward_with_cdp(page, settings, base_url: str) -> list:
    """Send every request of `page` to Commerce Layer's hosts (`commerce_layer_hosts`),
    preflights included, to `base_url`, answering with what the server answers. Returns the
    list of exchanges, as dicts (method, url, origin, status, headers: the answer's, names
    lower-cased; status None and `error` set when the server could not be reached)."""
    pattern = commerce_layer_hosts(settings)
    target = urlsplit(base_url)
    session = page.context.new_cdp_session(page)
    exchanges = []

    def paused(event):
        request = event["request"]
        headers = {k: v for k, v in request["headers"].items() if k.lower() not in NOT_FORWARDED}
        path = pattern.match(request["url"]).group(1) or "/"
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            connection.request(request["method"], path, body=_body(request), headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            # The browser sees a network error; the test sees why in the exchanges.
            exchanges.append(
                {
                    "method": request["method"],
                    "url": request["url"],
                    "origin": headers.get("Origin"),
                    "status": None,
                    "headers": {},
                    "error": error,
                }
            )
            failed = {"requestId": event["requestId"], "errorReason": "Failed"}
            session.send("Fetch.failRequest", failed)
            return
        finally:
            connection.close()
        answer = [(k, v) for k, v in response.getheaders() if k.lower() not in NOT_FORWARDED]
        exchanges.append(
            {
                "method": request["method"],
                "url": request["url"],
                "origin": headers.get("Origin"),
                "status": response.status,
                "headers": {k.lower(): v for k, v in answer},
            }
        )
        session.send(
            "Fetch.fulfillRequest",
            {
                "requestId": event["requestId"],
                "responseCode": response.status,
                "responseHeaders": [{"name": k, "value": v} for k, v in answer],
                "body": base64.b64encode(content).decode(),
            },
        )

    session.on("Fetch.requestPaused", paused)
    glob = f"https://*.{settings.API_DOMAIN}/*"
    session.send("Fetch.enable", {"patterns": [{"urlPattern": glob, "requestStage": "Request"}]})
    return exchanges


@pytest.fixture
def storefront_page(browser, live_server, settings):  # noqa: F811
    """A page (in a context of its own) whose Commerce Layer hosts reach the live server,
    CORS preflights included; `.exchanges` lists what was forwarded and answered."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.exchanges = forward_with_cdp(page, settings, live_server.url)
    try:
        yield page
    finally:
        context.close()
