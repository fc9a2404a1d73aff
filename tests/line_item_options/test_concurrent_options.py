"""Options written at the same moment as each other and as the order's `_place` (PostgreSQL
only): every option write takes the order's row lock first, then reads its line or option again,
so they queue. No deadlock, each client gets a 2xx or a 422 (once placed), and the line's
`options_amount` is the sum of the options that exist, in the placed figures."""

import json
from functools import partial

import pytest
from django.test import Client

from orders.models import LineItemOption, Order
from tests.conftest import rel
from tests.inventory.racing import at_once, deadlocks_detected, patch
from tests.line_item_options.conftest import sku_line, sku_option
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]

ROUNDS = 5


def post_option(token, line_id, option_id, quantity):
    body = {
        "data": {
            "type": "line_item_options",
            "attributes": {"quantity": quantity, "options": {}},
            "relationships": {
                "line_item": rel("line_items", line_id),
                "sku_option": rel("sku_options", option_id),
            },
        }
    }
    response = Client().post(
        "/api/line_item_options",
        data=json.dumps(body),
        content_type="application/vnd.api+json",
        HTTP_ACCEPT="application/vnd.api+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, response.json()


def test_option_writes_queue_behind_each_other_and_place(shop, sales_channel, engraving):
    token = sales_channel.token
    deadlocks_before = deadlocks_detected()
    wrap = sku_option(name="Wrap", price_amount_cents=300)
    for _ in range(ROUNDS):
        order = make_cart(shop)
        line = sku_line(order)
        first = post_option(token, line.public_id, engraving.public_id, 1)
        assert first[0] == 201, first
        results = at_once(
            {
                "place": partial(patch, token, "orders", order.public_id, {"_place": True}),
                "engraving": partial(
                    patch, token, "line_item_options", first[1]["data"]["id"], {"quantity": 3}
                ),
                "wrap": partial(post_option, token, line.public_id, wrap.public_id, 2),
                "more wrap": partial(post_option, token, line.public_id, wrap.public_id, 1),
            }
        )
        for key, (status, body) in results.items():
            assert status in (200, 201, 422), (key, status, body)
            assert "deadlock" not in json.dumps(body).lower(), (key, body)
        assert results["place"][0] == 200, results["place"]
        line.refresh_from_db()
        options = LineItemOption.objects.filter(line_item=line)
        totals = sum(o.total_amount_cents for o in options)
        assert line.options_amount_cents == totals
        assert line.total_amount_cents == 2 * 3000 + totals
        assert Order.objects.get(pk=order.pk).subtotal_amount_cents == 6000 + totals
    assert deadlocks_detected() - deadlocks_before == 0
