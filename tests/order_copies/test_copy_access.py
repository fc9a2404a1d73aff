"""Who may copy what (aftersale.md §6): integration tokens everything; sales channels nothing
(401); a customer its own orders, without `place_target_order`/`cancel_source_order` (400
PARAM_NOT_ALLOWED); another customer's order or copy is not found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import OrderCopy
from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.order_copies.conftest import customer_of, request_copy, run_worker
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def ada(market, customer_token):
    return customer_token(market, "ada@example.com")


@pytest.fixture
def eve(market, customer_token):
    return customer_token(market, "eve@example.com")


def cart_of(shop, email):
    return make_cart(shop, customer=customer_of(email))


def errors(response, status):
    assert response.status_code == status, response.json()
    return response.json()["errors"]


def test_integration_tokens_do_everything(integration, shop):
    source = make_cart(shop)
    made = request_copy(integration, source, reference="reorder-1")
    assert [c["id"] for c in ok(integration.get("/api/order_copies"))] == [made["id"]]
    updated = integration.update("order_copies", made["id"], {"metadata": {"why": "lost"}})
    assert ok(updated)["attributes"]["metadata"] == {"why": "lost"}
    # The options are the create's only.
    refused = errors(integration.update("order_copies", made["id"], {"skip_errors": True}), 400)
    assert refused[0]["source"]["pointer"] == "/data/attributes/skip_errors"
    assert integration.delete(f"/api/order_copies/{made['id']}").status_code == 204
    assert run_worker() == 1  # the task finds no copy: nothing made
    assert not OrderCopy.objects.exists()


def test_sales_channels_may_not(sales_channel, shop):
    source = make_cart(shop)
    assert_unauthorized(sales_channel.get("/api/order_copies"))
    assert_unauthorized(
        sales_channel.create("order_copies", {}, {"source_order": rel("orders", source.public_id)})
    )
    assert not OrderCopy.objects.exists()


def test_a_customer_copies_its_own_orders(ada, shop):
    source = cart_of(shop, "ada@example.com")
    made = request_copy(ada, source, apply_promotions=True, skip_errors=True)
    assert run_worker() == 1
    polled = ok(ada.get(f"/api/order_copies/{made['id']}?include=target_order"))
    assert polled["attributes"]["status"] == "completed"
    target_id = polled["relationships"]["target_order"]["data"]["id"]
    # The target is the customer's own cart, which it reaches and may go on with.
    target = ok(ada.get(f"/api/orders/{target_id}"))
    assert target["attributes"]["status"] == "pending"
    assert [c["id"] for c in ok(ada.get("/api/order_copies"))] == [made["id"]]
    url = f"/api/order_copies?filter[q][source_order_id_eq]={source.public_id}"
    assert [c["id"] for c in ok(ada.get(url))] == [made["id"]]


@pytest.mark.parametrize("option", ["place_target_order", "cancel_source_order"])
def test_a_customer_may_not_place_or_cancel(ada, shop, option):
    source = cart_of(shop, "ada@example.com")
    for value in (True, False):
        refused = errors(
            ada.create(
                "order_copies", {option: value}, {"source_order": rel("orders", source.public_id)}
            ),
            400,
        )
        assert refused[0]["code"] == "PARAM_NOT_ALLOWED"
        assert refused[0]["source"]["pointer"] == f"/data/attributes/{option}"
    assert not OrderCopy.objects.exists()


def test_another_customers_order_or_copy_is_not_found(ada, eve, shop, integration):
    eves = cart_of(shop, "eve@example.com")
    refused = errors(
        ada.create("order_copies", {}, {"source_order": rel("orders", eves.public_id)}), 422
    )
    assert refused[0]["source"]["pointer"] == "/data/relationships/source_order"
    assert "not found" in refused[0]["detail"]

    guest = make_cart(shop)  # nor a guest order
    errors(ada.create("order_copies", {}, {"source_order": rel("orders", guest.public_id)}), 422)

    made = request_copy(eve, eves)
    assert_not_found(ada.get(f"/api/order_copies/{made['id']}"))
    assert ok(ada.get("/api/order_copies")) == []
    # Nor what only an operator does.
    assert_unauthorized(ada.update("order_copies", made["id"], {"metadata": {"x": 1}}))
    assert_unauthorized(ada.delete(f"/api/order_copies/{made['id']}"))
    # The back office sees them all.
    assert [c["id"] for c in ok(integration.get("/api/order_copies"))] == [made["id"]]


def test_a_list_costs_the_same_whatever_its_length(integration, shop):
    """No query per row, pinned: a page of copies is the token, the page and its count (3);
    with their orders included, one query more for each relationship (5)."""

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            ok(integration.get(url))
        return len(queries)

    source = make_cart(shop)
    urls = ["/api/order_copies", "/api/order_copies?include=source_order,target_order"]
    for copies in (1, 4):
        while OrderCopy.objects.count() < copies:
            request_copy(integration, source)
        run_worker()
        assert [cost(url) for url in urls] == [3, 5], copies
