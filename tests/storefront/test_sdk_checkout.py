"""Commerce Layer's SDK and js-auth in Chromium (issue 23): storefront/checkout.html, served from
an origin of its own, places a guest order against the live server on another origin, so every
call is a real cross-origin request whose preflight (OPTIONS) our server answers.

The placed order is read back with the demo's integration token over HTTP and its money checked
to the cent against figures computed here from demo.md (prices, 8.25 % tax, Standard shipping
$7.00, free from $100.00). A page whose origin the server does not allow gets nothing.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.storefront.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# demo.md: the USD price list, the usa tax rate (freight taxable), the Standard shipping method.
USD_PRICES = {"24-WB01": 3200, "24-WB03": 3600}
TAX_RATE = Decimal("0.0825")
STANDARD_CENTS, FREE_OVER_CENTS = 700, 10000
# What checkout.js buys.
LINES = {"24-WB01": 2, "24-WB03": 1}


def tax(cents: int) -> int:
    return int((cents * TAX_RATE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_money() -> dict:
    """The order's figures by demo.md, tax excluded from the usa prices and taxed per line."""
    totals = [USD_PRICES[code] * quantity for code, quantity in LINES.items()]
    subtotal = sum(totals)
    shipping = 0 if subtotal >= FREE_OVER_CENTS else STANDARD_CENTS
    total_tax = sum(tax(t) for t in totals) + tax(shipping)
    return {
        "subtotal_amount_cents": subtotal,
        "shipping_amount_cents": shipping,
        "total_tax_amount_cents": total_tax,
        "total_amount_cents": subtotal + shipping,
        "total_amount_with_taxes_cents": subtotal + shipping + total_tax,
    }


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def back_office_get(playwright, base_url: str, path: str) -> dict:
    """GET `path` as the back office reads it (demo.md's integration client)."""
    http = playwright.request.new_context(base_url=base_url)
    try:
        token = http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-integration",
                "client_secret": "demo-integration-secret",
            },
        )
        assert token.ok, token.text()
        answer = http.get(
            path,
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Accept": "application/vnd.api+json",
            },
        )
        assert answer.ok, answer.text()
        return answer.json()
    finally:
        http.dispose()


def preflights(exchanges: list, path: str) -> list:
    return [e for e in exchanges if e["method"] == "OPTIONS" and path in e["url"]]


def test_a_guest_checks_out_with_the_sdk_in_the_browser(
    demo, live_server, playwright, settings, storefront_origin, storefront_page
):
    settings.CORS_ALLOWED_ORIGINS = [storefront_origin]
    page = storefront_page
    page.goto(f"{storefront_origin}/checkout.html?domain={settings.API_DOMAIN}")
    summary = page.locator("#summary[data-state=placed], #summary[data-state=failed]")
    summary.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "storefront-checkout-placed.png", full_page=True)
    assert summary.get_attribute("data-state") == "placed", summary.inner_text()
    order_id = summary.get_attribute("data-order-id")

    # What the shopper sees: the number, the lines and the money, formatted by the server.
    money = expected_money()
    number = summary.get_attribute("data-order-number")
    assert page.locator("#status").inner_text() == f"Order #{number} placed"
    rows = [" ".join(r.split()) for r in page.locator("#summary tr").all_inner_texts()]
    assert rows == [
        f"2 x Voyage Yoga Bag (24-WB01) {dollars(2 * USD_PRICES['24-WB01'])}",
        f"1 x Driven Backpack (24-WB03) {dollars(USD_PRICES['24-WB03'])}",
        f"Subtotal {dollars(money['subtotal_amount_cents'])}",
        f"Shipping {dollars(money['shipping_amount_cents'])}",
        f"Tax {dollars(money['total_tax_amount_cents'])}",
        f"Total {dollars(money['total_amount_with_taxes_cents'])}",
    ]

    # The back office reads the same order: placed in usa, to the cent.
    path = f"/api/orders/{order_id}?include=line_items,market"
    document = back_office_get(playwright, live_server.url, path)
    order = document["data"]["attributes"]
    assert str(order["number"]) == number
    assert (order["status"], order["payment_status"]) == ("placed", "authorized")
    assert order["customer_email"] == "ada@example.com"
    assert {k: order[k] for k in money} == money
    assert order["currency_code"] == "USD"
    included = {(r["type"], r["id"]): r["attributes"] for r in document["included"]}
    market_ref = document["data"]["relationships"]["market"]["data"]
    assert included[(market_ref["type"], market_ref["id"])]["code"] == "usa"
    lines = {
        a["sku_code"]: (a["quantity"], a["unit_amount_cents"])
        for (kind, _), a in included.items()
        if kind == "line_items" and a["item_type"] == "skus"
    }
    assert lines == {code: (q, USD_PRICES[code]) for code, q in LINES.items()}

    # The browser asked first (a token request and API calls with an Authorization header are
    # not "simple"), and our server answered the preflights for this origin.
    exchanges = page.exchanges
    assert {e["origin"] for e in exchanges} == {storefront_origin}
    for asked_for, method in (("/oauth/token", "POST"), (f"/api/orders/{order_id}", "PATCH")):
        asked = preflights(exchanges, asked_for)
        assert asked, f"no preflight of {asked_for} reached the server"
        assert asked[0]["status"] == 200
        answer = asked[0]["headers"]
        assert answer["access-control-allow-origin"] == storefront_origin
        assert method in answer["access-control-allow-methods"]
        allowed = {h.strip() for h in answer["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "accept"} <= allowed
    placing = [e for e in exchanges if e["method"] == "PATCH" and order_id in e["url"]][-1]
    assert placing["headers"]["access-control-allow-origin"] == storefront_origin


def test_a_page_on_an_origin_the_server_does_not_allow_gets_nothing(
    demo, live_server, playwright, settings, storefront_origin, storefront_page
):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    page = storefront_page
    page.goto(f"{storefront_origin}/checkout.html?domain={settings.API_DOMAIN}")
    summary = page.locator("#summary[data-state=placed], #summary[data-state=failed]")
    summary.wait_for()
    assert summary.get_attribute("data-state") == "failed"
    assert page.locator("#status").inner_text() == "The checkout failed: Failed to fetch"
    assert page.locator("#steps li.failed").inner_text() == "Sales-channel token (js-auth): failed"

    # The server was asked (the preflight) and did not allow this origin, so the browser never
    # sent the token request itself.
    asked = page.exchanges
    assert [(e["method"], e["url"].split("/", 3)[3]) for e in asked] == [("OPTIONS", "oauth/token")]
    assert "access-control-allow-origin" not in asked[0]["headers"]
    assert back_office_get(playwright, live_server.url, "/api/orders")["data"] == []
