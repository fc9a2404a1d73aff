"""A write's lock reads its row within the caller's reach with SQL compiled once per shape of
token (commerce/jsonapi/rows.py): the token's markets and customer are that SQL's arguments, so
two storefronts of the same shape, one after the other, each reach their own carts only."""

import pytest

from tests.conftest import rel

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def cart(api, email):
    response = api.create("orders", {"customer_email": email})
    assert response.status_code == 201, response.json()
    return response.json()["data"]["id"]


def test_each_storefront_locks_its_own_carts_only(
    shop, eu_shop, sales_channel, other_sales_channel
):
    ours = cart(sales_channel, "us@example.com")
    theirs = cart(other_sales_channel, "eu@example.com")
    for api, own, other in (
        (sales_channel, ours, theirs),
        (other_sales_channel, theirs, ours),
        (sales_channel, ours, theirs),
    ):
        patched = api.update("orders", own, {"customer_email": "again@example.com"})
        assert patched.status_code == 200, patched.json()
        assert api.update("orders", other, {"customer_email": "x@example.com"}).status_code == 404
        # the order a new line item joins is locked within reach too
        joined = api.create(
            "line_items",
            {"sku_code": "ORD-0", "quantity": 1},
            {"order": rel("orders", other)},
        )
        assert joined.status_code == 422, joined.json()
        pointers = {e["source"]["pointer"] for e in joined.json()["errors"]}
        assert "/data/relationships/order" in pointers


def test_each_customer_locks_their_own_orders_only(shop, customer_token, market):
    ada = customer_token(market, "ada@example.com")
    bob = customer_token(market, "bob@example.com")
    adas, bobs = cart(ada, "ada@example.com"), cart(bob, "bob@example.com")
    for api, own, other in ((ada, adas, bobs), (bob, bobs, adas)):
        assert api.update("orders", own, {"reference": "mine"}).status_code == 200
        assert api.update("orders", other, {"reference": "theirs"}).status_code == 404
