"""A compiled read (commerce/compiled.py) answers what its queryset answers, for each call's
values, with its SQL built once per process; a read whose arguments would change the SQL is
refused at its first call instead of reading the wrong rows. `update_rows` stores the named
fields of each row, and only those, in one statement."""

import datetime
from decimal import Decimal

import pytest
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from commerce.compiled import CompiledRead, update_rows
from commerce.events import without_generic_events
from orders.models import LineItem
from tests import factories as f
from tests.shop import build_shop, make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

FIELDS = ("pk", "public_id", "order_id", "sku_id", "quantity", "unit_amount_cents", "created_at")


def lines_read():
    return CompiledRead(
        lambda order_id: LineItem.objects.filter(
            order_id=order_id, item_type="skus"
        ).select_related("sku"),
        order_id=models.BigIntegerField(),
    )


def values(rows):
    return [tuple(getattr(row, name) for name in FIELDS) for row in rows]


@pytest.fixture
def shop(market):
    return build_shop(market, "COMPILED")


@pytest.fixture
def two_carts(shop):
    first = make_cart(shop, [(shop["sku"], 1)])
    second = make_cart(shop, [(shop["sku"], 3)])
    f.LineItemFactory(order=second, sku=shop["sku"], quantity=2, unit_amount_cents=250)
    return first, second


def test_rows_are_those_of_the_queryset_for_each_calls_values(two_carts, django_assert_num_queries):
    read = lines_read()
    for order in two_carts:
        expected = list(
            LineItem.objects.filter(order_id=order.pk, item_type="skus").select_related("sku")
        )
        rows = read.all(order_id=order.pk)
        assert values(rows) == values(expected) and rows
        with django_assert_num_queries(0):  # select_related rows came with them
            assert [row.sku.code for row in rows] == [row.sku.code for row in expected]
    assert read.all(order_id=-1) == []
    assert read.first(order_id=-1) is None


def test_the_sql_is_built_once_per_process(two_carts, request):
    read = lines_read()
    read.all(order_id=two_carts[0].pk)  # compiles (twice: two sets of stand-ins)
    compiles = request.getfixturevalue("sql_compiles")  # from here on
    for order in two_carts * 3:
        assert {row.order_id for row in read.all(order_id=order.pk)} == {order.pk}
    assert compiles == []


def test_known_rows_are_attached_without_a_query(two_carts, django_assert_num_queries):
    order = two_carts[1]
    rows = lines_read().all(order_id=order.pk, known={"order": order})
    with django_assert_num_queries(0):
        assert all(row.order is order for row in rows)


def test_a_read_that_can_find_nothing_finds_nothing(two_carts):
    read = CompiledRead(
        lambda order_id: LineItem.objects.filter(order_id=order_id).none(),
        order_id=models.BigIntegerField(),
    )
    assert read.all(order_id=two_carts[0].pk) == []


def test_a_datetime_argument_reaches_the_database_as_its_field_sends_it(shop):
    now = timezone.now()
    old = make_cart(shop, [(shop["sku"], 1)])
    LineItem.objects.filter(order=old).update(created_at=now - datetime.timedelta(days=2))
    new = make_cart(shop, [(shop["sku"], 1)])
    read = CompiledRead(
        lambda since: LineItem.objects.filter(created_at__gte=since),
        since=models.DateTimeField(),
    )
    since = now - datetime.timedelta(days=1)
    assert {row.order_id for row in read.all(since=since)} == {new.pk}
    assert {row.order_id for row in read.all(since=since - datetime.timedelta(days=2))} == {
        old.pk,
        new.pk,
    }


def test_an_argument_the_lookup_rewrites_is_refused():
    read = CompiledRead(
        lambda code: LineItem.objects.filter(sku_code__icontains=code),
        code=models.CharField(),
    )
    with pytest.raises(ValueError, match="is not a parameter"):
        read.all(code="abc")


def test_an_argument_that_changes_the_sql_is_refused():
    read = CompiledRead(
        # the length of the IN list follows the value: not a fixed shape
        lambda code: LineItem.objects.filter(sku_code__in=list(code)),
        code=models.CharField(),
    )
    with pytest.raises(ValueError):
        read.all(code="abc")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_a_locking_read_needs_a_transaction(two_carts):
    read = CompiledRead(
        lambda order_id: LineItem.objects.select_for_update().filter(order_id=order_id),
        order_id=models.BigIntegerField(),
    )
    with pytest.raises(TransactionManagementError):
        read.all(order_id=two_carts[0].pk)
    with transaction.atomic():
        assert {row.order_id for row in read.all(order_id=two_carts[0].pk)} == {two_carts[0].pk}


def test_update_rows_stores_the_named_fields_of_each_row_and_nothing_else(
    two_carts, django_assert_num_queries
):
    first, second = two_carts
    lines = list(LineItem.objects.filter(order=second, item_type="skus").order_by("id"))
    bystander = LineItem.objects.get(order=first, item_type="skus")
    when = timezone.now() - datetime.timedelta(hours=5)
    for n, line in enumerate(lines, start=1):
        line.total_amount_cents = 1000 * n + 1
        line.tax_rate = f"0.0{n}25"
        line.updated_at = when + datetime.timedelta(minutes=n)
        line.quantity = 99  # changed in memory, not named: stays as stored
    # The write's own SQL; the events it records ride in the request's one INSERT (tests/events).
    with without_generic_events(), django_assert_num_queries(1):
        update_rows(lines, ["total_amount_cents", "tax_rate", "updated_at"])
    stored = list(LineItem.objects.filter(order=second, item_type="skus").order_by("id"))
    assert [(li.total_amount_cents, li.tax_rate, li.updated_at) for li in stored] == [
        (1000 * n + 1, Decimal(f"0.0{n}25"), when + datetime.timedelta(minutes=n))
        for n in range(1, len(lines) + 1)
    ]
    assert [li.quantity for li in stored] == [3, 2]
    assert LineItem.objects.get(pk=bystander.pk).total_amount_cents == (
        bystander.total_amount_cents
    )


