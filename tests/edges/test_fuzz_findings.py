"""Regressions for what the contract fuzzer (test_fuzz.py) found, one test each."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_customer_with_placed_orders_can_be_updated(integration, market):
    # The placed-orders count was a GROUP BY join, which PostgreSQL refuses under the row lock
    # PATCH takes (FOR UPDATE): every PATCH /api/customers/{id} answered 500.
    customer = f.CustomerFactory()
    f.OrderFactory(market=market, customer=customer, status="placed")
    f.OrderFactory(market=market, customer=customer, status="pending")
    response = integration.update("customers", customer.public_id, {"metadata": {"a": 1}})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["total_orders_count"] == 1
    missing = integration.update("customers", "nope", {"metadata": {}})
    assert missing.status_code == 404


def test_metadata_eq_filter_takes_a_json_value(integration, market):
    # filter[q][metadata_eq] reached django-filter, which has no filter for a JSONField: 500.
    f.SkuFactory(metadata={"color": "red"})
    f.SkuFactory(metadata={"color": "blue"})
    found = integration.get('/api/skus?filter[q][metadata_eq]={"color": "red"}')
    assert found.status_code == 200, found.content
    assert found.json()["meta"]["record_count"] == 1
    bad = integration.get("/api/skus?filter[q][metadata_eq]=code")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"] == {"parameter": "filter[q][metadata_eq]"}
    assert integration.get("/api/skus?filter[q][metadata_null]=true").status_code == 200
