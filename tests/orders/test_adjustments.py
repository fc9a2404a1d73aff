"""Adjustments (aftersale.md §2): an operator's manual amount, either sign, added to a cart as a
line item; its amount sums into `adjustment_amount`; a positive one is taxed like shipping when
the rule says `adjustment_taxable`, a negative one with `distribute_discount` shared over the sku
lines for tax as a discount is, any other untaxed; never a negative order total."""

from decimal import Decimal

import pytest

from markets.models import ManualTaxCalculator, TaxRule
from orders.models import Adjustment, LineItem, Order
from orders.pricing import line_tax
from tests.conftest import assert_unauthorized, rel
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

RATE = Decimal("0.10")


@pytest.fixture
def shop(market):
    return build_shop(market, "ADJ", price_cents=1000)


def taxed(market, *, adjustment_taxable=False):
    calculator = ManualTaxCalculator.objects.create(name="Taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator,
        name="All",
        tax_rate=str(RATE),
        country_code_regex=".*",
        adjustment_taxable=adjustment_taxable,
    )
    market.tax_calculator = calculator
    market.save()


def adjustment(integration, amount, **attributes):
    return ok(
        integration.create(
            "adjustments",
            {"name": "Goodwill", "currency_code": "USD", "amount_cents": amount, **attributes},
        ),
        201,
    )


def add(api, cart, adjustment_id, quantity=1):
    return api.create(
        "line_items",
        {"item_type": "adjustments", "quantity": quantity},
        {
            "order": rel("orders", cart.public_id),
            "item": rel("adjustments", adjustment_id),
        },
    )


def figures(cart):
    cart.refresh_from_db()
    return (
        cart.adjustment_amount_cents,
        cart.adjustment_tax_amount_cents,
        cart.adjustment_taxable_amount_cents,
        cart.total_amount_cents,
    )


def test_only_integration_tokens_make_adjustments_and_never_of_zero(integration, sales_channel):
    made = adjustment(integration, -250, distribute_discount=True)
    assert made["attributes"]["formatted_amount"] == "-$2.50"
    for amount in (0, None):
        response = integration.create(
            "adjustments", {"name": "x", "currency_code": "USD", "amount_cents": amount}
        )
        assert response.status_code == 422, response.json()
    assert_unauthorized(sales_channel.get("/api/adjustments"))


def test_an_untaxed_adjustment_adds_its_amount(shop, integration):
    cart = make_cart(shop)  # 2 x 10.00 and shipping
    before = figures(cart)[3]
    made = adjustment(integration, 300)
    line = ok(add(integration, cart, made["id"], quantity=2), 201)
    assert (line["attributes"]["item_type"], line["attributes"]["total_amount_cents"]) == (
        "adjustments",
        600,
    )
    assert figures(cart) == (600, 0, 0, before + 600)
    item = ok(integration.get(f"/api/line_items/{line['id']}/item"))
    assert (item["type"], item["id"]) == ("adjustments", made["id"])
    # The operator takes it off again.
    assert integration.delete(f"/api/line_items/{line['id']}").status_code == 204
    assert figures(cart) == (0, 0, 0, before)


def test_a_positive_adjustment_is_taxed_when_the_rule_says_so(shop, integration, market):
    taxed(market, adjustment_taxable=True)
    cart = make_cart(shop)
    ok(add(integration, cart, adjustment(integration, 555)["id"]), 201)
    tax, taxable = line_tax(555, RATE, False)
    assert figures(cart)[:3] == (555, tax, taxable) == (555, 56, 555)
    assert cart.total_tax_amount_cents == cart.subtotal_tax_amount_cents + 56 + (
        cart.shipping_tax_amount_cents + cart.payment_method_tax_amount_cents
    )


def test_a_distributed_negative_adjustment_is_taxed_as_a_discount(shop, integration, market):
    taxed(market)
    cart = make_cart(shop)
    plain = adjustment(integration, -105)
    shared = adjustment(integration, -205, distribute_discount=True)
    ok(add(integration, cart, plain["id"]), 201)
    assert figures(cart)[:3] == (-105, 0, 0)  # untaxed
    ok(add(integration, cart, shared["id"]), 201)
    tax, taxable = line_tax(-205, RATE, False)  # one sku line takes the whole share
    assert figures(cart)[:3] == (-310, tax, taxable) == (-310, -21, -205)
    assert cart.total_taxable_amount_cents == cart.subtotal_taxable_amount_cents - 205 + (
        cart.shipping_taxable_amount_cents + cart.payment_method_taxable_amount_cents
    )


def test_what_an_adjustment_line_may_not_do(shop, integration, sales_channel, market):
    cart = make_cart(shop)
    total = figures(cart)[3]
    made = adjustment(integration, -250)

    # More than the order is worth: 422 on the item, nothing added.
    huge = adjustment(integration, -(total + 1))
    response = add(integration, cart, huge["id"])
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/relationships/item"
    # Another currency.
    euros = adjustment(integration, 100, currency_code="EUR")
    response = add(integration, cart, euros["id"])
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/relationships/item"
    # A storefront may not add one.
    response = add(sales_channel, cart, made["id"])
    assert response.status_code == 400, response.json()
    assert not LineItem.objects.filter(order=cart, item_type="adjustments").exists()

    # Taking the SKU line away would leave the adjustment alone: refused, nothing changes.
    ok(add(integration, cart, made["id"]), 201)
    sku_line = LineItem.objects.get(order=cart, item_type="skus")
    response = integration.delete(f"/api/line_items/{sku_line.public_id}")
    assert response.status_code == 422, response.json()
    assert LineItem.objects.filter(pk=sku_line.pk).exists()
    assert figures(cart)[0] == -250

    # Placed, the line keeps its amount and the adjustment can't be deleted.
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    assert integration.delete(f"/api/adjustments/{made['id']}").status_code == 423
    assert add(integration, cart, made["id"]).status_code == 422
    assert Adjustment.objects.filter(public_id=made["id"]).exists()
    assert Order.objects.get(pk=cart.pk).adjustment_amount_cents == -250
