"""A whole guest checkout over HTTP stays within a pinned SQL statement budget (issue 7: under 40
statements for the flow). Each request's count is pinned too, so a regression names its step.
The requests run outside a test transaction (transaction=True), so the count is what a server
executes: the request's own BEGIN/COMMIT, no test savepoints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.conftest import rel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def usa(market):
    from markets.models import ManualTaxCalculator, TaxRule

    calculator = ManualTaxCalculator.objects.create(name="US taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator, name="US", tax_rate="0.0825", country_code_regex="US"
    )
    market.tax_calculator = calculator
    market.save()
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    merch = f.ShippingCategoryFactory(name="Merchandise")
    for code, cents in (("SKU-A", 3200), ("SKU-B", 3600), ("SKU-C", 1000)):
        sku = f.SkuFactory(code=code, shipping_category=merch)
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=cents)
        f.StockItemFactory(stock_location=location, sku=sku, quantity=100)
    method = f.ShippingMethodFactory(market=market, name="Standard", price_amount_cents=700)
    payment_method = f.PaymentMethodFactory(market=market, payment_source_type="wire_transfers")
    return {"shipping_method": method, "payment_method": payment_method}


def run_checkout(api, shipping_method_id, payment_method_id):
    """The bench's checkout flow (scripts/bench): returns [(step, statements)] and the order."""
    counts = []

    def step(name, call, expected_status):
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        assert response.status_code == expected_status, (name, response.json())
        counts.append((name, len(ctx.captured_queries)))
        return response.json()

    order = step(
        "create order", lambda: api.create("orders", {"customer_email": "ada@example.com"}), 201
    )
    order_id = order["data"]["id"]
    for code in ("SKU-A", "SKU-B", "SKU-C"):
        step(
            f"line item {code}",
            lambda code=code: api.create(
                "line_items",
                {"sku_code": code, "quantity": 2},
                {"order": rel("orders", order_id)},
            ),
            201,
        )
    address = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "line_1": "1 Main St",
        "city": "Boston",
        "zip_code": "02108",
        "state_code": "MA",
        "country_code": "US",
        "phone": "555-0100",
    }
    address_id = step("address", lambda: api.create("addresses", address), 201)["data"]["id"]
    step(
        "billing+shipping",
        lambda: api.update(
            "orders",
            order_id,
            {"_shipping_address_same_as_billing": True},
            {"billing_address": rel("addresses", address_id)},
        ),
        200,
    )
    shipments = step("shipments", lambda: api.get(f"/api/orders/{order_id}/shipments"), 200)
    shipment_id = shipments["data"][0]["id"]
    step(
        "shipping method",
        lambda: api.update(
            "shipments",
            shipment_id,
            relationships={"shipping_method": rel("shipping_methods", shipping_method_id)},
        ),
        200,
    )
    step(
        "payment method",
        lambda: api.update(
            "orders",
            order_id,
            relationships={"payment_method": rel("payment_methods", payment_method_id)},
        ),
        200,
    )
    step(
        "wire transfer",
        lambda: api.create("wire_transfers", relationships={"order": rel("orders", order_id)}),
        201,
    )
    placed = step("place", lambda: api.update("orders", order_id, {"_place": True}), 200)
    return counts, placed


def test_guest_checkout_statement_budget(usa, sales_channel):
    from inventory.models import StockItem

    counts, placed = run_checkout(
        sales_channel,
        usa["shipping_method"].public_id,
        usa["payment_method"].public_id,
    )
    print("\n".join(f"{name:>20}: {n}" for name, n in counts))
    attributes = placed["data"]["attributes"]
    assert attributes["status"] == "placed"
    assert attributes["subtotal_amount_cents"] == 2 * (3200 + 3600 + 1000)
    assert StockItem.objects.get(sku__code="SKU-A").quantity == 100  # reserved, not taken
    total = sum(n for _, n in counts)
    print(f"total: {total}")
    assert dict(counts) == BUDGET
    assert total == sum(BUDGET.values())


# Pinned at today's figures: 181 in all, counted as a server runs them (no test transaction
# around the requests; BEGIN and COMMIT count). 458 before the services stopped nesting
# savepoints, validating what they computed themselves, writing one event per INSERT,
# re-planning shipments on address/method changes and rewriting unchanged rows.
# Issue 7 asks for under 40; see the issue note for what stands in the way. Lower these as the
# services improve; a rise is a regression.
BUDGET = {
    "create order": 11,
    "line item SKU-A": 24,
    "line item SKU-B": 22,
    "line item SKU-C": 22,
    "address": 6,
    "billing+shipping": 24,
    "shipments": 5,
    "shipping method": 17,
    "payment method": 16,
    "wire transfer": 8,
    "place": 26,
}
