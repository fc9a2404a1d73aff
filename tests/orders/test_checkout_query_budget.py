"""A whole guest checkout over HTTP stays within a pinned SQL statement budget (issue 7: under 40
statements for the flow). Each request's count is pinned too, so a regression names its step.
The requests run outside a test transaction (transaction=True), so the count is what a server
executes: the request's own BEGIN/COMMIT, no test savepoints."""

import pytest

from tests.checkout import run_checkout, seed_checkout_market

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture
def usa(market):
    return seed_checkout_market(market)


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


# Pinned at today's figures: 90 in all, counted as a server runs them (no test transaction
# around the requests; BEGIN and COMMIT count). 458 before the services stopped nesting
# savepoints, validating what they computed themselves, writing one event per INSERT,
# re-planning shipments on address/method changes and rewriting unchanged rows; 181 before
# writes read their order once (locked by the view), a cart's stock came with its reservations
# in one query, an address trigger's refresh stood for the PATCH's own, and generated public
# ids stopped being checked for uniqueness before the INSERT; 162 before writes were answered
# from the records their services wrote instead of reading them back; 152 before the outbox
# INSERT returned each event's webhooks instead of a lookup after it; 144 before an order was
# written once per request (not before a refreshing trigger, not before placing's own write);
# 142 before a related collection's last page was counted from its rows instead of a COUNT.
# 141 before a write's events, and those emitted before it, rode on its INSERT or one-row UPDATE
# (`WITH ev AS (INSERT INTO events ...)`), which issue 22's events for every create and update
# made worth it; 136 before an order's `pending` and a shipment's `update` rode on their
# records' statements (emitted before the write) and a billing address named on an order
# stopped being looked up twice; 133 before a new line item was inserted with its total before
# discounts and a new shipment at its method's price, which the refresh then leaves as they are;
# 129 before a refresh (and `_place`) read the cart's lines, shipments, stock line items and the
# market's stock locations, shipping methods, promotions and tax rules, and a cart's re-plan the
# stock of its lines, in one statement (commerce/together.py); 97 before a new order read its
# market with its customer, and `_place` its transactions with the rest; 95 before a shipment's
# new method was checked as the relationship read it, not among the market's methods read again;
# 94 before a storefront's new line item's SKU came with its price in its market, in one read;
# 91 before a shipment's answer showed the stock line items its refresh read with the rest.
# Issue 7 asks for under 40; see the issue note for what stands in the way. Lower these as the
# services improve; a rise is a regression.
BUDGET = {
    "create order": 7,
    "line item SKU-A": 11,
    "line item SKU-B": 9,
    "line item SKU-C": 9,
    "address": 4,
    "billing+shipping": 9,
    "shipments": 4,
    "shipping method": 9,
    "payment method": 8,
    "wire transfer": 6,
    "place": 14,
}
