"""`_forward` on a failed transaction (orders.md, payments.md "Reconciling"; integration only):
an operator who checked the gateway marks it succeeded, and the order's payment status and
statuses follow as if it had succeeded at once. A PATCH of `succeeded: true` is the same
trigger; any other value of `succeeded` is a 400, and a transaction already succeeded, or one
whose money is no longer there to move, is a 422 that changes nothing."""

import pytest

from orders.models import Shipment, Transaction
from tests.orders.conftest import events_since, last_event_id, snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def placed(api, shop, *moves):
    order = make_cart(shop)
    ok(api.update("orders", order.public_id, {"_place": True}))
    for move in moves:
        ok(api.update("orders", order.public_id, {move: True}))
    order.refresh_from_db()
    return order


def failed(order, kind, amount, **refs) -> Transaction:
    """A transaction the gateway refused or never answered, as payments.md records it."""
    count = Transaction.objects.filter(order=order).count()
    return Transaction.objects.create(
        kind=kind,
        order=order,
        payment_source=order.payment_source,
        number=f"{order.number}/T/{count + 1:03d}",
        currency_code=order.currency_code,
        amount_cents=amount,
        succeeded=False,
        message="Gateway unavailable: timeout",
        error_code="gateway_unavailable",
        payment_method_type="wire_transfers",
        **refs,
    )


@pytest.mark.parametrize("how", [{"_forward": True}, {"succeeded": True}])
def test_a_forwarded_capture_pays_the_order_and_sends_its_shipments_to_picking(
    integration, shop, how
):
    order = placed(integration, shop, "_approve")
    authorization = Transaction.objects.get(order=order, kind="authorizations")
    capture = failed(
        order,
        "captures",
        order.total_amount_with_taxes_cents,
        reference_authorization=authorization,
    )
    mark = last_event_id()

    answer = ok(integration.update("captures", capture.public_id, how))

    assert answer["attributes"]["succeeded"] is True
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("approved", "paid")
    assert list(Shipment.objects.filter(order=order).values_list("status", flat=True)) == [
        "picking"
    ]
    assert ("captures.forward", capture.public_id) in events_since(mark)


def test_a_forwarded_refund_of_the_whole_capture_cancels_the_order(integration, shop):
    order = placed(integration, shop, "_capture")
    capture = Transaction.objects.get(order=order, kind="captures")
    refund = failed(order, "refunds", capture.amount_cents, reference_capture=capture)
    ok(integration.update("refunds", refund.public_id, {"_forward": True}))
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refunded")


def test_succeeded_false_is_a_400_and_changes_nothing(integration, shop):
    order = placed(integration, shop)
    authorization = Transaction.objects.get(order=order, kind="authorizations")
    before = snapshot(order)
    response = integration.update("authorizations", authorization.public_id, {"succeeded": False})
    assert response.status_code == 400, response.json()
    (error,) = response.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        "/data/attributes/succeeded",
    )
    assert snapshot(order) == before


def test_forwarding_a_succeeded_transaction_is_a_422(integration, shop):
    order = placed(integration, shop)
    authorization = Transaction.objects.get(order=order, kind="authorizations")
    before = snapshot(order)
    response = integration.update("authorizations", authorization.public_id, {"_forward": True})
    assert response.status_code == 422, response.json()
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == [
        "/data/attributes/_forward"
    ]
    assert snapshot(order) == before


def test_a_capture_whose_money_was_taken_since_can_not_be_forwarded(integration, shop):
    """The failed capture was retried and went through: forwarding the failed one would count
    the money twice."""
    order = placed(integration, shop)
    authorization = Transaction.objects.get(order=order, kind="authorizations")
    stale = failed(
        order,
        "captures",
        order.total_amount_with_taxes_cents,
        reference_authorization=authorization,
    )
    ok(integration.update("orders", order.public_id, {"_capture": True}))
    before = snapshot(order)
    response = integration.update("captures", stale.public_id, {"_forward": True})
    assert response.status_code == 422, response.json()
    assert (
        response.json()["errors"][0]["detail"] == "_forward - its amount exceeds what is left (0)"
    )
    assert snapshot(order) == before


def test_only_an_integration_may_forward(sales_channel, integration, shop):
    order = placed(integration, shop)
    authorization = Transaction.objects.get(order=order, kind="authorizations")
    capture = failed(order, "captures", 100, reference_authorization=authorization)
    response = sales_channel.update("captures", capture.public_id, {"_forward": True})
    assert response.status_code == 401, response.json()  # transactions' writes (auth.md)
    capture.refresh_from_db()
    assert capture.succeeded is False
