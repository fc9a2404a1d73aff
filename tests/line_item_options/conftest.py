"""A shop selling one SKU at 30.00 (catalog.md golden C10), SKU options to put on its lines, and
the calls that add, change and remove them over HTTP."""

import pytest

from markets.models import SkuOption
from orders.models import LineItem, Order
from tests.conftest import rel
from tests.shop import build_shop, make_cart


@pytest.fixture
def shop(market):
    # 30.00 a unit, no tax, free shipping: figures are the lines' alone.
    return build_shop(market, "OPT", price_cents=3000, shipping_cents=0)


@pytest.fixture
def cart(shop) -> Order:
    """A guest cart, pending: 2 x OPT-1 at 30.00."""
    return make_cart(shop)


@pytest.fixture
def engraving(market) -> SkuOption:
    """5.00 a unit, for the OPT SKUs of the market, 2 days late."""
    return sku_option(market=market, sku_code_regex="^OPT-", delay_hours=48)


def sku_option(**fields) -> SkuOption:
    fields = {"name": "Engraving", "price_amount_cents": 500, **fields}
    return SkuOption.objects.create(**fields)


def sku_line(order: Order) -> LineItem:
    return LineItem.objects.get(order=order, item_type="skus")


def add_option(api, line: LineItem, option: SkuOption, quantity=2, **attributes):
    return api.create(
        "line_item_options",
        {"quantity": quantity, "options": {"text": "Ada"}, **attributes},
        {
            "line_item": rel("line_items", line.public_id),
            "sku_option": rel("sku_options", option.public_id),
        },
    )
