"""Checkouts racing for one gift card's balance (PostgreSQL only, real threads). Each cart has its
own SKU, so only the card stands between them. `_place` locks the card (orders/locks.py, step 2)
and checks its balance under the lock: of N carts each shown G of a card that holds K x G, K
are placed and the others get a 422 on `gift_card_code`, left pending with nothing authorized;
the balance never goes below 0 and equals what the placed orders did not take. Without the
lock every cart read the same balance, all were placed and the balance lost all but one
taking."""

from collections import Counter

import pytest

from orders.models import GiftCard, Order, Transaction
from tests import factories as f
from tests.gift_cards.conftest import card, redeem
from tests.inventory.racing import all_at_once, assert_clean, deadlocks_detected
from tests.shop import make_cart

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.usefixtures("races"),
]


def own_sku_cart(shop, api, code) -> Order:
    """A ready cart of one $20.00 unit of a SKU of its own (+ $5.00 shipping), the card's code
    applied: it shows G = min(balance, $25.00)."""
    sku = f.SkuFactory()
    f.PriceFactory(price_list=shop["market"].price_list, sku=sku, amount_cents=2000)
    f.StockItemFactory(stock_location=shop["location"], sku=sku, quantity=5)
    order = make_cart(shop, [(sku, 1)])
    redeem(api, order, code)
    return order


@pytest.mark.parametrize(("carts", "fits"), [(4, 1), (5, 2), (3, 3)])
def test_racing_checkouts_never_spend_a_balance_twice(shop, sales_channel, carts, fits):
    gift_card = card(balance_cents=2500 * fits)
    orders = [own_sku_cart(shop, sales_channel, gift_card.code) for _ in range(carts)]
    deadlocks_before = deadlocks_detected()

    results = all_at_once(
        [
            (o.public_id, sales_channel.token, "orders", o.public_id, {"_place": True})
            for o in orders
        ]
    )

    assert_clean(results)
    outcome = Counter(status for status, _ in results.values())
    assert outcome == ({200: fits, 422: carts - fits} if carts > fits else {200: carts})
    for order in orders:
        status, body = results[order.public_id]
        order.refresh_from_db()
        if status == 200:
            assert order.status == "placed"
            assert order.gift_card_amount_cents == -2500
            continue
        assert [e["source"]["pointer"] for e in body["errors"]] == [
            "/data/attributes/gift_card_code"
        ]
        assert (order.status, order.placed_at) == ("pending", None)
        assert not Transaction.objects.filter(order=order).exists()
    gift_card = GiftCard.objects.get(pk=gift_card.pk)
    assert gift_card.balance_cents == 0
    assert gift_card.status == "redeemed"
    assert sum(use["amount_cents"] for use in gift_card.usage_log.values()) == 2500 * fits
    assert len(gift_card.balance_log) == fits
    assert deadlocks_detected() - deadlocks_before == 0


def test_racing_checkouts_and_cancels_of_one_card_never_deadlock(shop, sales_channel, integration):
    """Carts placing with the card while placed orders that used it are cancelled: each takes
    the order, then the card, then the stock items, so nobody waits in a circle, and the
    balance ends where the arithmetic says."""
    gift_card = card(balance_cents=100_000)
    placed = [own_sku_cart(shop, sales_channel, gift_card.code) for _ in range(3)]
    for order in placed:
        assert sales_channel.update("orders", order.public_id, {"_place": True}).status_code == 200
    carts = [own_sku_cart(shop, sales_channel, gift_card.code) for _ in range(4)]
    deadlocks_before = deadlocks_detected()

    results = all_at_once(
        [(o.public_id, sales_channel.token, "orders", o.public_id, {"_place": True}) for o in carts]
        + [
            (o.public_id, integration.token, "orders", o.public_id, {"_cancel": True})
            for o in placed
        ]
    )

    assert_clean(results)
    assert Counter(status for status, _ in results.values()) == {200: 7}
    gift_card = GiftCard.objects.get(pk=gift_card.pk)
    assert gift_card.balance_cents == 100_000 - 4 * 2500
    assert deadlocks_detected() - deadlocks_before == 0
