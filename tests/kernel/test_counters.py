"""Order numbers come from named counters: the first is `start`, each next one is one more, and
counters don't share values; the same with the one-statement upsert and the older fallback."""

import pytest

from commerce import counters
from commerce.counters import next_number

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.mark.parametrize("returning", [True, False], ids=["upsert", "fallback"])
def test_counters_start_where_asked_and_count_up_one_by_one(monkeypatch, returning):
    monkeypatch.setattr(counters, "_one_statement", lambda: returning)
    assert [next_number("orders", start=10000) for _ in range(3)] == [10000, 10001, 10002]
    assert next_number("invoices") == 1
    assert next_number("orders", start=10000) == 10003
