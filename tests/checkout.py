"""A whole guest checkout over HTTP, as the bench runs it (scripts/bench.py): the market it
needs and the flow, shared by the statement budget and the fuzzer's seed records."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.conftest import ADDRESS, rel


def seed_checkout_market(market) -> dict:
    """Three priced, stocked SKUs, a shipping method, a wire-transfer payment method and a tax
    rule in `market` (the `market` fixture)."""
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
    address_id = step("address", lambda: api.create("addresses", ADDRESS), 201)["data"]["id"]
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
