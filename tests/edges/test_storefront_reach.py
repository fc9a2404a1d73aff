"""Storefront tokens can't reach through filters or includes what they could not fetch."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_filter_may_not_walk_into_stock_a_sales_channel_cannot_read(sales_channel, integration):
    sku = f.SkuFactory()
    f.StockItemFactory(sku=sku, quantity=7)
    query = "/api/skus?filter[q][stock_items_quantity_gt]=5"
    assert integration.get(query).json()["meta"]["record_count"] == 1
    refused = sales_channel.get(query)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "FILTER_NOT_ALLOWED"


def test_polymorphic_includes_without_a_scope_are_refused_to_storefronts(sales_channel, market):
    method = f.PaymentMethodFactory(market=market)
    url = f"/api/payment_methods/{method.public_id}?include=payment_gateway"
    refused = sales_channel.get(url)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_INCLUDE"
    assert sales_channel.get(f"/api/payment_methods/{method.public_id}").status_code == 200
