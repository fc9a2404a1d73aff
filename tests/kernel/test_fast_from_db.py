"""A served record read whole is built without `Model.__init__` (commerce.models.Resource.from_db):
the instance is the one Django's own `from_db` makes of the row, it remembers what it was loaded
with (a write of nothing records no event), and partial reads still go Django's way."""

import pytest
from django.db import models

from commerce.events import changed_fields
from commerce.models import Address, _plain_attnames
from orders.models import LineItem, Order
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def djangos(model, row):
    return models.Model.from_db.__func__(model, "default", list(row), list(row.values()))


def row_of(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("model", [Address, Order, LineItem])
def test_a_whole_row_is_the_instance_django_makes(model):
    assert _plain_attnames(model) is not None
    row = row_of(model(pk=7, **(ADDRESS if model is Address else {})))
    ours = model.from_db("default", list(row), list(row.values()))
    theirs = djangos(model, row)
    assert type(ours) is model
    assert row_of(ours) == row_of(theirs) == row
    assert set(ours.__dict__) == set(theirs.__dict__)
    assert (ours._state.adding, ours._state.db) == (theirs._state.adding, theirs._state.db)
    before = {k: v for k, v in ours._event_before.items() if k != "_state"}
    assert before == {k: v for k, v in theirs._event_before.items() if k != "_state"}
    assert before.items() >= row.items()


def test_a_read_record_knows_what_changed():
    address = Address.objects.create(**ADDRESS)
    read = Address.objects.get(pk=address.pk)
    assert changed_fields(read) == []
    read.city = "Somewhere else"
    assert changed_fields(read) == ["city"]


def test_a_partial_read_is_djangos():
    address = Address.objects.create(**ADDRESS)
    read = Address.objects.only("city").get(pk=address.pk)
    assert read.get_deferred_fields() >= {"line_1", "phone"}
    assert read.city == ADDRESS["city"]
    assert read.line_1 == ADDRESS["line_1"]  # read when asked, as Django does


def test_a_foreign_key_read_with_its_target(market):
    order = Order.objects.create(market=market, customer_email="a@example.com")
    read = Order.objects.select_related("market").get(pk=order.pk)
    assert read.market_id == market.pk
    assert read.market.code == market.code
    assert Order.market.is_cached(read)
