"""The operators' admin in a real browser: Playwright driving Chromium (Debian's `chromium`
package, launched by path: scripts/ensure-chromium.sh installs it, `make test` calls that) against
the app served on a free loopback port by pytest-django's live server, with the demo data.

A storefront places an order over HTTP; an operator logs in to /admin, finds it, approves and
captures it with the detail page's buttons, sees the new statuses, ships both its shipments,
then edits a stock item's quantity in the stock list and sees salable follow. Screenshots of
the order page land in test-artifacts/ (gitignored).
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from demo.data import seed_demo
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    path = path or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "no Chromium for the admin's browser tests: run scripts/ensure-chromium.sh "
            "(make test does) or set CHROMIUM_PATH",
            pytrace=False,
        )
    return path


@pytest.fixture
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=chromium_path())
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        if getattr(request.node, "failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"failed-{request.node.name}.png", full_page=True)
        context.close()


@pytest.fixture
def demo(django_user_model):
    summary = seed_demo()
    django_user_model.objects.create_superuser("operator", password="operator-password")
    return summary


class Storefront:
    """The demo's sales channel over HTTP (Playwright's request context, JSON:API)."""

    MEDIA = "application/vnd.api+json"

    def __init__(self, playwright, base_url):
        self.http = playwright.request.new_context(base_url=base_url)
        token = self.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-sc-usa",
                "scope": "market:code:usa",
            },
        )
        assert token.ok, token.text()
        self.headers = {
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Accept": self.MEDIA,
            "Content-Type": self.MEDIA,
        }

    def send(self, method, path, type_name=None, attributes=None, relationships=None, id=None):
        body = None
        if type_name:
            data = {"type": type_name, "attributes": attributes or {}}
            data |= {"relationships": relationships or {}} | ({"id": id} if id else {})
            body = {"data": data}
        response = self.http.fetch(path, method=method, headers=self.headers, data=body)
        assert response.ok, response.text()
        return response.json()

    def create(self, type_name, attributes=None, relationships=None):
        return self.send("POST", f"/api/{type_name}", type_name, attributes, relationships)["data"]

    def update(self, type_name, id, attributes=None, relationships=None):
        path = f"/api/{type_name}/{id}"
        return self.send("PATCH", path, type_name, attributes, relationships, id)["data"]


def rel(type_name, id):
    return {"data": {"type": type_name, "id": id}}


def place_order(shop: Storefront) -> dict:
    """20 x 24-WB03 and 40 x 24-WB01 in usa: two shipments (ne_wh and brooklyn, demo.md)."""
    order = shop.create("orders", {"language_code": "en"})
    for code, quantity in (("24-WB03", 20), ("24-WB01", 40)):
        shop.create("line_items", {"sku_code": code, "quantity": quantity}, rel_order(order))
    shop.update("orders", order["id"], {"customer_email": "ada@example.com"})
    address = shop.create(
        "addresses",
        ADDRESS,
    )
    shop.update(
        "orders", order["id"], relationships={"billing_address": rel("addresses", address["id"])}
    )
    shop.update("orders", order["id"], {"_shipping_address_same_as_billing": True})
    methods = shop.send("GET", f"/api/orders/{order['id']}?include=available_payment_methods")
    method = methods["included"][0]["id"]
    shop.update(
        "orders", order["id"], relationships={"payment_method": rel("payment_methods", method)}
    )
    shop.create("wire_transfers", relationships=rel_order(order))
    placed = shop.update("orders", order["id"], {"_place": True})["attributes"]
    assert (placed["status"], placed["payment_status"]) == ("placed", "authorized")
    return placed


def rel_order(order):
    return {"order": rel("orders", order["id"])}


def navigate(page, action) -> None:
    """Run `action` (a click, Enter) and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        action()


def readonly(page, field) -> str:
    return page.locator(f".field-{field} .readonly").first.inner_text().strip()


def statuses(page) -> tuple[str, str, str]:
    return tuple(readonly(page, f) for f in ("status", "payment_status", "fulfillment_status"))


def click_button(page, label) -> str:
    """Click a trigger button of the detail page; the page comes back with its message."""
    navigate(page, page.get_by_role("button", name=label, exact=True).click)
    return page.locator(".messagelist li").first.inner_text().strip()


def stock_row(page, location):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator("td.field-stock_location", has_text=re.compile(f"^{location}$"))
    )


def test_an_operator_runs_an_order_from_the_admin(demo, live_server, playwright, page):
    ARTIFACTS.mkdir(exist_ok=True)
    placed = place_order(Storefront(playwright, live_server.url))
    number = placed["number"]

    # log in, find the order by its SKU, open it
    page.goto("/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-password")
    navigate(page, lambda: page.click("input[type=submit]"))
    navigate(page, page.locator("#content-main a[href='/admin/orders/order/']").first.click)
    page.fill("#searchbar", "24-WB03")
    navigate(page, lambda: page.press("#searchbar", "Enter"))
    assert "q=24-WB03" in page.url
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "placed authorized unfulfilled usa ada@example.com $2,165.00" in " ".join(
        row.inner_text().split()
    )
    navigate(page, row.get_by_role("link", name=str(number)).click)
    assert statuses(page) == ("placed", "authorized", "unfulfilled")
    assert readonly(page, "formatted_total_amount_with_taxes") == "$2,165.00"

    # approve, then capture, with the buttons
    assert click_button(page, "Approve") == "Approve: 1 done."
    assert statuses(page) == ("approved", "authorized", "unfulfilled")
    assert click_button(page, "Capture payment") == "Capture payment: 1 done."
    assert statuses(page) == ("approved", "paid", "in_progress")
    assert click_button(page, "Capture payment").startswith(f"#{number}: Capture payment refused")
    assert statuses(page) == ("approved", "paid", "in_progress")
    page.screenshot(path=ARTIFACTS / "admin-order-approved.png", full_page=True)

    # ship both shipments from their own pages: picking -> packing -> ready to ship -> shipped
    links = page.locator("a.inlineviewlink[href*='/orders/shipment/']").all()
    shipment_urls = sorted({link.get_attribute("href") for link in links})
    assert len(shipment_urls) == 2
    order_url = page.url
    for url in shipment_urls:
        page.goto(url)
        assert readonly(page, "status") == "picking"
        for label, status in (
            ("Pack", "packing"),
            ("Ready to ship", "ready_to_ship"),
            ("Ship", "shipped"),
        ):
            assert click_button(page, label) == f"{label}: 1 done."
            assert readonly(page, "status") == status
    page.goto(order_url)
    assert statuses(page) == ("approved", "paid", "fulfilled")
    page.screenshot(path=ARTIFACTS / "admin-order.png", full_page=True)

    # stock: brooklyn shipped 5 x 24-WB01 of its 100; type 120 and see salable follow
    page.goto("/admin/inventory/stockitem/?q=24-WB01")
    brooklyn = stock_row(page, "brooklyn")
    assert brooklyn.locator("td.field-salable").inner_text() == "95"
    brooklyn.locator("input[name$='-quantity']").fill("120")
    navigate(page, lambda: page.click("input[name=_save]"))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    brooklyn = stock_row(page, "brooklyn")
    assert brooklyn.locator("input[name$='-quantity']").input_value() == "120"
    assert brooklyn.locator("td.field-salable").inner_text() == "120"
    page.screenshot(path=ARTIFACTS / "admin-stock-items.png", full_page=True)
