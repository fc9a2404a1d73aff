"""The golden figures of orders.md, reproduced through the HTTP API: each case in a market of
its own, the order built and placed as a client would, every figure checked in its cents, float
and formatted forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce import money
from markets.models import (
    Coupon,
    CouponCodesPromotionRule,
    ManualTaxCalculator,
    PercentageDiscountPromotion,
    TaxRule,
)
from tests import factories as f
from tests.conftest import rel

pytestmark = pytest.mark.django_db


def _market(currency, *, tax_included, rate, shipping_cents, freight_taxable=True):
    market = f.MarketFactory(
        price_list__currency_code=currency, price_list__tax_included=tax_included
    )
    f.InventoryStockLocationFactory(inventory_model=market.inventory_model, priority=1)
    if rate is not None:
        calculator = ManualTaxCalculator.objects.create(name=f"{currency} taxes")
        TaxRule.objects.create(
            manual_tax_calculator=calculator,
            name="all",
            tax_rate=rate,
            freight_taxable=freight_taxable,
        )
        market.tax_calculator = calculator
        market.save()
    f.ShippingMethodFactory(market=market, price_amount_cents=shipping_cents)
    f.PaymentMethodFactory(market=market)
    return market


def _sku(market, unit_cents):
    """A SKU priced in the market; all of a case's SKUs share one shipping category, so the
    case's order ships as one shipment at the case's shipping price."""
    from inventory.models import ShippingCategory

    location = market.inventory_model.inventory_stock_locations.get().stock_location
    category, _ = ShippingCategory.objects.get_or_create(code="golden", defaults={"name": "Golden"})
    sku = f.SkuFactory(shipping_category=category)
    f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=unit_cents)
    f.StockItemFactory(stock_location=location, sku=sku, quantity=1000)
    return sku


def _coupon(market, code, percentage):
    now = timezone.now()
    promotion = PercentageDiscountPromotion.objects.create(
        name=code,
        market=market,
        percentage=percentage,
        starts_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=30),
    )
    rule = CouponCodesPromotionRule.objects.create(promotion=promotion)
    Coupon.objects.create(code=code, promotion_rule=rule)


def _place(api, market, lines, coupon=None):
    order = api.create(
        "orders",
        {"customer_email": "golden@example.com"},
        {"market": rel("markets", market.public_id)},
    )
    assert order.status_code == 201, order.json()
    order_id = order.json()["data"]["id"]
    for sku, quantity in lines:
        response = api.create(
            "line_items",
            {"sku_code": sku.code, "quantity": quantity},
            {"order": rel("orders", order_id)},
        )
        assert response.status_code == 201, response.json()
    address = api.create(
        "addresses",
        {"line_1": "Via Roma 1", "city": "Milano", "country_code": "IT", "phone": "+39 02 000"},
    )
    address_id = address.json()["data"]["id"]
    method = market.payment_methods.get()
    attributes = {"coupon_code": coupon} if coupon else {}
    patched = api.update(
        "orders",
        order_id,
        attributes,
        {
            "billing_address": rel("addresses", address_id),
            "shipping_address": rel("addresses", address_id),
            "payment_method": rel("payment_methods", method.public_id),
        },
    )
    assert patched.status_code == 200, patched.json()
    api.create("wire_transfers", relationships={"order": rel("orders", order_id)})
    placed = api.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    return placed.json()["data"]["attributes"]


def _assert_figures(attributes, currency, expected):
    for name, cents in expected.items():
        assert attributes[f"{name}_cents"] == cents, name
        assert attributes[f"{name}_float"] == money.to_float(cents, currency), name
        assert attributes[f"formatted_{name}"] == money.format_amount(cents, currency), name


def test_case_002_commerce_layer_tax_included_eur(integration):
    market = _market("EUR", tax_included=True, rate="0.22", shipping_cents=1200)
    _coupon(market, "TENOFF-10", 10)
    attributes = _place(integration, market, [(_sku(market, 2500), 2)], coupon="TENOFF-10")
    _assert_figures(
        attributes,
        "EUR",
        {
            "subtotal_amount": 5000,
            "shipping_amount": 1200,
            "discount_amount": -500,
            "subtotal_tax_amount": 902,
            "shipping_tax_amount": 216,
            "discount_tax_amount": -90,
            "total_tax_amount": 1028,
            "subtotal_taxable_amount": 4098,
            "shipping_taxable_amount": 984,
            "discount_taxable_amount": -410,
            "total_taxable_amount": 4672,
            "total_amount": 5700,
            "total_amount_with_taxes": 5700,
        },
    )
    assert attributes["formatted_total_amount_with_taxes"] == "€57,00"
    assert attributes["formatted_discount_amount"] == "-€5,00"
    assert attributes["formatted_total_tax_amount"] == "€10,28"


def test_case_000_magento_usd_without_tax(integration):
    market = _market("USD", tax_included=False, rate=None, shipping_cents=30000)
    _coupon(market, "TWENTY-20", 20)
    lines = [(_sku(market, 3600), 20), (_sku(market, 3200), 40), (_sku(market, 2200), 1)]
    attributes = _place(integration, market, lines, coupon="TWENTY-20")
    _assert_figures(
        attributes,
        "USD",
        {
            "subtotal_amount": 202200,
            "discount_amount": -40440,
            "shipping_amount": 30000,
            "total_tax_amount": 0,
            "total_amount": 191760,
            "total_amount_with_taxes": 191760,
        },
    )
    assert attributes["formatted_total_amount"] == "$1,917.60"


def test_case_003_bigcommerce_tax_excluded(integration):
    market = _market("USD", tax_included=False, rate="0.0825", shipping_cents=0)
    attributes = _place(integration, market, [(_sku(market, 1000), 1)])
    _assert_figures(
        attributes,
        "USD",
        {
            "subtotal_amount": 1000,
            "shipping_amount": 0,
            "total_tax_amount": 83,
            "total_amount": 1000,
            "total_amount_with_taxes": 1083,
        },
    )


def test_case_004_epages_tax_included_full_coupon(integration):
    market = _market("EUR", tax_included=True, rate="0.19", shipping_cents=1037)
    _coupon(market, "ALLFREE-100", 100)
    attributes = _place(integration, market, [(_sku(market, 1299), 2)], coupon="ALLFREE-100")
    _assert_figures(
        attributes,
        "EUR",
        {
            "subtotal_amount": 2598,
            "discount_amount": -2598,
            "shipping_amount": 1037,
            "total_amount": 1037,
            "total_tax_amount": 166,
            "total_taxable_amount": 871,
            "total_amount_with_taxes": 1037,
        },
    )
