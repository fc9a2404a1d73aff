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

from commerce.money import format_amount
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


def test_an_operator_edits_a_placed_order_from_the_admin(
    demo, live_server, playwright, page, monkeypatch
):
    """aftersale.md §1 from the order's page: start editing, drop a line, lower a quantity, add
    a SKU, save, stop editing; the order is placed again for less, its authorization open."""
    from inventory.models import Sku
    from orders.models import Order

    # The test reads the database between page loads, in the thread Playwright's sync API runs
    # its event loop in (the server answers from its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    ARTIFACTS.mkdir(exist_ok=True)
    placed = place_order(Storefront(playwright, live_server.url))
    order = Order.objects.get(number=placed["number"])

    page.goto("/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-password")
    navigate(page, lambda: page.click("input[type=submit]"))
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    assert statuses(page) == ("placed", "authorized", "unfulfilled")
    assert click_button(page, "Start editing") == "Start editing: 1 done."
    assert statuses(page) == ("editing", "authorized", "unfulfilled")

    # The "Edit lines" table: 24-WB03 goes, 24-WB01 drops to 30, one 240-LV06 comes.
    table = page.locator(".inline-group").filter(has_text="Edit lines")
    rows = table.locator("tr.form-row.has_original")
    assert rows.count() == 2
    wb03 = Sku.objects.get(code="24-WB03").pk
    for index in range(2):
        row = rows.nth(index)
        quantity = row.locator("input[name$='-quantity']")
        if row.locator("input[name$='-sku']").input_value() == str(wb03):
            row.locator("input[name$='-DELETE']").check()
        else:
            quantity.fill("30")
    new = table.locator("tr.form-row:not(.has_original):not(.empty-form)").first
    new.locator("input[name$='-sku']").fill(str(Sku.objects.get(code="240-LV06").pk))
    new.locator("input[name$='-quantity']").fill("1")
    navigate(page, lambda: page.click("input[name=_continue]"))
    assert "Edit lines: 1 done." in page.locator(".messagelist").inner_text()

    assert click_button(page, "Stop editing") == "Stop editing: 1 done."
    assert statuses(page) == ("placed", "authorized", "unfulfilled")
    order.refresh_from_db()
    lines = dict(order.line_items.filter(item_type="skus").values_list("sku_code", "quantity"))
    assert lines == {"24-WB01": 30, "240-LV06": 1}
    # Kept lines keep their price: 30 x $32.00 + 1 x $22.00, plus shipping and taxes.
    assert order.subtotal_amount_cents == 30 * 3200 + 2200
    assert order.place_total_amount_cents == order.total_amount_with_taxes_cents < 216500
    total = readonly(page, "formatted_total_amount_with_taxes")
    assert total == format_amount(order.total_amount_with_taxes_cents, "USD")
    page.screenshot(path=ARTIFACTS / "admin-order-edited.png", full_page=True)


def test_an_operator_returns_an_order_from_the_admin(demo, live_server, playwright, page):
    """aftersale.md §3 from the admin: the order approved and captured, a return of all of it
    created from the order's page, then requested, approved, received, restocked at the demo's
    return location (ne_wh) and refunded with the return page's buttons."""
    ARTIFACTS.mkdir(exist_ok=True)
    number = place_order(Storefront(playwright, live_server.url))["number"]

    page.goto("/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-password")
    navigate(page, lambda: page.click("input[type=submit]"))
    page.goto(f"/admin/orders/order/?q={number}")
    navigate(
        page, page.locator("#result_list tbody tr").get_by_role("link", name=str(number)).click
    )
    assert click_button(page, "Approve and capture") == "Approve and capture: 1 done."
    assert statuses(page) == ("approved", "paid", "in_progress")

    # a return of every unit, from the order's page: listed there, a draft
    assert click_button(page, "Create a return") == "Create a return: 1 done."
    link = page.locator("a.inlineviewlink[href*='/returns/return/']")
    assert link.count() == 1
    navigate(page, link.first.click)
    assert readonly(page, "number") == f"{number}/R/001"
    assert readonly(page, "status") == "draft"
    assert readonly(page, "skus_count") == "60"
    # 20 x $36.00 + 40 x $32.00 and their 8.25 % tax (shipping was free)
    assert readonly(page, "formatted_estimated_refund_amount") == "$2,165.00"
    assert readonly(page, "stock_location") == "ne_wh"

    # a move the table refuses says why and changes nothing
    assert click_button(page, "Refund").startswith(f"{number}/R/001: Refund refused — status")
    assert readonly(page, "status") == "draft"
    for label, status in (
        ("Request", "requested"),
        ("Approve", "approved"),
        ("Receive", "received"),
        ("Restock", "received"),
        ("Refund", "refunded"),
    ):
        assert click_button(page, label) == f"{label}: 1 done.", label
        assert readonly(page, "status") == status, label
    assert readonly(page, "refunded_at") != "-"
    page.screenshot(path=ARTIFACTS / "admin-return.png", full_page=True)

    # the units are back at ne_wh (it had shipped 20 x 24-WB03 of its 100)
    page.goto("/admin/inventory/stockitem/?q=24-WB03")
    assert stock_row(page, "ne_wh").locator("input[name$='-quantity']").input_value() == "100"
    # the order: refunded, still approved
    page.goto(f"/admin/orders/order/?q={number}")
    navigate(
        page, page.locator("#result_list tbody tr").get_by_role("link", name=str(number)).click
    )
    assert statuses(page) == ("approved", "refunded", "in_progress")
