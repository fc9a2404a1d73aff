"""Related and relationship endpoints answer what /api/schema says, for real records
(the fuzzer mostly reaches them with unknown ids, so 404s)."""

import pytest
import schemathesis
from werkzeug.test import EnvironBuilder, TestResponse

from commerce.jsonapi.openapi import build_schema
from tests import factories as f

pytestmark = pytest.mark.django_db

MEDIA_TYPE = "application/vnd.api+json"


@pytest.fixture
def check(integration):
    schema = schemathesis.openapi.from_dict(build_schema())

    def check(template: str, **ids) -> dict:
        url = template.format(**ids)
        answer = integration.get(url)
        assert answer.status_code == 200, answer.content
        # Django's test client keeps the test's transaction; schemathesis reads werkzeug's.
        response = TestResponse(
            [answer.content],
            answer.status_code,
            list(answer.headers.items()),
            EnvironBuilder(path=url).get_request(),
        )
        schema[template]["GET"].validate_response(response)
        return answer.json()

    return check


def test_a_line_items_polymorphic_item_and_its_linkage(check):
    line_item = f.LineItemFactory()
    lid = line_item.public_id
    related = check("/api/line_items/{id}/item", id=lid)
    assert related["data"]["type"] == "skus"
    assert related["data"]["id"] == line_item.sku.public_id
    linkage = check("/api/line_items/{id}/relationships/item", id=lid)
    assert linkage["data"] == {"type": "skus", "id": line_item.sku.public_id}
    assert linkage["links"]["related"].endswith(f"/api/line_items/{lid}/item")


def test_a_payment_methods_gateway(check):
    method = f.PaymentMethodFactory()
    related = check("/api/payment_methods/{id}/payment_gateway", id=method.public_id)
    assert related["data"]["type"] == "manual_gateways"


def test_an_orders_to_many_related_and_linkage(check):
    line_item = f.LineItemFactory()
    order_id = line_item.order.public_id
    listed = check("/api/orders/{id}/line_items", id=order_id)
    assert [d["id"] for d in listed["data"]] == [line_item.public_id]
    assert listed["meta"]["record_count"] == 1
    linkage = check("/api/orders/{id}/relationships/line_items", id=order_id)
    assert linkage["data"] == [{"type": "line_items", "id": line_item.public_id}]
    assert check("/api/orders/{id}/transactions", id=order_id)["data"] == []
