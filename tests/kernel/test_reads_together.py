"""Compiled reads sent together (commerce/together.py): on PostgreSQL a cart's refresh reads its
lines, shipments, stock line items, the stock of its lines, the market's stock locations,
shipping methods, promotions and tax rules in one statement, and each read then gives the
instances a read of its own gives, value for value (timestamps, decimals, JSON, nulls, the rows
joined to them). A read made again reads the database, as does a read of a table the block
wrote; nothing is held after the block. On SQLite each read goes alone, with the same rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from commerce.together import reads_together
from inventory.selectors import inventory_locations
from inventory.services import stock_with_salable
from markets.models import ManualTaxCalculator, Promotion, TaxRule
from markets.selectors import running_promotions, shipping_method_candidates, tax_rules
from orders.models import LineItem
from orders.selectors import (
    cart_reads,
    held_cart_stock,
    order_lines,
    order_shipments,
    order_stock_line_items,
)
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
        "stock": sorted((snapshot(item) for item in cart_stock(order)), key=lambda s: s["id"]),
    }


def cart_stock(order):
    """The stock of the cart's lines read ahead, or else what planning reads without it."""
    held = held_cart_stock(order)
    if held is not None:
        return held
    skus = {li.sku_id for li in order.line_items.filter(item_type="skus")}
    locations = {
        isl.stock_location_id for isl in inventory_locations(order.market.inventory_model_id)
    }
    return stock_with_salable(skus, locations)


def test_every_read_gives_what_its_own_read_gives(cart, django_assert_num_queries):
    now = timezone.now()
    alone = every_read(cart, now)
    assert all(alone.values()), "each read finds rows, so that each is compared"
    with reads_together(*reads_ahead(cart, now)):
        if connection.vendor == "postgresql":
            with django_assert_num_queries(0):  # all read ahead, in one statement
                held = every_read(cart, now)
        else:
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


def test_a_write_drops_the_held_rows_of_the_table_it_writes(cart, django_assert_num_queries):
    postgres = connection.vendor == "postgresql"
    with reads_together(*reads_ahead(cart, timezone.now())):
        line = cart.line_items.filter(item_type="skus").first()  # a read: nothing dropped
        LineItem.objects.filter(pk=line.pk).update(quantity=7)
        with django_assert_num_queries(1):  # its table was written: read again
            lines = order_lines(cart)
        with django_assert_num_queries(0 if postgres else 1):  # not written: still held
            order_shipments(cart)
    assert [li.quantity for li in lines if li.pk == line.pk] == [7]


def test_a_count_takes_the_rows_read_ahead(cart, django_assert_num_queries):
    read, values = cart_reads(cart, lines=True)[1]
    alone = read.count(**values)
    assert alone == cart.line_items.count() > 0
    with reads_together(*reads_ahead(cart, timezone.now())):
        with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
            assert read.count(**values) == alone


def test_the_reads_ahead_are_one_statement(cart, django_assert_num_queries):
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 0):
        with reads_together(*reads_ahead(cart, timezone.now())):
            pass


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
