"""Compiled reads sent together (commerce/together.py): on PostgreSQL a cart's refresh reads its
lines, shipments, stock line items, the market's stock locations, shipping methods, promotions
and tax rules in one statement, and each read then gives the instances a read of its own gives,
value for value (timestamps, decimals, JSON, nulls, the rows joined to them); a read made again
after a write in the block reads the database; nothing is held after the block. On SQLite each
read goes alone, with the same rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from commerce.together import reads_together
from inventory.selectors import inventory_locations
from markets.models import ManualTaxCalculator, Promotion, TaxRule
from markets.selectors import running_promotions, shipping_method_candidates, tax_rules
from orders.selectors import order_lines, order_shipments, order_stock_line_items
from orders.services.totals import reads_ahead
from tests import factories as f
from tests.shop import build_shop, make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def snapshot(instance, depth=0):
    """Every column of the instance as its type and repr, its annotations, and the rows joined
    to it (select_related), the same way."""
    values = {
        field.attname: (type(value).__name__, repr(value))
        for field in instance._meta.concrete_fields
        for value in [getattr(instance, field.attname)]
    }
    values.update(
        {
            name: (type(value).__name__, repr(value))
            for name, value in vars(instance).items()
            if not name.startswith("_") and name not in values
        }
    )
    if depth < 4:
        for name, related in instance._state.fields_cache.items():
            values[f"->{name}"] = None if related is None else snapshot(related, depth + 1)
    return values


@pytest.fixture
def cart(market):
    shop = build_shop(market, "TOGETHER", skus=2, express=True)
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "expires_at": now + timedelta(days=1)}
    Promotion.objects.create(
        kind="percentage_discount_promotions",
        name="Ten off",
        market=market,
        percentage="12.5",
        priority=1,
        metadata={"note": "half", "ratio": 0.125, "list": [1, "a", None]},
        **window,
    )
    Promotion.objects.create(
        kind="fixed_amount_promotions", name="One off", fixed_amount_cents=100, **window
    )
    calculator = ManualTaxCalculator.objects.create(name="Taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator, name="US", tax_rate="0.0825", country_code_regex="US"
    )
    market.tax_calculator = calculator
    market.save()
    zone = f.ShippingZoneFactory(name="US", country_code_regex="US")
    f.ShippingMethodFactory(market=market, name="Zoned", price_amount_cents=900, shipping_zone=zone)
    order = make_cart(shop, [(shop["skus"][0], 2), (shop["skus"][1], 1)])
    return order.__class__.objects.select_related(
        "market__inventory_model", "billing_address", "shipping_address"
    ).get(pk=order.pk)


def every_read(order, now):
    """What `reads_ahead` asks for, each as a read of its own."""
    market = order.market
    return {
        "lines": [snapshot(li) for li in order_lines(order)],
        "shipments": [snapshot(s) for s in order_shipments(order)],
        "stock line items": {
            pk: [snapshot(sli) for sli in slis]
            for pk, slis in order_stock_line_items(order).items()
        },
        "locations": [snapshot(isl) for isl in inventory_locations(market.inventory_model_id)],
        "methods": [snapshot(m) for m in shipping_method_candidates(market.pk)],
        "promotions": [snapshot(p) for p in running_promotions(market.pk, now)],
        "tax rules": [snapshot(r) for r in tax_rules(market.tax_calculator_id)],
    }


def test_every_read_gives_what_its_own_read_gives(cart, django_assert_num_queries):
    now = timezone.now()
    alone = every_read(cart, now)
    assert all(alone.values()), "each read finds rows, so that each is compared"
    together = 1 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(together):
        with reads_together(*reads_ahead(cart, now)):
            held = every_read(cart, now)
    assert held == alone


def test_a_read_made_again_in_the_block_reads_the_database(cart, django_assert_num_queries):
    now = timezone.now()
    with reads_together(*reads_ahead(cart, now)):
        first = order_lines(cart)
        first[0].__class__.objects.filter(pk=first[0].pk).update(quantity=7)
        with django_assert_num_queries(1):
            again = order_lines(cart)
    assert [li.quantity for li in again if li.pk == first[0].pk] == [7]
    assert [li.quantity for li in first if li.pk == first[0].pk] == [2]


def test_nothing_is_held_after_the_block(cart, django_assert_num_queries):
    now = timezone.now()
    with reads_together(*reads_ahead(cart, now)):
        pass
    with django_assert_num_queries(1):
        order_shipments(cart)


def test_a_block_inside_another_reads_only_what_is_not_held(cart, django_assert_num_queries):
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    with reads_together(*reads_ahead(cart, now)):
        with django_assert_num_queries(0 if postgres else 2):
            with reads_together(*reads_ahead(cart, now)):
                order_lines(cart)
                order_shipments(cart)
        with django_assert_num_queries(1):  # taken inside: the outer block holds it no more
            order_lines(cart)
