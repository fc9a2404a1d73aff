"""A small shop selling in USD (tests.shop), gift cards of the factories, and the steps a
storefront and the back office take with them over HTTP."""

from decimal import Decimal

import pytest

from markets.models import ManualTaxCalculator, TaxRule
from orders.models import GiftCard, Order
from orders.services.totals import refresh_order
from tests import factories as f
from tests.conftest import rel
from tests.shop import build_shop, make_cart, ok


@pytest.fixture
def shop(market):
    """SKU GC-1 at $10.00, 50 on hand, "Standard" shipping at $5.00, wire transfers, and a free
    download GC-FREE."""
    return build_shop(market, "GC", free=True)


def card(**values) -> GiftCard:
    """An active USD card of $50.00 unless said otherwise."""
    return f.GiftCardFactory(**values)


def cart(shop, lines=None, **order) -> Order:
    """A ready cart (addresses, payment, shipments): 2 x GC-1 ($20.00 + $5.00 shipping)."""
    return make_cart(shop, lines, **order)


def redeem(api, order, code, status=200):
    return ok(api.update("orders", order.public_id, {"gift_card_code": code}), status)


def place(api, order, status=200):
    return ok(api.update("orders", order.public_id, {"_place": True}), status)


def buy(api, order, gift_card, status=201):
    return ok(
        api.create(
            "line_items",
            {"item_type": "gift_cards"},
            {
                "order": rel("orders", order.public_id),
                "item": rel("gift_cards", gift_card.public_id),
            },
        ),
        status,
    )


def errors(response) -> list[tuple[str, str]]:
    """(pointer, detail) of each error of a 4xx answer."""
    return [(e["source"]["pointer"], e["detail"]) for e in response.json()["errors"]]


def balance(gift_card) -> tuple[int, str]:
    gift_card.refresh_from_db()
    return gift_card.balance_cents, gift_card.status


def empty_cart(shop, **order) -> Order:
    """A cart with all `_place` needs but lines: an email, addresses, a payment method and its
    source."""
    address = f.AddressFactory()
    cart = f.OrderFactory(
        market=shop["market"],
        customer_email="shopper@example.com",
        billing_address=address,
        shipping_address=address,
        payment_method=shop["payment_method"],
        **order,
    )
    cart.payment_source = f.PaymentSourceFactory(order=cart)
    cart.save()
    refresh_order(cart)
    cart.refresh_from_db()
    return cart


def taxed(market, rate="0.0825", **flags) -> TaxRule:
    """A manual tax rule matching every address, excluded from the prices."""
    calculator = ManualTaxCalculator.objects.create(name="Taxes")
    rule = TaxRule.objects.create(
        manual_tax_calculator=calculator, name="All", tax_rate=Decimal(rate), **flags
    )
    market.tax_calculator = calculator
    market.save()
    return rule


def attributes_of(api, order) -> dict:
    return ok(api.get(f"/api/orders/{order.public_id}"))["attributes"]
