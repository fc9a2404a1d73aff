"""A gift card's status and balance (catalog.md "Gift cards"): the one writer of its status,
the one writer of its balance, and the steps an order's triggers take with the cards it buys or
redeems, each in the caller's transaction.

An order holds at most one card to redeem, named by its `gift_card_code` (the card's whole code,
set by orders.services.gift_cards), and any number of draft cards to buy (`gift_cards` line
items of a positive unit, one card each). Nothing here reads a card for an order that has
neither: an order without them costs not one more statement.

Balance timing (catalog.md, chosen so that a balance is never spent twice):
- a cart shows G = min(balance, amount to pay) (`redemption_input`, priced by orders.pricing,
  step 7) as a system line item of -G, none when G is 0 (as a promotion that gives nothing);
- `_place` locks the cards (step 2 of orders/locks.py, before the coupon and the stock), refuses
  a card no longer usable or whose balance is now below the G the cart showed (422 on
  `gift_card_code`: the shopper is not charged more than shown), then takes G from the balance;
  the cards bought become `inactive`;
- `_cancel` and a full refund give back what the order holds of the card (`usage_log`); a
  partial refund and a return's refund give back nothing;
- while an order is edited, G stays what it took, capped by the new amount to pay; at
  `_stop_editing` the difference goes back to the card.
Every balance change is a `balance_log` entry; `usage_log` says what each order holds now.
"""

from dataclasses import dataclass, field
from datetime import UTC

from django.utils import timezone

from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.money import format_amount
from commerce.services import write_fields
from orders.locks import lock_gift_cards
from orders.models import GiftCard, LineItem, Order
from orders.transitions import gift_card_balance_move, next_gift_card_status

# A card's balance stays below this (as any money written through the API, CENTS_MAX).
BALANCE_MAX = 10**13
# A code this long or longer may be typed in part: the only card whose code starts with it.
PREFIX_MIN_LENGTH = 8
_BALANCE_FIELDS = ["status", "balance_cents", "balance_log", "usage_log", "updated_at"]


# --- the writers --------------------------------------------------------------------------


def move_gift_card(card: GiftCard, trigger: str) -> str:
    """Apply one move of the gift card table (orders.transitions), with its event; the caller
    writes the card with the rest of what its step changed."""
    card.status = next_gift_card_status(card.status, trigger)
    emit_event(f"gift_cards.{trigger}", card, status=card.status)
    return card.status


def change_balance(
    card: GiftCard, change_cents: int, *, order: Order | None = None, spent_single_use=False
) -> GiftCard:
    """Add `change_cents` (either sign) to the card's balance, locked by the caller: logged in
    `balance_log`, the status following (`gift_card_balance_move`), written. The caller has
    checked the bounds (0 <= balance <= BALANCE_MAX); the database refuses a negative one."""
    now = timezone.now()
    card.balance_cents += change_cents
    card.balance_log = [
        *card.balance_log,
        {
            "datetime": timestamp(now),
            "balance_change_cents": change_cents,
            "order_id": order.public_id if order is not None else None,
        },
    ]
    if order is not None:
        entry = card.usage_log.get(order.public_id, {"order_number": order.number})
        held = entry.get("amount_cents", 0) - change_cents
        card.usage_log = {
            **card.usage_log,
            order.public_id: {**entry, "amount_cents": held, "datetime": timestamp(now)},
        }
    move = gift_card_balance_move(
        card.status, card.balance_cents, change_cents, spent_single_use=spent_single_use
    )
    if move is not None:
        move_gift_card(card, move)
    write_fields(card, _BALANCE_FIELDS)
    emit_event("gift_cards.balance_change", card, balance_change_cents=change_cents)
    return card


def timestamp(moment) -> str:
    """As the API renders a timestamp (commerce.jsonapi.fields.TimestampField)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- which card, and may it be used -------------------------------------------------------


def is_purchase(line: LineItem) -> bool:
    """A line buying a card: `gift_cards`, of the card's (positive) balance."""
    return line.item_type == "gift_cards" and line.unit_amount_cents > 0


def is_redemption(line: LineItem) -> bool:
    """The system line of the card an order redeems: `gift_cards`, of minus what it pays."""
    return line.item_type == "gift_cards" and line.unit_amount_cents <= 0


def find_gift_card(code: str) -> GiftCard | None:
    """The card of this code, else, for 8 characters or more, the only card whose code starts
    with it (catalog.md, as CL; several: none)."""
    card = GiftCard.objects.filter(code=code).first()
    if card is None and len(code) >= PREFIX_MIN_LENGTH:
        found = list(GiftCard.objects.filter(code__startswith=code).order_by("pk")[:2])
        card = found[0] if len(found) == 1 else None
    return card


def redemption_problem(card: GiftCard | None, order: Order, now=None) -> str | None:
    """Why the order can't redeem the card (the message of a 422 on `gift_card_code`), else
    None: unknown, not active, expired, in another currency or market, without balance."""
    if card is None:
        return "is not a known gift card code"
    if card.status != "active":
        return f"is a gift card that is {card.status}, not active"
    if card.expires_at is not None and card.expires_at <= (now or timezone.now()):
        return "is a gift card that has expired"
    return _order_problem(card, order)


def purchase_problem(card: GiftCard, order: Order) -> str | None:
    """Why the order can't buy the card (a 422 on `/data/relationships/item`), else None,
    besides another order holding it (`orders.services.gift_cards`)."""
    if card.status != "draft":
        return f"is a gift card that is {card.status}: only a draft one can be bought"
    return _order_problem(card, order)


