"""Golden figures C2 of catalog.md (a bundle) through the HTTP API, on both databases: a market of
its own (one stock location, 8.25 % excluded with freight taxable, shipping 700), the bundle made
and priced as an operator would, the cart built and placed as a client would; every figure
checked in its cents, float and formatted forms."""

import pytest

from catalog.models import SkuList, SkuListItem
from inventory.models import StockItem
from tests.conftest import rel
from tests.scenarios.test_catalog_golden import _address_and_pay, _order
from tests.scenarios.test_golden_figures import _assert_figures, _market, _sku

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _stock(sku, quantity):
    StockItem.objects.filter(sku=sku).update(quantity=quantity)


def _on_hand(sku) -> int:
    return StockItem.objects.get(sku=sku).quantity


def _kit(api, market):
    """A 1500 x1 + B 800 x2, stock A 10 and B 7; the bundle's price computed, then set."""
    a, b = _sku(market, 1500), _sku(market, 800)
    _stock(a, 10)
    _stock(b, 7)
    kit = SkuList.objects.create(name="Kit")
    SkuListItem.objects.create(sku_list=kit, sku=a, position=1, quantity=1)
    SkuListItem.objects.create(sku_list=kit, sku=b, position=2, quantity=2)
    created = api.create(
        "bundles",
        {
            "code": "KIT",
            "name": "A and two B",
            "_compute_price_amount": True,
            "_compute_compare_at_amount": True,
        },
        {"market": rel("markets", market.public_id), "sku_list": rel("sku_lists", kit.public_id)},
    )
    assert created.status_code == 201, created.json()
    computed = created.json()["data"]
    _assert_figures(
        computed["attributes"], "USD", {"price_amount": 3100, "compare_at_amount": 3100}
    )
    priced = api.update("bundles", computed["id"], {"price_amount_cents": 2500})
    assert priced.status_code == 200, priced.json()
    _assert_figures(priced.json()["data"]["attributes"], "USD", {"price_amount": 2500})
    return a, b


def _cart(api, market, bundles):
    order = api.create(
        "orders",
        {"customer_email": "golden@example.com"},
        {"market": rel("markets", market.public_id)},
    )
    order_id = order.json()["data"]["id"]
    line = api.create(
        "line_items",
        {"bundle_code": "KIT", "quantity": bundles},
        {"order": rel("orders", order_id)},
    )
    assert line.status_code == 201, line.json()
    _address_and_pay(api, market, order_id)
    return order_id, line.json()["data"]["id"]


def test_c2_bundle_tax_excluded(integration):
    market = _market("USD", tax_included=False, rate="0.0825", shipping_cents=700)
    a, b = _kit(integration, market)

    order_id, line_id = _cart(integration, market, 4)
    refused = integration.update("orders", order_id, {"_place": True})
    assert refused.status_code == 422, refused.json()
    (error,) = refused.json()["errors"]
    assert error["source"] == {"pointer": "/data/relationships/line_items"}
    assert error["detail"] == "line_items - KIT: 4 requested, 3 available"
    assert _order(integration, order_id)["status"] == "pending"

    fewer = integration.update("line_items", line_id, {"quantity": 3})
    assert fewer.status_code == 200, fewer.json()
    placed = integration.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    _assert_figures(
        placed.json()["data"]["attributes"],
        "USD",
        {
            "subtotal_amount": 7500,
            "shipping_amount": 700,
            "subtotal_tax_amount": 619,
            "shipping_tax_amount": 58,
            "total_tax_amount": 677,
            "total_amount": 8200,
            "total_amount_with_taxes": 8877,
        },
    )
    assert (_on_hand(a), _on_hand(b)) == (10, 7)  # reserved, not taken yet

    approved = integration.update("orders", order_id, {"_approve": True})
    assert approved.status_code == 200, approved.json()
    assert (_on_hand(a), _on_hand(b)) == (7, 1)
