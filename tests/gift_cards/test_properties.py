"""catalog.md's property of gift cards, with hypothesis over HTTP: whatever orders are placed with
a card, cancelled or refunded, and whatever the back office adds or takes, its balance never
goes below 0 and

    balance + what the uncancelled orders took (their redemptions) = initial + recharges

where recharges are the `_balance_change_cents` taken (either sign); an uncancelled placed order
holds exactly what it pays with the card (-gift_card_amount), a cancelled one nothing."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import GiftCard, Order
from tests.gift_cards.conftest import card, cart

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("place"), st.integers(1, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.tuples(st.just("refund"), st.integers(0, 5)),
        st.tuples(st.just("change"), st.integers(-4000, 4000).filter(bool)),
    ),
    min_size=1,
    max_size=6,
)


class _Undo(Exception):
    pass


def _run(api, shop, initial, steps) -> None:
    gift_card = card(balance_cents=initial, status="active" if initial else "redeemed")
    orders: list[Order] = []
    recharges = 0
    for step, value in steps:
        if step == "place":
            order = cart(shop, [(shop["sku"], value)])  # $10.00 a unit + $5.00 shipping
            code = api.update("orders", order.public_id, {"gift_card_code": gift_card.code})
            if code.status_code == 200:
                placed = api.update("orders", order.public_id, {"_place": True})
                assert placed.status_code == 200, placed.json()
                orders.append(order)
            else:  # a card redeemed: no balance to pay with
                assert GiftCard.objects.get(pk=gift_card.pk).balance_cents == 0
        elif step in ("cancel", "refund") and orders:
            order = Order.objects.get(pk=orders[value % len(orders)].pk)
            if order.status == "cancelled":
                continue
            if step == "refund" and order.total_amount_with_taxes_cents > 0:
                api.update("orders", order.public_id, {"_approve_and_capture": True})
                done = api.update("orders", order.public_id, {"_refund": True})
            else:
                done = api.update("orders", order.public_id, {"_cancel": True})
            assert done.status_code == 200, done.json()
        elif step == "change":
            changed = api.update(
                "gift_cards", gift_card.public_id, {"_balance_change_cents": value}
            )
            if changed.status_code == 200:
                recharges += value
            else:  # below 0 only: the card is rechargeable, without a maximum
                assert changed.status_code == 422
        gift_card.refresh_from_db()
        held = 0
        for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
            use = gift_card.usage_log.get(order.public_id, {}).get("amount_cents", 0)
            expected = 0 if order.status == "cancelled" else -order.gift_card_amount_cents
            assert use == expected, (order.status, use, expected)
            held += use
        assert gift_card.balance_cents >= 0
        assert gift_card.balance_cents + held == initial + recharges
        assert sum(e["balance_change_cents"] for e in gift_card.balance_log) == (
            gift_card.balance_cents - initial
        )
        assert (gift_card.status == "redeemed") == (gift_card.balance_cents == 0)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(initial=st.sampled_from([0, 700, 2500, 6000]), steps=STEPS)
def test_balance_and_redemptions_add_up_to_initial_and_recharges(integration, shop, initial, steps):
    try:
        with transaction.atomic():  # each example from the same shop, rolled back after
            _run(integration, shop, initial, steps)
            raise _Undo
    except _Undo:
        pass
