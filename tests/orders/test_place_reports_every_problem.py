"""`_place` answers every problem at once (orders.md: one error per problem), short stock
included, so a storefront can show them together; nothing is reserved."""

import pytest

from inventory.models import StockReservation
from orders.models import Order
from tests.shop import make_cart

pytestmark = pytest.mark.django_db


def test_a_missing_address_and_a_short_line_are_reported_together(shop, integration):
    order = make_cart(shop, [(shop["sku"], 60)])  # 50 on hand
    Order.objects.filter(pk=order.pk).update(billing_address=None)
    response = integration.update("orders", order.public_id, {"_place": True})
    assert response.status_code == 422, response.content
    problems = {(e["source"]["pointer"], e["meta"]["error"]) for e in response.json()["errors"]}
    assert problems == {
        ("/data/relationships/billing_address", "blank"),
        ("/data/relationships/line_items", "out_of_stock"),
    }
    assert not StockReservation.objects.exists()
    order.refresh_from_db()
    assert (order.status, order.placed_at) == ("pending", None)


@pytest.mark.parametrize(
    ("missing", "pointers"),
    [
        ("email", ["/data/attributes/customer_email"]),
        ("lines", ["/data/relationships/line_items"]),
    ],
)
def test_a_draft_says_what_keeps_it_a_draft(shop, integration, missing, pointers):
    """`_place` on a draft: besides the status error, one error per missing thing (orders.md:
    one error object per problem), so that a storefront can tell the shopper what to fill in."""
    if missing == "email":
        order = make_cart(shop, email=None)
    else:
        order = make_cart(shop, ready=False, customer_email="shopper@example.com")
    assert order.status == "draft"
    response = integration.update("orders", order.public_id, {"_place": True})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == ["/data/attributes/status", *pointers]
    assert errors[0]["detail"] == "status - cannot transition from draft to placed"
    assert {e["meta"]["error"] for e in errors[1:]} == {"blank"}
    order.refresh_from_db()
    assert (order.status, order.placed_at) == ("draft", None)
