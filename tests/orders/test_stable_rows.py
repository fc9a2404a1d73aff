"""Rows a cart recomputes keep their ids while they still apply: a client holding a shipment's
line item or a stock line item is not surprised by a new id after an unrelated change, and an
unchanged row is not rewritten."""

import pytest

from orders.models import LineItem, StockLineItem
from tests import factories as f
from tests.conftest import rel
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def system_lines(order) -> dict:
    return dict(
        LineItem.objects.filter(order=order)
        .exclude(item_type="skus")
        .values_list("item_type", "public_id")
    )


def stock_lines(order) -> dict:
    return dict(
        StockLineItem.objects.filter(shipment__order=order).values_list("sku_code", "public_id")
    )


def test_system_and_stock_line_items_keep_their_ids_while_they_apply(sales_channel, shop):
    order = make_cart(shop)
    lines_before, stock_before = system_lines(order), stock_lines(order)
    assert set(lines_before) == {"shipments", "payment_methods"}
    assert set(stock_before) == {"ORD-1"}

    # Another SKU: a new stock line item; the first one and the system lines stay.
    other = f.SkuFactory(code="ORD-2", shipping_category=shop["sku"].shipping_category)
    f.PriceFactory(price_list=shop["market"].price_list, sku=other, amount_cents=700)
    f.StockItemFactory(stock_location=shop["location"], sku=other, quantity=5)
    ok(
        sales_channel.create(
            "line_items",
            {"sku_code": "ORD-2", "quantity": 1},
            {"order": rel("orders", order.public_id)},
        ),
        201,
    )
    stock_after = stock_lines(order)
    assert stock_after["ORD-1"] == stock_before["ORD-1"]
    assert set(stock_after) == {"ORD-1", "ORD-2"}
    assert system_lines(order) == lines_before

    # A new payment method: its line item is replaced; the shipment's stays.
    cheaper = f.PaymentMethodFactory(market=shop["market"], price_amount_cents=0)
    ok(
        sales_channel.update(
            "orders",
            order.public_id,
            relationships={"payment_method": rel("payment_methods", cheaper.public_id)},
        )
    )
    after = system_lines(order)
    assert after["shipments"] == lines_before["shipments"]
    assert after["payment_methods"] != lines_before["payment_methods"]
    payment_line = LineItem.objects.get(order=order, item_type="payment_methods")
    assert payment_line.payment_method_id == cheaper.pk

    # Removing the second SKU drops its stock line item only.
    second = LineItem.objects.get(order=order, sku_code="ORD-2")
    assert sales_channel.delete(f"/api/line_items/{second.public_id}").status_code == 204
    assert stock_lines(order) == {"ORD-1": stock_before["ORD-1"]}
