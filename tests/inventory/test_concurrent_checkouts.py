"""Never oversell: concurrent `_place` requests compete for the last units (PostgreSQL only).

Each thread has its own database connection (Django opens one per thread) and places orders
through the HTTP API, as storefronts do. SQLite serialises every write, so it can't show the
race: these tests need PostgreSQL and say so when skipped.
"""

import json
import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from inventory.models import StockItem, StockReservation
from orders.services.totals import refresh_order
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]

THREADS = 8


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


@pytest.fixture
def shop(market, sales_channel):
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    skus = [f.SkuFactory() for _ in range(2)]
    for sku in skus:
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=1000)
    f.ShippingMethodFactory(market=market, price_amount_cents=500)
    method = f.PaymentMethodFactory(market=market)
    return {
        "market": market,
        "location": location,
        "skus": skus,
        "method": method,
        "token": sales_channel.token,
    }


def _pending_order(shop, lines) -> str:
    """A cart ready to place: built with factories, its figures and shipments computed once by
    the same service the API uses."""
    address = f.AddressFactory()
    order = f.OrderFactory(
        market=shop["market"],
        customer_email="racer@example.com",
        billing_address=address,
        shipping_address=address,
        payment_method=shop["method"],
    )
    for sku, quantity in lines:
        f.LineItemFactory(order=order, sku=sku, quantity=quantity, unit_amount_cents=1000)
    order.payment_source = f.PaymentSourceFactory(order=order)
    order.save()
    refresh_order(order)
    return order.public_id


def _place_all(order_ids, token):
    """PATCH `_place` on every order from THREADS threads at once; returns the statuses."""
    statuses = {}
    barrier = threading.Barrier(len(order_ids))

    def place(order_id):
        client = Client()
        body = json.dumps(
            {"data": {"type": "orders", "id": order_id, "attributes": {"_place": True}}}
        )
        barrier.wait()
        try:
            response = client.patch(
                f"/api/orders/{order_id}",
                data=body,
                content_type="application/vnd.api+json",
                HTTP_ACCEPT="application/vnd.api+json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            statuses[order_id] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(oid,)) for oid in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def _reserved(stock_item):
    return (
        StockReservation.objects.filter(stock_item=stock_item).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )


def test_concurrent_place_never_oversells(shop, capsys):
    rng = random.Random(20261123)
    sku = shop["skus"][0]
    item = f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=0)
    figures = Counter()
    for _ in range(20):
        on_hand = rng.randint(1, 6)
        StockItem.objects.filter(pk=item.pk).update(quantity=on_hand)
        StockReservation.objects.filter(stock_item=item).delete()
        quantities = [rng.randint(1, 2) for _ in range(THREADS)]
        ids = [_pending_order(shop, [(sku, q)]) for q in quantities]
        results = _place_all(ids, shop["token"])
        codes = Counter(code for code, _ in results.values())
        assert set(codes) <= {200, 422}, results
        placed = [oid for oid, (code, _) in results.items() if code == 200]
        reserved = _reserved(item)
        wanted = dict(zip(ids, quantities, strict=True))
        assert reserved == sum(wanted[oid] for oid in placed)
        assert reserved <= on_hand
        # Whoever lost saw a 422 naming the line, never a server or deadlock error.
        for oid, (code, body) in results.items():
            if code == 422:
                assert body["errors"][0]["source"]["pointer"] == "/data/relationships/line_items"
                # ...and only because what was left could not cover it.
                assert wanted[oid] > on_hand - reserved
        figures.update(
            rounds=1, tried=len(ids), placed=len(placed), reserved=reserved, on_hand=on_hand
        )
    with capsys.disabled():
        print(f"\nconcurrency (1 SKU): {dict(figures)}")
    assert figures["placed"] > 0


def test_concurrent_place_across_skus_in_opposite_orders_never_deadlocks(shop, capsys):
    rng = random.Random(7)
    first, second = shop["skus"]
    items = [
        f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=0)
        for sku in (first, second)
    ]
    figures = Counter()
    for _ in range(20):
        on_hand = rng.randint(2, 6)
        for item in items:
            StockItem.objects.filter(pk=item.pk).update(quantity=on_hand)
            StockReservation.objects.filter(stock_item=item).delete()
        ids = []
        for index in range(THREADS):
            lines = [(first, 1), (second, 1)] if index % 2 else [(second, 1), (first, 1)]
            ids.append(_pending_order(shop, lines))
        results = _place_all(ids, shop["token"])
        codes = Counter(code for code, _ in results.values())
        assert set(codes) <= {200, 422}, results
        assert codes[200] == min(on_hand, THREADS)
        for item in items:
            assert _reserved(item) == codes[200] <= on_hand
        figures.update(rounds=1, tried=len(ids), placed=codes[200])
    with capsys.disabled():
        print(f"\nconcurrency (2 SKUs, opposite orders): {dict(figures)}")
