"""Two captures of one Stripe-paid order at once (PostgreSQL only, real threads; payments.md
rule 3): gateway calls happen under the order's row lock, so the second capture waits for the
first, then finds the order paid and is refused without calling Stripe. One capture reaches
Stripe, one is recorded."""

import pytest

from orders.models import Transaction
from tests.inventory.racing import all_at_once, assert_clean

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]


def test_two_captures_at_once_reach_stripe_once(placed, integration, fake_stripe):
    order, authorization, intent_id = placed
    results = all_at_once(
        [
            ("order", integration.token, "orders", order.public_id, {"_capture": True}),
            (
                "authorization",
                integration.token,
                "authorizations",
                authorization.public_id,
                {"_capture": True},
            ),
        ]
    )
    assert_clean(results)
    codes = sorted(code for code, _ in results.values())
    assert codes == [200, 422], results
    assert len(fake_stripe.calls("payment_intents.capture")) == 1
    captures = Transaction.objects.filter(order=order, kind="captures")
    assert [(c.amount_cents, c.succeeded) for c in captures] == [
        (order.total_amount_with_taxes_cents, True)
    ]
    assert fake_stripe.get(intent_id)["amount_received"] == order.total_amount_with_taxes_cents