def _order_problem(card: GiftCard, order: Order) -> str | None:
    """What a card must be for an order to redeem or buy it: of its currency and market (or of
    none), with a balance."""
    if card.currency_code != order.currency_code:
        return f"is a gift card in {card.currency_code}, the order is in {order.currency_code}"
    if card.market_id is not None and card.market_id != order.market_id:
        return "is a gift card of another market"
    if card.balance_cents <= 0:
        return "is a gift card without balance"
    return None


def order_gift_card(order: Order) -> GiftCard | None:
    """The card the order's `gift_card_code` names, as this request last read it (under its
    lock at `_place`), else read now."""
    card = order.__dict__.get("_gift_card")
    if card is None or card.code != order.gift_card_code:
        card = GiftCard.objects.filter(code=order.gift_card_code).first()
        order._gift_card = card
    return card


def held_cents(card: GiftCard, order: Order) -> int:
    """What the order took of the card and holds now (0 when nothing)."""
    return card.usage_log.get(order.public_id, {}).get("amount_cents", 0)


def redemption_input(order: Order) -> tuple[GiftCard | None, int]:
    """(the card, what it may pay at most) for the refresh; (None, 0) without a code, with no
    read at all. A cart's card pays up to its balance while it is usable (else nothing, and
    `_place` says why); an order being edited keeps what it took at `_place` (aftersale.md §1)
    whatever became of the card, the pricing capping it by the new amount to pay."""
    if not order.gift_card_code:
        return None, 0
    card = order_gift_card(order)
    if card is None:
        return None, 0
    if order.status == "editing":
        return card, held_cents(card, order)
    if redemption_problem(card, order) is not None:
        return card, 0
    return card, card.balance_cents


# --- `_place` -----------------------------------------------------------------------------


@dataclass
class Held:
    """The cards a placing order locked: the one it redeems, and those its lines buy."""

    card: GiftCard | None = None
    bought: list[tuple[LineItem, GiftCard]] = field(default_factory=list)


def hold_gift_cards(order: Order, lines) -> tuple[Held, list[ValidationError]]:
    """Step 2 of `_place`, after the order's lock and before the coupon's: lock the cards the
    order redeems and buys (one statement, pk order), and say what keeps it from being placed
    with them: a card to redeem no longer usable, or whose balance is below the G the cart
    showed (on `gift_card_code`); a card to buy no longer a draft of the balance its line shows,
    in the order's currency and market (on `line_items`). No statement for an order with
    neither."""
    bought = [li for li in lines if is_purchase(li)]
    if not order.gift_card_code and not bought:
        return Held(), []
    cards = lock_gift_cards((li.gift_card_id for li in bought), code=order.gift_card_code)
    held, errors = Held(), []
    if order.gift_card_code:
        held.card = next((c for c in cards.values() if c.code == order.gift_card_code), None)
        order._gift_card = held.card
        shown = -order.gift_card_amount_cents
        problem = redemption_problem(held.card, order)
        if problem is None and held.card.balance_cents < shown:
            currency = order.currency_code
            problem = (
                f"has a balance of {format_amount(held.card.balance_cents, currency)}, less "
                f"than the {format_amount(shown, currency)} it was to pay"
            )
        if problem is not None:
            errors.append(ValidationError("gift_card_code", problem, error="invalid"))
    for line in bought:
        card = cards[line.gift_card_id]
        changed = card.balance_cents != line.unit_amount_cents
        if changed or purchase_problem(card, order) is not None:  # a market moved, say
            errors.append(
                ValidationError(
                    "line_items",
                    f"gift card {card.public_id} is no longer for sale as the cart shows it",
                    error="invalid",
                    relationship=True,
                    gift_card_id=card.public_id,
                )
            )
        held.bought.append((line, card))
    return held, errors


def take_gift_cards(order: Order, held: Held) -> None:
    """Once the order is placed: G (what the refresh under the locks gave) leaves the balance
    of the card it redeems, and the cards it buys become `inactive` (the operator activates
    them once paid)."""
    amount = -order.gift_card_amount_cents
    if held.card is not None and amount > 0:
        change_balance(held.card, -amount, order=order, spent_single_use=held.card.single_use)
    for _line, card in held.bought:
        move_gift_card(card, "purchase")
        write_fields(card, ["status", "updated_at"])


# --- giving balance back ------------------------------------------------------------------


def give_back_gift_card(order: Order) -> None:
    """`_cancel` or a full refund of a placed order (before the coupon's use is given back: the
    lock order): all the order holds of its card goes back, and a redeemed card is active
    again. No statement for an order without a code."""
    if not order.gift_card_code:
        return
    card = next(iter(lock_gift_cards(code=order.gift_card_code).values()), None)
    held = held_cents(card, order) if card is not None else 0
    if held > 0:
        change_balance(card, held, order=order)


def hold_for_edit(order: Order) -> GiftCard | None:
    """`_stop_editing`, before the stock items are locked: the order's card locked (its
    balance gets back what the edit no longer pays)."""
    if not order.gift_card_code:
        return None
    card = next(iter(lock_gift_cards(code=order.gift_card_code).values()), None)
    order._gift_card = card
    return card


def settle_edit(order: Order, card: GiftCard | None) -> None:
    """`_stop_editing`, once its guards hold: what the order took beyond the G its new total
    needs goes back to the card. A single-use card stays redeemed (its order still used it)."""
    if card is None:
        return
    back = held_cents(card, order) + order.gift_card_amount_cents
    if back > 0:
        change_balance(card, back, order=order, spent_single_use=card.single_use)
