"""Packing a shipment in a real browser (issue 21 item 6; shipping.md "Packages, parcels,
parcel line items"), with test_browser.py's Chromium, live server and demo data.

A storefront places the demo order over HTTP and the back office approves and captures it (the
API's services), so its shipments are `picking`. An operator logs in, opens the brooklyn
shipment (its 24-WB01 units), adds a parcel from its page (a package of brooklyn, a weight, a
tracking number, every unit packed), then packs, readies and ships it with the page's buttons.
The database then holds a shipped shipment and its parcel, tracking number and line item.
"""

import pytest
from django.db import transaction

from commerce.auth.context import INTEGRATION, TokenContext
from tests import factories as f
from tests.admin.test_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    Storefront,
    browser,
    click_button,
    demo,
    navigate,
    page,
    place_order,
    playwright,
    readonly,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_packs_a_parcel_and_ships_it(demo, live_server, playwright, page, monkeypatch):  # noqa: F811
    from orders.models import Order, Parcel, Shipment
    from orders.services import lifecycle

    # The test reads the database between page loads, in the thread Playwright's sync API runs
    # its event loop in (the server answers from its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    placed = place_order(Storefront(playwright, live_server.url))
    order = Order.objects.get(number=placed["number"])
    back_office = TokenContext(kind=INTEGRATION, application_id=0, client_id="browser-test")
    with transaction.atomic():  # as the admin's buttons and the API run it
        lifecycle.run_operator_trigger(order, "approve_and_capture", ctx=back_office)
    shipment = Shipment.objects.get(order=order, stock_location__code="brooklyn")
    assert shipment.status == "picking"
    (stock_line,) = shipment.stock_line_items.all()
    units = stock_line.quantity
    other = Shipment.objects.get(order=order, stock_location__code="ne_wh")
    f.PackageFactory(stock_location=other.stock_location, name="Elsewhere box", code="FAR")
    box = f.PackageFactory(stock_location=shipment.stock_location, name="Medium box", code="MED")

    page.goto("/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-password")
    navigate(page, lambda: page.click("input[type=submit]"))
    page.goto(f"/admin/orders/shipment/{shipment.pk}/change/")
    assert readonly(page, "status") == "picking"

    # the packing page: brooklyn's packages only, every unit left to pack
    navigate(page, page.get_by_role("link", name="Add a parcel").click)
    options = page.locator("#id_package option").all_inner_texts()
    assert [o for o in options if o.strip("-")] == ["Medium box (MED) 30×20×10 cm"]
    row = page.locator("#parcel-lines tr.parcel-line")
    assert row.count() == 1
    assert row.get_attribute("data-sku-code") == "24-WB01"
    assert row.locator("input").input_value() == str(units)
    page.select_option("#id_package", label="Medium box (MED) 30×20×10 cm")
    page.fill("#id_weight", "12.5")
    page.select_option("#id_unit_of_weight", "lb")
    page.fill("#id_tracking_number", "1Z999AA10123456784")
    page.screenshot(path=ARTIFACTS / "admin-parcel-pack.png", full_page=True)
    navigate(page, lambda: page.click("input[name=_save]"))
    message = page.locator(".messagelist li").first.inner_text().strip()
    assert message == f"Parcel {shipment.number}/P/001 added."
    parcels = page.locator(".inline-group").filter(has_text="Parcels")
    assert f"{units} × 24-WB01" in parcels.inner_text()
    page.screenshot(path=ARTIFACTS / "admin-shipment-parcel.png", full_page=True)

    # ship it with the page's buttons
    for label, status in (
        ("Pack", "packing"),
        ("Ready to ship", "ready_to_ship"),
        ("Ship", "shipped"),
    ):
        assert click_button(page, label) == f"{label}: 1 done."
        assert readonly(page, "status") == status

    shipment.refresh_from_db()
    assert shipment.status == "shipped"
    parcel = Parcel.objects.get(shipment=shipment)
    assert (parcel.number, parcel.package_id, parcel.weight, parcel.unit_of_weight) == (
        f"{shipment.number}/P/001",
        box.pk,
        12.5,
        "lb",
    )
    assert parcel.tracking_number == "1Z999AA10123456784"
    assert list(parcel.parcel_line_items.values_list("sku_code", "quantity")) == [
        ("24-WB01", units)
    ]
