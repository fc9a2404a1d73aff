"""Row locks, always taken in one global order so that concurrent checkouts queue instead of
deadlocking. The whole order is written down here, once; each step is taken by the module
named, in this order:

1. the order row: `lock_order` (this module), or the API's write path, which reads the row
   being written and its order under the order's lock (`locked_through`, commerce.jsonapi.rows);
   then, for a shipment's moves and its parcels, the shipment row (`lock_shipment`, this
   module) and the package a parcel is made from (`lock_package`);
2. the gift cards an order buys or redeems, by primary key (`lock_gift_cards`, this module,
   called by orders.services.gift_card_balance: `_place` takes the balance, `_cancel`, a full
   refund and `_stop_editing` give it back; a cart adding a card to buy checks it is free);
   then the coupon, then the promotions one by one by primary key, those with a usage limit:
   the conditional UPDATE that counts a use (`_place`) or gives it back (`_cancel`, a full
   refund) is their lock (markets.usage, called by orders.services.usage);
3. the stock items by primary key (inventory.locks, called by orders.services.stock);
4. the coupon and the promotions without a usage limit, as in step 2: counted once the order is
   placed, so that a coupon anyone may use is not a queue for every checkout.

A step may be skipped, never taken out of turn: nothing locks a coupon or a promotion with a
usage limit once it holds a stock item, and nothing locks a stock item once it holds one
without a limit. Stock transfers (inventory.services) lock only stock items, by primary key,
and a gift card's own triggers (`_activate`, `_balance_change_cents` ...) lock only the card.
"""

from django.db.models import Q

from inventory.models import Package
from orders.models import GiftCard, Order, Shipment

# What the order's services read along with the order (the API's views read it so too).
ORDER_LOCK_RELATED = (
    "market__inventory_model",
    "payment_method__payment_gateway",
    "payment_source",
    "billing_address",
    "shipping_address",
)


def lock_order(order: Order) -> Order:
    """Re-read the order under its row lock (step 1), with what its services read."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related(*ORDER_LOCK_RELATED)
        .get(pk=order.pk)
    )


def lock_gift_cards(ids=(), *, code: str | None = None) -> dict[int, GiftCard]:
    """Lock the gift cards `ids` and the one whose code is `code` (step 2, before the coupon),
    in one statement, in primary key order: {pk: card}."""
    wanted = Q(pk__in=sorted(set(ids)))
    if code:
        wanted |= Q(code=code)
    rows = GiftCard.objects.filter(wanted).order_by("pk").select_for_update(of=("self",))
    return {card.pk: card for card in rows}


def lock_shipment(shipment: Shipment) -> Shipment:
    """The shipment's order, then the shipment, each re-read under its row lock (step 1); the
    locked order is attached. Parcels and their line items are written under it, so the
    shipment row is what serialises the packing of one shipment (shipping.md)."""
    order = lock_order(Order(pk=shipment.order_id))
    locked = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment.pk)
    locked.order = order
    return locked


def lock_package(package: Package) -> Package | None:
    """The package a parcel is made from, re-read under its row lock after the shipment's, so
    that it is not deleted meanwhile (a delete locks it too); None when it is gone."""
    return Package.objects.select_for_update(of=("self",)).filter(pk=package.pk).first()
