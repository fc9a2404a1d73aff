"""Polymorphic lists: an order's transactions are authorizations, captures, voids and refunds,
each rendered with its own type (and its own attributes) in one list."""

import pytest

from orders.models import Transaction
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def transaction(order, kind, **values):
    return Transaction.objects.create(
        order=order,
        kind=kind,
        number=f"{order.number}/{kind}",
        currency_code="USD",
        amount_cents=1000,
        **values,
    )


@pytest.fixture
def order_with_transactions(market):
    order = f.OrderFactory(market=market)
    authorization = transaction(order, "authorizations")
    capture = transaction(order, "captures", reference_authorization=authorization)
    refund = transaction(order, "refunds", reference_capture=capture)
    return order, [authorization, capture, refund]


def test_related_endpoint_lists_every_kind_with_its_own_type(integration, order_with_transactions):
    order, records = order_with_transactions
    response = integration.get(f"/api/orders/{order.public_id}/transactions")
    assert response.status_code == 200, response.json()
    document = response.json()
    assert [(d["type"], d["id"]) for d in document["data"]] == [
        ("authorizations", records[0].public_id),
        ("captures", records[1].public_id),
        ("refunds", records[2].public_id),
    ]
    assert document["meta"] == {"record_count": 3, "page_count": 1}
    # Each kind's own attributes: an authorization tells what is left to capture.
    assert "capture_balance_cents" in document["data"][0]["attributes"]
    assert "capture_balance_cents" not in document["data"][2]["attributes"]


def test_transactions_list_and_include_name_each_kind(integration, order_with_transactions):
    order, records = order_with_transactions
    listed = integration.get("/api/transactions")
    assert [d["type"] for d in listed.json()["data"]] == ["authorizations", "captures", "refunds"]
    included = integration.get(f"/api/orders/{order.public_id}?include=transactions").json()
    linkage = included["data"]["relationships"]["transactions"]["data"]
    assert [item["type"] for item in linkage] == ["authorizations", "captures", "refunds"]
    assert sorted((i["type"], i["id"]) for i in included["included"]) == sorted(
        (r.kind, r.public_id) for r in records
    )


def test_sales_channel_reaches_transactions_only_through_its_orders(
    sales_channel, other_sales_channel, order_with_transactions
):
    order, _ = order_with_transactions
    order.guest = True
    order.save()
    assert sales_channel.get(f"/api/orders/{order.public_id}/transactions").status_code == 200
    assert other_sales_channel.get(f"/api/orders/{order.public_id}/transactions").status_code == 404
