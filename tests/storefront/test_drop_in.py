"""The demo storefront (storefront/index.html) in Chromium: Commerce Layer's drop-in.js 2.x,
unchanged, served from an origin of its own and talking to this server through its
`https://auth.<API_DOMAIN>` and `https://<slug>.<API_DOMAIN>` hosts, forwarded to the live server
with their CORS preflights (conftest.py's `storefront_page`: no DNS name or certificate faked,
and the browser enforces CORS on what the server answers).

What a shopper sees, from the demo data (demo.md plus issue 23's additions in demo/data.py):
prices in the usa market with 24-WB03's compare-at price struck through, availability with the
cheapest method's delivery lead time from the SKU's first stock location, an out-of-stock SKU
whose button is disabled, and add to cart creating the order and its line in the database (a
second add raising the quantity) with the cart count following. Screenshots before and after
adding land in test-artifacts/.
"""

import re

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.storefront.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop_page(request, demo, storefront_origin, storefront_page, settings, monkeypatch):
    """The demo page open, its library's requests answered by the live server; a screenshot
    in test-artifacts/ when the test fails."""
    # The test reads the database between actions, in the thread Playwright's sync API runs
    # its event loop in (the server answers from its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.CORS_ALLOWED_ORIGINS = [storefront_origin]
    page = storefront_page
    # What went wrong in the page: script errors, and any answer of ours that is not a success.
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and page.problems.append(f"{response.status} {response.request.method} {response.url}")
        ),
    )
    page.goto(f"{storefront_origin}/index.html")
    yield page
    if getattr(request.node, "failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"failed-{request.node.name}.png", full_page=True)
    # Close the connection the test's database reads opened while Playwright's loop ran: Django
    # keeps connections per context when a loop runs, so this one is the test's own, and left
    # open it would keep the test database from being dropped at the end.
    connections.close_all()


def product(page, code):
    return page.locator(f"article[data-sku='{code}']")


def test_a_shopper_sees_prices_availability_and_fills_a_cart(shop_page, settings):
    from orders.models import Order

    page = shop_page
    wb01, wb03, band, duffle = (
        product(page, code) for code in ("24-WB01", "24-WB03", "240-LV06", "25-UB02")
    )

    # Prices in USD (the usa price list); only 24-WB03 has a compare-at price.
    expect(wb01.locator("cl-price-amount[type=price]")).to_have_text("$32.00")
    expect(wb03.locator("cl-price-amount[type=price]")).to_have_text("$36.00")
    expect(wb03.locator("cl-price-amount[type=compare-at]")).to_have_text("$45.00")
    expect(duffle.locator("cl-price-amount[type=price]")).to_have_text("$74.00")
    expect(wb01.locator("cl-price-amount[type=compare-at]")).to_have_text("")

    # Availability: the cheapest method's lead time from the first location with stock
    # (24-WB01 from Boston, Standard 3-5 days; 240-LV06 only in Brooklyn, 2-4 days).
    def availability(article):
        return article.locator("cl-availability-status[type=available-with-info]")

    expect(availability(wb01)).to_be_visible()
    expect(availability(wb01)).to_contain_text(re.compile(r"ships in\s+3\s*–\s*5\s+days"))
    expect(
        availability(wb01).locator("cl-availability-info[type=shipping-method-name]")
    ).to_have_text("Standard")
    expect(
        availability(wb01).locator("cl-availability-info[type=shipping-method-price]")
    ).to_have_text("$7.00")
    expect(availability(band).locator("cl-availability-info[type=min-days]")).to_have_text("2")
    expect(availability(band).locator("cl-availability-info[type=max-days]")).to_have_text("4")
    expect(wb01.locator("cl-availability-status[type=unavailable]")).to_be_hidden()

    # 25-UB02: priced but out of stock in usa: the message shows, the button is disabled.
    expect(duffle.locator("cl-availability-status[type=unavailable]")).to_be_visible()
    expect(availability(duffle)).to_be_hidden()
    # (loaded first: drop-in.js marks a component `cl-hydrated` once its data is in)
    expect(duffle.locator("cl-add-to-cart")).to_have_attribute("cl-hydrated", "")
    expect(duffle.locator("cl-add-to-cart")).to_have_attribute("aria-disabled", "true")

    expect(page.locator("#cart-count")).to_have_text("0")
    expect(wb01.locator("cl-add-to-cart")).not_to_have_attribute("aria-disabled", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "storefront-before-add.png", full_page=True)
    assert not Order.objects.exists()

    # Add to cart: an order in usa with one line of 24-WB01; the count follows.
    wb01.locator("cl-add-to-cart").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    order = Order.objects.get()
    assert order.market.code == "usa"
    assert order.currency_code == "USD"
    assert [
        (li.sku_code, li.quantity, li.unit_amount_cents)
        for li in order.line_items.filter(item_type="skus")
    ] == [("24-WB01", 1, 3200)]

    # The same SKU again raises the quantity of the same line.
    expect(wb01.locator("cl-add-to-cart")).not_to_have_attribute("aria-busy", "true")
    wb01.locator("cl-add-to-cart").click()
    expect(page.locator("#cart-count")).to_have_text("2")
    assert [(li.sku_code, li.quantity) for li in order.line_items.filter(item_type="skus")] == [
        ("24-WB01", 2)
    ]
    assert Order.objects.count() == 1
    page.screenshot(path=ARTIFACTS / "storefront-after-add.png", full_page=True)

    # Clicking the out-of-stock SKU's button sends nothing: the next add is the only new line.
    duffle.locator("cl-add-to-cart").click(force=True)
    band.locator("cl-add-to-cart").click()
    expect(page.locator("#cart-count")).to_have_text("3")
    assert sorted(
        (li.sku_code, li.quantity) for li in order.line_items.filter(item_type="skus")
    ) == [("24-WB01", 2), ("240-LV06", 1)]

    # Every call of the library went to this server, through the routed CL hosts, and none
    # was refused.
    domain = settings.API_DOMAIN
    routed = [(e["method"], e["url"]) for e in page.exchanges]
    hosts = {re.match(r"https://([^/]+)/", url).group(1) for _, url in routed}
    assert hosts == {f"auth.{domain}", f"{settings.ORGANIZATION_SLUG}.{domain}"}
    calls = {
        (method, re.sub(r"/[A-Za-z0-9]{10}$", "/<id>", url.split("?")[0].split(domain, 1)[1]))
        for method, url in routed
    }
    assert {
        ("POST", "/oauth/token"),
        ("GET", "/api/skus"),
        ("GET", "/api/skus/<id>"),
        ("GET", "/api/prices"),
        ("POST", "/api/orders"),
        ("GET", "/api/orders/<id>"),
        ("POST", "/api/line_items"),
    } <= calls
    # Real CORS preflights went to the server too, and it allowed the page's origin on every
    # answer (a refused origin leaves the page without prices: CORS_ALLOWED_ORIGINS matters).
    assert {("OPTIONS", "/oauth/token"), ("OPTIONS", "/api/line_items")} <= calls
    assert {e["status"] for e in page.exchanges} <= {200, 201}
    origin = re.match(r"^http://[^/]+", page.url).group(0)
    assert {e["headers"].get("access-control-allow-origin") for e in page.exchanges} == {origin}
    assert page.problems == []


def test_without_javascript_the_page_says_what_it_needs(browser, storefront_origin):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{storefront_origin}/index.html")
        expect(page.locator("p.note")).to_be_visible()
        expect(page.locator("p.note")).to_contain_text("This page needs JavaScript")
        expect(page.get_by_role("heading", name="Voyage Yoga Bag")).to_be_visible()
    finally:
        context.close()
