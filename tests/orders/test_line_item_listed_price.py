"""A storefront's new line item reads its SKU with its price in the token's market for the
line's quantity, in one statement (markets.selectors.with_listed_price, before the order is
locked); the service takes that price only when it is for the locked order's price list and the
line's quantity, else it reads the price as before (orders.services.carts.unit_price). On both
databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Sku
from orders.models import LineItem
from orders.services import carts
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def shop(market):
    return build_shop(market, "LP", skus=2, price_cents=1250, quantity=100)


def _cart(api) -> str:
    return ok(api.create("orders", {"customer_email": "lp@example.com"}), 201)["id"]


def _add(api, order_id, code, quantity):
    return api.create(
        "line_items", {"sku_code": code, "quantity": quantity}, {"order": rel("orders", order_id)}
    )


def _price_reads(captured) -> list[str]:
    """Statements that read prices on their own (not as a column of another read)."""
    return [q["sql"] for q in captured if q["sql"].startswith('SELECT "markets_price".')]


def test_a_new_line_reads_no_price_of_its_own(sales_channel, shop):
    order_id = _cart(sales_channel)
    with CaptureQueriesContext(connection) as added:
        line = ok(_add(sales_channel, order_id, "LP-1", 3), 201)
    assert _price_reads(added.captured_queries) == []  # now: the next request clears the log
    assert len(added.captured_queries) > 0
    assert (line["attributes"]["unit_amount_cents"], line["attributes"]["total_amount_cents"]) == (
        1250,
        3750,
    )
    # Adding to it re-reads the price for the new quantity, as before.
    with CaptureQueriesContext(connection) as merged:
        line = ok(
            sales_channel.create(
                "line_items",
                {"sku_code": "LP-1", "quantity": 2, "_update_quantity": True},
                {"order": rel("orders", order_id)},
            ),
            201,
        )
    assert len(_price_reads(merged.captured_queries)) == 1
    assert line["attributes"]["total_amount_cents"] == 6250


def test_a_sku_without_a_price_on_the_orders_market_is_refused(sales_channel, market, shop):
    other = f.MarketFactory(code="elsewhere")
    unpriced = f.SkuFactory(code="LP-ELSEWHERE")
    f.PriceFactory(price_list=other.price_list, sku=unpriced, amount_cents=999)
    order_id = _cart(sales_channel)
    refused = _add(sales_channel, order_id, unpriced.code, 1)
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/sku_code"
    assert error["detail"].endswith(f"LP-ELSEWHERE has no price in market {market.code}")
    assert not LineItem.objects.filter(order__public_id=order_id).exists()


def test_a_quantity_the_serializer_refuses_is_refused_as_before(sales_channel, shop):
    order_id = _cart(sales_channel)
    for quantity in (0, 100_001, "2", 2**70):
        refused = _add(sales_channel, order_id, "LP-1", quantity)
        assert refused.status_code == 422, quantity
        pointers = [e["source"]["pointer"] for e in refused.json()["errors"]]
        assert pointers == ["/data/attributes/quantity"], quantity
    assert not LineItem.objects.filter(order__public_id=order_id).exists()


def test_a_price_listed_for_another_price_list_or_quantity_is_read_again(market, shop):
    """The order's market may have moved between the SKU's read and the order's lock."""
    other = f.MarketFactory(code="moved")
    sku = Sku.objects.get(code="LP-2")
    for listed_for in ((other.price_list_id, 2), (market.price_list_id, 3)):
        sku.listed_price_list_id, sku.listed_quantity = listed_for
        sku.listed_unit_amount_cents = 1
        assert carts.unit_price(market, sku, 2) == 1250, listed_for
    # For this price list and quantity, the price read with the SKU is the one taken.
    sku.listed_price_list_id, sku.listed_quantity = market.price_list_id, 2
    assert carts.unit_price(market, sku, 2) == 1
