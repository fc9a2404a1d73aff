"""A sku line's unit price follows its price's volume tiers (catalog.md "Price volume tiers"):
the tier with the smallest `up_to` >= the line's quantity, past them all the `up_to` null one,
else the price's amount; re-read as the quantity changes (create, update, `_update_quantity`,
market change) until placing, in the one read of the price (no statement more); an integration
token's own `unit_amount_cents` is kept. Golden case C1 over HTTP, on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import LineItem
from tests import factories as f
from tests.catalog.conftest import PriceVolumeTierFactory
from tests.conftest import rel
from tests.shop import build_shop, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

C1_TIERS = ((9, 1000), (49, 900), (None, 800))


@pytest.fixture
def shop(market):
    """C1: a SKU at 1000 (USD, no tax) with tiers up to 9: 1000, 49: 900, past them: 800."""
    shop = build_shop(market, "C1", price_cents=1000, quantity=1000)
    price = shop["sku"].prices.get()
    for up_to, cents in C1_TIERS:
        PriceVolumeTierFactory(price=price, up_to=up_to, price_amount_cents=cents)
    return shop


def _cart(api, market=None):
    """A cart (in `market`: an integration token names it)."""
    relationships = {"market": rel("markets", market.public_id)} if market else {}
    return ok(api.create("orders", {"customer_email": "c1@example.com"}, relationships), 201)["id"]


def _add(api, order_id, sku, quantity, **attributes):
    return api.create(
        "line_items",
        {"sku_code": sku.code, "quantity": quantity, **attributes},
        {"order": rel("orders", order_id)},
    )


def _figures(line: dict) -> tuple[int, int]:
    attributes = line["attributes"]
    return attributes["unit_amount_cents"], attributes["total_amount_cents"]


def test_golden_c1_the_unit_follows_the_quantity(sales_channel, shop):
    order_id = _cart(sales_channel)
    line = ok(_add(sales_channel, order_id, shop["sku"], 9), 201)
    assert _figures(line) == (1000, 9000)
    for quantity, expected in ((10, (900, 9000)), (50, (800, 40000)), (49, (900, 44100))):
        line = ok(sales_channel.update("line_items", line["id"], {"quantity": quantity}))
        assert _figures(line) == expected, quantity
    order = ok(sales_channel.get(f"/api/orders/{order_id}"))
    assert order["attributes"]["subtotal_amount_cents"] == 44100


def test_a_price_without_tiers_is_the_unit_at_any_quantity(sales_channel, market, shop):
    plain = f.SkuFactory(code="PLAIN")
    f.PriceFactory(price_list=market.price_list, sku=plain, amount_cents=1234)
    f.StockItemFactory(stock_location=shop["location"], sku=plain, quantity=100)
    order_id = _cart(sales_channel)
    line = ok(_add(sales_channel, order_id, plain, 60), 201)
    assert _figures(line) == (1234, 1234 * 60)
    line = ok(sales_channel.update("line_items", line["id"], {"quantity": 2}))
    assert _figures(line) == (1234, 2468)


def test_without_a_tier_past_them_all_the_price_amount_is_the_unit(sales_channel, shop):
    shop["sku"].prices.get().volume_tiers.filter(up_to=None).delete()
    order_id = _cart(sales_channel)
    line = ok(_add(sales_channel, order_id, shop["sku"], 50), 201)
    assert _figures(line) == (1000, 50000)
    line = ok(sales_channel.update("line_items", line["id"], {"quantity": 20}))
    assert _figures(line) == (900, 18000)


def test_adding_to_a_line_reprices_it(sales_channel, shop):
    order_id = _cart(sales_channel)
    ok(_add(sales_channel, order_id, shop["sku"], 5), 201)
    line = ok(_add(sales_channel, order_id, shop["sku"], 5, _update_quantity=True), 201)
    assert line["attributes"]["quantity"] == 10
    assert _figures(line) == (900, 9000)


def test_an_integration_tokens_own_unit_is_kept(integration, market, shop):
    order_id = _cart(integration, market)
    line = ok(_add(integration, order_id, shop["sku"], 9, unit_amount_cents=700), 201)
    assert _figures(line) == (700, 6300)
    # A later quantity change keeps it: the line's unit is not what its price gave.
    line = ok(integration.update("line_items", line["id"], {"quantity": 10}))
    assert _figures(line) == (700, 7000)
    # Sent with a quantity, it is the unit.
    line = ok(
        integration.update("line_items", line["id"], {"quantity": 50, "unit_amount_cents": 1})
    )
    assert _figures(line) == (1, 50)
    # A line that follows its price follows the tiers.
    other = ok(_add(integration, order_id, shop["sku"], 9), 201)
    other = ok(integration.update("line_items", other["id"], {"quantity": 10}))
    assert _figures(other) == (900, 9000)


def test_a_market_change_reprices_each_line_at_its_quantity(integration, market, shop):
    order_id = _cart(integration, market)
    line = ok(_add(integration, order_id, shop["sku"], 10), 201)
    assert _figures(line) == (900, 9000)
    other = f.MarketFactory(code="usa2", price_list__currency_code="USD")
    f.InventoryStockLocationFactory(
        inventory_model=other.inventory_model, stock_location=shop["location"], priority=1
    )
    price = f.PriceFactory(price_list=other.price_list, sku=shop["sku"], amount_cents=2000)
    PriceVolumeTierFactory(price=price, up_to=10, price_amount_cents=1500)
    ok(
        integration.update(
            "orders", order_id, relationships={"market": rel("markets", other.public_id)}
        )
    )
    assert LineItem.objects.get(public_id=line["id"]).unit_amount_cents == 1500


def test_tiers_cost_no_statement_on_the_checkout(sales_channel, market, shop):
    """The tier is picked in the price's one read: adding a line of a SKU with tiers, and adding
    to it, cost what they cost for a SKU without them."""
    plain = f.SkuFactory(code="PLAIN")
    f.PriceFactory(price_list=market.price_list, sku=plain, amount_cents=1000)
    f.StockItemFactory(stock_location=shop["location"], sku=plain, quantity=100)
    first = f.SkuFactory(code="FIRST")
    f.PriceFactory(price_list=market.price_list, sku=first, amount_cents=100)
    f.StockItemFactory(stock_location=shop["location"], sku=first, quantity=100)
    counts = {}
    for sku in (plain, shop["sku"], plain, shop["sku"]):  # twice: the first compiles reads
        order_id = _cart(sales_channel)
        ok(_add(sales_channel, order_id, first, 1), 201)
        with CaptureQueriesContext(connection) as added:
            ok(_add(sales_channel, order_id, sku, 1), 201)
        with CaptureQueriesContext(connection) as merged:
            line = ok(_add(sales_channel, order_id, sku, 20, _update_quantity=True), 201)
        counts[sku.code] = (len(added.captured_queries), len(merged.captured_queries))
    assert _figures(line) == (900, 18900)
    assert counts["PLAIN"] == counts["C1-1"]
