"""Golden figures C3-C8 of catalog.md through the HTTP API, on both databases: each case in a
market of its own (one stock location, 1000 of each SKU, a shipping method at the case's price,
no free-over), the cart built as a client would, the promotions and SKU lists set up as an
operator would have; every figure checked in its cents, float and formatted forms. C1 (volume
tiers) and C10 (options) are in tests/catalog and tests/line_item_options."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import SkuList, SkuListItem
from markets.models import OrderAmountPromotionRule, Promotion, SkuListPromotionRule
from orders.models import LineItem
from tests.conftest import rel
from tests.scenarios.test_golden_figures import _assert_figures, _market, _sku

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _promotion(market, kind, **values) -> Promotion:
    now = timezone.now()
    return Promotion.objects.create(
        kind=kind,
        name=values.pop("name", kind),
        market=market,
        starts_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=30),
        **values,
    )


def _list(*skus, regex=None) -> SkuList:
    sku_list = SkuList.objects.create(name="golden list", sku_code_regex=regex)
    for position, sku in enumerate(skus, start=1):
        SkuListItem.objects.create(sku_list=sku_list, sku=sku, position=position)
    return sku_list


def _cart(api, market, lines):
    order = api.create(
        "orders",
        {"customer_email": "golden@example.com"},
        {"market": rel("markets", market.public_id)},
    )
    order_id = order.json()["data"]["id"]
    line_ids = {}
    for sku, quantity in lines:
        line_ids[sku.code] = _add(api, order_id, sku, quantity)
    return order_id, line_ids


def _add(api, order_id, sku, quantity):
    response = api.create(
        "line_items",
        {"sku_code": sku.code, "quantity": quantity},
        {"order": rel("orders", order_id)},
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]["id"]


def _address_and_pay(api, market, order_id):
    address = api.create(
        "addresses",
        {"line_1": "Via Roma 1", "city": "Milano", "country_code": "IT", "phone": "+39 02 000"},
    ).json()["data"]["id"]
    patched = api.update(
        "orders",
        order_id,
        {},
        {
            "billing_address": rel("addresses", address),
            "shipping_address": rel("addresses", address),
            "payment_method": rel("payment_methods", market.payment_methods.get().public_id),
        },
    )
    assert patched.status_code == 200, patched.json()
    api.create("wire_transfers", relationships={"order": rel("orders", order_id)})


def _order(api, order_id):
    return api.get(f"/api/orders/{order_id}").json()["data"]["attributes"]


def _line(api, line_id):
    return api.get(f"/api/line_items/{line_id}").json()["data"]["attributes"]


def _promotion_lines(order_id):
    lines = LineItem.objects.filter(order__public_id=order_id, promotion__isnull=False)
    return {li.item_type: li.total_amount_cents for li in lines}


def test_c3_buy_3_pay_2_tax_included(integration):
    market = _market("EUR", tax_included=True, rate="0.22", shipping_cents=500)
    sku = _sku(market, 1200)
    _promotion(market, "buy_x_pay_y_promotions", x=3, y=2, sku_list=_list(sku))
    order_id, _ = _cart(integration, market, [(sku, 7)])
    _address_and_pay(integration, market, order_id)
    placed = integration.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    attributes = placed.json()["data"]["attributes"]
    _assert_figures(
        attributes,
        "EUR",
        {
            "discount_amount": -2400,
            "subtotal_tax_amount": 1515,
            "discount_tax_amount": -433,
            "shipping_tax_amount": 90,
            "total_tax_amount": 1172,
            "total_taxable_amount": 5328,
            "total_amount": 6500,
            "total_amount_with_taxes": 6500,
        },
    )
    assert attributes["formatted_total_amount_with_taxes"] == "€65,00"
    assert _promotion_lines(order_id) == {"buy_x_pay_y_promotions": -2400}


def test_c4_free_gift_over_an_order_amount(integration):
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    gift, main = _sku(market, 800), _sku(market, 5000)
    promotion = _promotion(market, "free_gift_promotions", max_quantity=1, sku_list=_list(gift))
    OrderAmountPromotionRule.objects.create(promotion=promotion, order_amount_cents=4000)
    order_id, lines = _cart(integration, market, [(gift, 2)])
    assert _order(integration, order_id)["discount_amount_cents"] == 0
    _add(integration, order_id, main, 1)
    _assert_figures(
        _order(integration, order_id),
        "USD",
        {"subtotal_amount": 6600, "discount_amount": -800, "total_amount": 5800},
    )
    gift_line = _line(integration, lines[gift.code])
    assert gift_line["discount_cents"] == -800
    assert list(gift_line["discount_breakdown"].values()) == [
        {"type": "free_gift_promotions", "name": "free_gift_promotions", "cents": -800}
    ]


def test_c5_fixed_price_on_a_regex_list(integration):
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    sku = _sku(market, 2500)
    other = _sku(market, 2500)  # its code differs: `^CODE$` does not match it
    _promotion(
        market,
        "fixed_price_promotions",
        fixed_amount_cents=1999,
        sku_list=_list(regex=f"^{sku.code}$"),
    )
    order_id, lines = _cart(integration, market, [(sku, 3)])
    _assert_figures(
        _order(integration, order_id), "USD", {"discount_amount": -1503, "total_amount": 5997}
    )
    _add(integration, order_id, other, 1)
    figures = _order(integration, order_id)
    assert (figures["discount_amount_cents"], figures["total_amount_cents"]) == (-1503, 8497)


def test_c6_sku_list_rule_tax_included(integration):
    market = _market("EUR", tax_included=True, rate="0.22", shipping_cents=0)
    other, key = _sku(market, 2000), _sku(market, 1000)
    promotion = _promotion(market, "percentage_discount_promotions", percentage=10)
    SkuListPromotionRule.objects.create(promotion=promotion, sku_list=_list(key))
    order_id, lines = _cart(integration, market, [(other, 2)])
    _address_and_pay(integration, market, order_id)  # taxes follow the address
    assert _order(integration, order_id)["discount_amount_cents"] == 0
    _add(integration, order_id, key, 1)
    order = _order(integration, order_id)
    _assert_figures(
        order,
        "EUR",
        {
            "discount_amount": -500,
            "subtotal_tax_amount": 901,
            "discount_tax_amount": -90,
            "total_tax_amount": 811,
            "subtotal_taxable_amount": 4099,
            "discount_taxable_amount": -410,
            "total_amount": 4500,
        },
    )
    assert _line(integration, lines[other.code])["discount_cents"] == -400
    key_line = LineItem.objects.get(order__public_id=order_id, sku=key)
    assert key_line.discount_cents == -100


def test_c7_order_amount_rule(integration):
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    sku = _sku(market, 2500)
    promotion = _promotion(market, "fixed_amount_promotions", fixed_amount_cents=1000)
    OrderAmountPromotionRule.objects.create(promotion=promotion, order_amount_cents=10000)
    order_id, lines = _cart(integration, market, [(sku, 3)])
    _assert_figures(
        _order(integration, order_id), "USD", {"discount_amount": 0, "total_amount": 7500}
    )
    integration.update("line_items", lines[sku.code], {"quantity": 4})
    _assert_figures(
        _order(integration, order_id), "USD", {"discount_amount": -1000, "total_amount": 9000}
    )


def test_c8_combination_tax_excluded(integration):
    market = _market("USD", tax_included=False, rate="0.0825", shipping_cents=0)
    a, b = _sku(market, 2000), _sku(market, 1000)
    # Created in the reverse of their application order: the steps and priorities decide it.
    fixed = _promotion(market, "fixed_amount_promotions", fixed_amount_cents=500, priority=2)
    percentage = _promotion(market, "percentage_discount_promotions", percentage=10, priority=1)
    three_for_two = _promotion(market, "buy_x_pay_y_promotions", x=3, y=2, sku_list=_list(a))
    order_id, lines = _cart(integration, market, [(a, 3), (b, 2)])
    _address_and_pay(integration, market, order_id)
    placed = integration.update("orders", order_id, {"_place": True})
    assert placed.status_code == 200, placed.json()
    _assert_figures(
        placed.json()["data"]["attributes"],
        "USD",
        {
            "discount_amount": -3100,
            "subtotal_tax_amount": 660,
            "discount_tax_amount": -255,
            "total_tax_amount": 405,
            "total_amount": 4900,
            "total_amount_with_taxes": 5305,
        },
    )
    line_a, line_b = _line(integration, lines[a.code]), _line(integration, lines[b.code])
    assert (line_a["discount_cents"], line_b["discount_cents"]) == (-2733, -367)
    assert line_a["discount_breakdown"] == {
        three_for_two.public_id: {
            "type": "buy_x_pay_y_promotions",
            "name": three_for_two.name,
            "cents": -2000,
        },
        percentage.public_id: {
            "type": "percentage_discount_promotions",
            "name": percentage.name,
            "cents": -400,
        },
        fixed.public_id: {"type": "fixed_amount_promotions", "name": fixed.name, "cents": -333},
    }
    assert line_b["discount_breakdown"] == {
        percentage.public_id: {
            "type": "percentage_discount_promotions",
            "name": percentage.name,
            "cents": -200,
        },
        fixed.public_id: {"type": "fixed_amount_promotions", "name": fixed.name, "cents": -167},
    }
    assert _promotion_lines(order_id) == {
        "buy_x_pay_y_promotions": -2000,
        "percentage_discount_promotions": -600,
        "fixed_amount_promotions": -500,
    }


def test_promotions_without_a_priority_apply_last_on_both_databases(integration):
    # catalog.md: within a step, priority ascending, null last. The fixed one, older but
    # without a priority, comes after the 50 %: 500 then 100 (600), not 100 then 450 (550).
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    sku = _sku(market, 1000)
    _promotion(market, "fixed_amount_promotions", fixed_amount_cents=100)
    _promotion(market, "percentage_discount_promotions", percentage=50, priority=1)
    order_id, _ = _cart(integration, market, [(sku, 1)])
    assert _promotion_lines(order_id) == {
        "percentage_discount_promotions": -500,
        "fixed_amount_promotions": -100,
    }
    assert _order(integration, order_id)["discount_amount_cents"] == -600


def test_available_free_skus_lists_the_gift_once_the_order_qualifies(integration):
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    gift, main = _sku(market, 800), _sku(market, 5000)
    promotion = _promotion(market, "free_gift_promotions", max_quantity=1, sku_list=_list(gift))
    OrderAmountPromotionRule.objects.create(promotion=promotion, order_amount_cents=4000)
    order_id, _ = _cart(integration, market, [(main, 1)])
    listed = integration.get(f"/api/orders/{order_id}/available_free_skus").json()["data"]
    assert [sku["attributes"]["code"] for sku in listed] == [gift.code]
    # Below the rule's amount nothing qualifies.
    small_id, _ = _cart(integration, market, [(gift, 1)])
    assert integration.get(f"/api/orders/{small_id}/available_free_skus").json()["data"] == []
    # A computed list per order: its related endpoint only, never an include (Rel.includable).
    refused = integration.get(f"/api/orders/{order_id}?include=available_free_skus")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_INCLUDE"


def test_a_sku_list_rule_s_list_is_read_with_the_promotions(integration):
    # The rule's list comes with the promotions' one read (a join), not a query per rule.
    market = _market("USD", tax_included=False, rate=None, shipping_cents=0)
    key = _sku(market, 1000)
    for n in range(3):
        promotion = _promotion(market, "percentage_discount_promotions", percentage=n + 1)
        SkuListPromotionRule.objects.create(promotion=promotion, sku_list=_list(key))
    order_id, lines = _cart(integration, market, [(key, 1)])
    with CaptureQueriesContext(connection) as captured:
        integration.update("line_items", lines[key.code], {"quantity": 2})
    lists_read = [q for q in captured.captured_queries if 'FROM "catalog_skulist"' in q["sql"]]
    assert lists_read == []
    # 1 % of 2000, 2 % of the 1980 left (39.6 -> 40), 3 % of the 1940 left (58.2 -> 58)
    assert _order(integration, order_id)["discount_amount_cents"] == -(20 + 40 + 58)
