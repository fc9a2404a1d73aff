"""A service's model validation (commerce.services.clean_record) checks the rules of the fields
a client gave: a constraint on one of them is checked, one that reads a field left out is
skipped as Django's `full_clean` skips it, without building its query first."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.exceptions import ValidationErrors
from commerce.services import _constraint_fields, clean_record
from orders.models import Order

pytestmark = pytest.mark.django_db


def negative_order(market):
    return Order(market=market, number="N-1", total_amount_cents=-5)


def test_a_constraint_on_a_given_field_is_checked(market):
    with pytest.raises(ValidationErrors) as raised:
        clean_record(negative_order(market), validate={"total_amount_cents"})
    assert [error.name for error in raised.value.errors] == ["base"]  # Django's: a record rule


def test_a_constraint_on_fields_left_out_is_skipped_as_django_skips_it(market):
    order = negative_order(market)
    exclude = {f.name for f in Order._meta.concrete_fields} - {"customer_email"}
    order.full_clean(exclude=exclude)  # Django: the check reads an excluded field, no error
    with CaptureQueriesContext(connection) as queries:
        clean_record(order, validate={"customer_email"})
    assert queries.captured_queries == []


def test_whole_validation_checks_every_constraint(market):
    with pytest.raises(DjangoValidationError):
        negative_order(market).full_clean()
    with pytest.raises(ValidationErrors):
        clean_record(negative_order(market))


def test_constraint_fields_are_read_from_the_declarations():
    fields = _constraint_fields(Order)
    assert frozenset({"total_amount_cents"}) in fields
    assert frozenset({"total_amount_with_taxes_cents"}) in fields