def test_update_rows_stores_a_foreign_key_by_its_field_name(two_carts):
    first, second = two_carts
    line = LineItem.objects.get(order=first, item_type="skus")
    other_sku = f.SkuFactory(code="COMPILED-OTHER")
    line.sku = other_sku
    update_rows([line], ["sku"])
    assert LineItem.objects.get(pk=line.pk).sku_id == other_sku.pk
    update_rows([], ["sku"])  # nothing to store: no statement, no error


def test_a_stored_record_is_written_with_its_auto_now_stamp(two_carts, django_assert_num_queries):
    from commerce.services import write_record
    from orders.models import Order

    order = Order.objects.get(pk=two_carts[0].pk)
    before = order.updated_at
    order.customer_email = "changed@example.com"
    order.total_amount_cents = 123_456
    order.metadata = {"gift": True}
    with without_generic_events(), django_assert_num_queries(1):  # one UPDATE, no re-read
        write_record(order)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.customer_email, stored.total_amount_cents, stored.metadata) == (
        "changed@example.com",
        123_456,
        {"gift": True},
    )
    assert stored.updated_at == order.updated_at > before
    assert stored.created_at == two_carts[0].created_at


def test_a_stored_record_writes_the_columns_it_changed(two_carts):
    """What the record was read with is what its row holds (the writes read it under its
    lock): the UPDATE sets what changed since, the stamps, and JSON changed in place."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commerce.services import write_record
    from orders.models import Order

    order = Order.objects.get(pk=two_carts[0].pk)
    order.customer_email = "changed@example.com"
    order.metadata["note"] = "changed in place"
    # Meanwhile the row's number changes by another statement: not this write's to undo.
    Order.objects.filter(pk=order.pk).update(number="ELSEWHERE-1")
    with without_generic_events(), CaptureQueriesContext(connection) as queries:
        write_record(order)
    (update,) = [q["sql"] for q in queries.captured_queries]
    assert '"customer_email"' in update and '"updated_at"' in update and '"metadata"' in update
    assert '"number"' not in update and '"total_amount_cents"' not in update
    stored = Order.objects.get(pk=order.pk)
    assert stored.customer_email == "changed@example.com"
    assert stored.metadata == {"note": "changed in place"}
    assert stored.number == "ELSEWHERE-1"
    assert stored.updated_at == order.updated_at


def test_a_change_left_by_a_partial_write_is_written_by_the_next_one(two_carts):
    """A write of some fields makes only those what the row holds: a change made before it to
    another field is still a change, and the record's next whole write stores it."""
    from commerce.compiled import update_rows
    from commerce.services import write_record
    from orders.models import Order

    order = Order.objects.get(pk=two_carts[0].pk)
    order.customer_email = "later@example.com"  # not written by the next statement
    order.language_code = "it"
    with without_generic_events():
        update_rows([order], ["language_code"])
        write_record(order)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.customer_email, stored.language_code) == ("later@example.com", "it")


def test_a_record_of_unknown_origin_is_written_whole(two_carts):
    from commerce.services import write_record
    from orders.models import Order

    order = Order.objects.get(pk=two_carts[0].pk)
    del order._event_before  # read by no served path (nothing known of what it held)
    Order.objects.filter(pk=order.pk).update(number="ELSEWHERE-2")
    with without_generic_events():
        write_record(order)
    assert Order.objects.get(pk=order.pk).number == two_carts[0].number


def test_insert_rows_writes_new_rows_as_save_does_and_gives_them_their_keys(
    two_carts, django_assert_num_queries
):
    from commerce.compiled import insert_rows

    first, second = two_carts
    sku = LineItem.objects.filter(order=first, item_type="skus").first().sku
    rows = [
        LineItem(order=order, item_type="skus", sku=sku, quantity=n, unit_amount_cents=100 * n)
        for n, order in enumerate((first, second, first), start=1)
    ]
    before = timezone.now()
    with without_generic_events(), django_assert_num_queries(1):  # three rows, one INSERT
        insert_rows(rows)
    assert all(row.pk is not None and not row._state.adding for row in rows)
    stored = {li.pk: li for li in LineItem.objects.filter(pk__in=[row.pk for row in rows])}
    assert [(stored[row.pk].order_id, stored[row.pk].quantity) for row in rows] == [
        (first.pk, 1),
        (second.pk, 2),
        (first.pk, 3),
    ]
    for row in rows:  # stamped and defaulted as save() does, the instance holding what's stored
        assert stored[row.pk].created_at == row.created_at >= before
        assert stored[row.pk].updated_at == row.updated_at >= before
        assert stored[row.pk].public_id == row.public_id and len(row.public_id) == 10
        assert stored[row.pk].metadata == {}
    with pytest.raises(ValueError):  # a stored row is not inserted again
        insert_rows(rows[:1])


def test_write_fields_stores_the_named_fields_with_a_fresh_updated_at(two_carts):
    from commerce.services import write_fields
    from orders.models import Order

    order = Order.objects.get(pk=two_carts[0].pk)
    before = order.updated_at
    order.coupon_code = "SAVE10"
    order.customer_email = "not-named@example.com"
    write_fields(order, ["coupon_code", "updated_at"])
    stored = Order.objects.get(pk=order.pk)
    assert (stored.coupon_code, stored.customer_email) == ("SAVE10", two_carts[0].customer_email)
    assert stored.updated_at == order.updated_at > before
