"""Returns racing (PostgreSQL only, real threads, each request on its own connection through the
HTTP API): two refunds of one capture never take more than it holds, and two returns of a line's
last unit never both get it. The order row, locked first by every write to its returns, is what
makes the second one wait and see what the first one took: one succeeds, the other is a 422 on
the guard's pointer, with no 500 and no deadlock. SQLite serialises every write, so it can't
show the race."""

import json
from functools import partial

import pytest
from django.test import Client

from orders.models import Transaction
from returns.models import ReturnLineItem
from tests.conftest import rel
from tests.inventory.racing import all_at_once, assert_clean, at_once, deadlocks_detected
from tests.returns.conftest import new_return, paid_order, return_with, sku_line

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 4


def test_two_refunds_of_one_capture_never_take_more_than_it_holds(integration, shop):
    deadlocks = deadlocks_detected()
    for _ in range(ROUNDS):
        order = paid_order(integration, shop)  # 3500 captured
        line = sku_line(order)
        first = return_with(integration, order, [(line, 1)], status="received")
        second = return_with(integration, order, [(line, 1)], status="received")
        body = {"_refund": True, "_refund_amount_cents": 2000}
        results = all_at_once(
            [(ret["id"], integration.token, "returns", ret["id"], body) for ret in (first, second)]
        )
        assert_clean(results)
        assert sorted(code for code, _ in results.values()) == [200, 422], results
        (loser,) = [body for code, body in results.values() if code == 422]
        (error,) = loser["errors"]
        assert error["source"]["pointer"] == "/data/attributes/_refund_amount_cents"
        assert (error["title"], error["meta"]["count"]) == ("must be between 1 and 1500", 1500)
        refunds = Transaction.objects.filter(order=order, kind="refunds")
        assert [r.amount_cents for r in refunds] == [2000]
        order.refresh_from_db()
        assert (order.status, order.payment_status) == ("approved", "partially_refunded")
    assert deadlocks_detected() == deadlocks


def _post_line(token, return_id, line_item_id):
    body = {
        "data": {
            "type": "return_line_items",
            "attributes": {"quantity": 1},
            "relationships": {
                "return": rel("returns", return_id),
                "line_item": rel("line_items", line_item_id),
            },
        }
    }
    response = Client().post(
        "/api/return_line_items",
        data=json.dumps(body),
        content_type="application/vnd.api+json",
        HTTP_ACCEPT="application/vnd.api+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def test_two_returns_of_the_last_unit_never_both_get_it(integration, shop):
    deadlocks = deadlocks_detected()
    for _ in range(ROUNDS):
        order = paid_order(integration, shop, [(shop["sku"], 2)])
        line = sku_line(order)
        return_with(integration, order, [(line, 1)])  # one unit left
        returns = [new_return(integration, order) for _ in range(2)]
        results = at_once(
            {
                ret["id"]: partial(_post_line, integration.token, ret["id"], line.public_id)
                for ret in returns
            }
        )
        codes = sorted(code for code, _ in results.values())
        assert codes == [201, 422], results
        (loser,) = [body for code, body in results.values() if code == 422]
        (error,) = loser["errors"]
        assert error["source"]["pointer"] == "/data/attributes/quantity"
        assert error["meta"]["count"] == 0
        held = ReturnLineItem.objects.filter(line_item=line)
        assert sum(item.quantity for item in held) == 2
    assert deadlocks_detected() == deadlocks
