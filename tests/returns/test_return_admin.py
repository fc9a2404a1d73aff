"""The returns' admin does what the API's triggers do: from an order's page an operator creates a
return, runs it from request to refund with the return page's buttons, and edits its line items
through the same services; a refused move or edit shows the service's reason and changes
nothing."""

import pytest

from inventory.models import StockItem
from orders.models import Transaction
from returns.admin import RETURN_ACTIONS
from returns.models import Return, ReturnLineItem
from tests.admin.conftest import admin_url, messages_of
from tests.returns.conftest import paid_order, return_with, sku_line, snapshot

pytestmark = pytest.mark.django_db


def press(client, obj, name):
    return client.post(admin_url(obj, "trigger", name), follow=True)


def test_an_operator_creates_a_return_and_runs_it_to_the_refund(integration, staff_client, shop):
    order = paid_order(integration, shop, [(shop["sku"], 3)])
    page = press(staff_client, order, "create_return")
    assert messages_of(page) == ["Create a return: 1 done."]
    ret = Return.objects.get(order=order)
    assert (ret.status, ret.skus_count, ret.estimated_refund_amount_cents) == ("draft", 3, 4500)
    assert ret.number in page.content.decode()  # listed on the order's page, with its link
    assert admin_url(ret) in page.content.decode()

    # Nothing left to return: a second one is refused, nothing made.
    before = snapshot(order)
    page = press(staff_client, order, "create_return")
    assert messages_of(page) == [
        f"#{order.number}: Create a return refused — return_line_items - nothing is left to return"
    ]
    assert snapshot(order) == before

    for name, status in (
        ("request", "requested"),
        ("approve", "approved"),
        ("receive", "received"),
        ("restock", "received"),
        ("refund", "refunded"),
    ):
        page = press(staff_client, ret, name)
        assert messages_of(page) == [f"{RETURN_ACTIONS[name]}: 1 done."], name
        ret.refresh_from_db()
        assert ret.status == status, name
    desk = StockItem.objects.get(stock_location=shop["returns_desk"], sku=shop["sku"])
    assert desk.quantity == 3
    refund = Transaction.objects.get(order=order, kind="refunds")
    assert (refund.amount_cents, ret.reference_refund_id) == (4500, refund.pk)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("approved", "partially_refunded")


def test_a_refused_button_says_why_and_changes_nothing(integration, staff_client, shop):
    order = paid_order(integration, shop)
    ret = Return.objects.get(
        public_id=return_with(integration, order, [(sku_line(order), 1)])["id"]
    )
    before = snapshot(order)
    page = press(staff_client, ret, "ship")
    assert messages_of(page) == [
        f"{ret.number}: Ship refused — status - cannot transition from draft to shipped"
    ]
    assert snapshot(order) == before


def _line_form(ret, item, quantity) -> dict:
    return {
        "reference": "",
        "reference_origin": "",
        "metadata": "{}",
        "return_line_items-TOTAL_FORMS": "1",
        "return_line_items-INITIAL_FORMS": "1",
        "return_line_items-MIN_NUM_FORMS": "0",
        "return_line_items-MAX_NUM_FORMS": "1000",
        "return_line_items-0-id": str(item.pk),
        "return_line_items-0-return_record": str(ret.pk),
        "return_line_items-0-quantity": str(quantity),
    }


def test_line_items_are_edited_through_the_services(integration, staff_client, shop):
    order = paid_order(integration, shop)  # 2 units
    ret = Return.objects.get(
        public_id=return_with(integration, order, [(sku_line(order), 1)])["id"]
    )
    item = ReturnLineItem.objects.get(return_record=ret)

    page = staff_client.post(admin_url(ret), _line_form(ret, item, 2), follow=True)
    assert page.status_code == 200
    item.refresh_from_db()
    ret.refresh_from_db()
    assert (item.quantity, ret.skus_count, ret.estimated_refund_amount_cents) == (2, 2, 3000)

    before = snapshot(order)
    page = staff_client.post(admin_url(ret), _line_form(ret, item, 3), follow=True)
    assert messages_of(page) == ["quantity - must be less than or equal to 2"]
    assert snapshot(order) == before
