"""Two (or more) `_place` PATCHes of one order at the same moment (PostgreSQL only): exactly
one places it, every other gets a 422 on `status` ("already placed") — never a 500 or a
deadlock — and the stock is reserved and authorized once.

Each thread has its own database connection and goes through the HTTP API, as retrying
storefronts do. SQLite serialises every write, so it can't show the race."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from inventory.models import StockReservation
from orders.models import Order, Transaction
from tests.shop import make_cart

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

ROUNDS = 10
THREADS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


def place_at_once(order_id, token, threads):
    results = []
    barrier = threading.Barrier(threads)
    body = json.dumps({"data": {"type": "orders", "id": order_id, "attributes": {"_place": True}}})

    def place():
        try:
            barrier.wait()
            response = Client().patch(
                f"/api/orders/{order_id}",
                data=body,
                content_type="application/vnd.api+json",
                HTTP_ACCEPT="application/vnd.api+json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    workers = [threading.Thread(target=place) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return results


def test_concurrent_place_of_one_order_places_it_once(shop, sales_channel, capsys):
    codes = Counter()
    for _ in range(ROUNDS):
        order = make_cart(shop, [(shop["sku"], 3)])
        results = place_at_once(order.public_id, sales_channel.token, THREADS)
        assert len(results) == THREADS
        round_codes = Counter(code for code, _ in results)
        assert round_codes == {200: 1, 422: THREADS - 1}, results
        for code, body in results:
            if code == 422:
                error = body["errors"][0]
                assert error["source"]["pointer"] == "/data/attributes/status", body
                assert error["code"] == "VALIDATION_ERROR"
        order.refresh_from_db()
        assert (order.status, order.payment_status) == ("placed", "authorized")
        reserved = StockReservation.objects.filter(stock_line_item__shipment__order=order)
        assert sum(r.quantity for r in reserved) == 3
        authorizations = Transaction.objects.filter(order=order, kind="authorizations")
        assert [a.amount_cents for a in authorizations] == [order.total_amount_with_taxes_cents]
        codes.update(round_codes)
    # The shop's stock item holds exactly one reservation of 3 per round, nothing more.
    held = StockReservation.objects.filter(stock_item=shop["stock_item"])
    assert sum(r.quantity for r in held) == 3 * ROUNDS
    assert Order.objects.filter(status="placed").count() == ROUNDS
    with capsys.disabled():
        print(f"\nconcurrent _place of one order: {ROUNDS} rounds x {THREADS}: {dict(codes)}")
