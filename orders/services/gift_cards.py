"""Gift cards (catalog.md "Gift cards"): the cards and their recipients, their triggers, a cart
buying one as a line item and redeeming one by its code. What `_place`, `_cancel`, a full refund
and `_stop_editing` do with a card's balance is orders.services.gift_card_balance's.

Choices where catalog.md is silent:
- `currency_code` may be left out when a `market` is given (the market's currency is taken);
  given with one, it must be the market's. It changes only while the card is a draft.
- A sales channel or customer creates a `draft` card of its own market, with `balance_cents`,
  `currency_code`, `image_url` and `recipient_email` (the rest is the back office's); it reads
  a card by id, without the ids of the orders that used it (a guest order's id is its key).
- `_activate` needs a balance (an active card without one would be unusable); `_balance_change_
  cents` 0 is a 422 (it would log nothing).
- A card bought takes one line, quantity 1, its balance as unit (an integration token can't
  set another); no line of another live order may hold it (a cancelled cart's line lets go).
  It is bought in a cart: while an order is edited, a line buying a card is neither added nor
  removed (the card was made `inactive` when the order was placed).
- The code typed is stored on the order as the card's whole code (it may be typed in part).
"""

import uuid

from django.db import transaction

from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import NotFound, ValidationError
from commerce.money import format_amount
from commerce.services import save_record, write_fields
from markets.selectors import market_with_price_list
from orders.locks import lock_gift_cards
from orders.models import GiftCard, GiftCardRecipient, LineItem, Order
from orders.selectors import customer_by_email
from orders.services.gift_card_balance import (
    BALANCE_MAX,
    change_balance,
    find_gift_card,
    is_redemption,
    move_gift_card,
    purchase_problem,
    redemption_problem,
)
from orders.services.totals import refresh_figures, refresh_order, same_record
from orders.transitions import next_gift_card_status

# What a line buying a card takes from the client besides its item (the rest is the card's).
_LINE_VALUES = ("name", "image_url", "reference", "reference_origin", "metadata", "frequency")


# --- cards and recipients -----------------------------------------------------------------


def find_or_create_recipient(email: str | None) -> GiftCardRecipient | None:
    """The recipient of this address (any case), else a new one, linked to the customer of
    that address if there is one; None for a blank address."""
    if not email:
        return None
    recipient = GiftCardRecipient.objects.filter(email__iexact=email).order_by("pk").first()
    if recipient is None:
        recipient = GiftCardRecipient(email=email, customer=customer_by_email(email))
        save_record(recipient, validate=())
        emit_event("gift_card_recipients.create", recipient)
    return recipient


def _currency_of(market) -> str:
    return market.price_list.currency_code


def check_card_values(values: dict, card: GiftCard | None = None) -> dict:
    """The rules of a new card's values (`card` None) or of a change of `card`, as the API and
    the admin check them: a 422 naming the attribute. Returns the values, a new card's currency
    taken from its market when it has none."""
    values = dict(values)
    if card is None:
        market, currency = values.get("market"), values.get("currency_code")
        if market is not None and currency is None:
            values["currency_code"] = currency = _currency_of(market)
        if currency is None:
            raise ValidationError("currency_code", "can't be blank", error="blank")
        if market is not None and currency != _currency_of(market):
            raise ValidationError(
                "currency_code",
                f"must be the market's currency, {_currency_of(market)}",
                error="invalid",
            )
        maximum = values.get("balance_max_cents")
        if maximum is not None and values.get("balance_cents", 0) > maximum:
            raise ValidationError(
                "balance_cents",
                f"must be less than or equal to balance_max_cents, {maximum}",
                error="less_than_or_equal_to",
                count=maximum,
            )
        return values
    currency = values.get("currency_code", card.currency_code)
    if currency != card.currency_code and card.status != "draft":
        raise ValidationError(
            "currency_code", f"can't be changed once the card is {card.status}", error="frozen"
        )
    if "market" in values or "currency_code" in values:
        market = values["market"] if "market" in values else card.market
        if market is not None and _currency_of(market) != currency:
            raise ValidationError(
                "market", f"sells in {_currency_of(market)}", error="invalid", relationship=True
            )
    maximum = values.get("balance_max_cents")
    if maximum is not None and maximum < card.balance_cents:
        raise ValidationError(
            "balance_max_cents",
            f"must be greater than or equal to the balance, {card.balance_cents}",
            error="greater_than_or_equal_to",
            count=card.balance_cents,
        )
    return values


@transaction.atomic(savepoint=False)
def create_gift_card(*, ctx: TokenContext, values: dict) -> GiftCard:
    """A new `draft` card; its initial balance is its balance."""
    values = dict(values)
    email = values.pop("recipient_email", ...)
    if not ctx.is_integration:
        # A storefront's card is of its market (auth.md: it creates a draft card).
        values["market"] = market_with_price_list(ctx.market_id) if ctx.market_id else None
    values = check_card_values(values)
    values["code"] = values.get("code") or str(uuid.uuid4())
    card = GiftCard(**values, initial_balance_cents=values.get("balance_cents", 0))
    if email is not ...:
        card.gift_card_recipient = find_or_create_recipient(email)
    # The client's values and the code (unique: a taken one is a 422); the logs start empty.
    save_record(card, validate={*values, "code"})
    emit_event("gift_cards.create", card)
    return card


@transaction.atomic(savepoint=False)
def update_gift_card(card: GiftCard, values: dict, *, ctx: TokenContext) -> GiftCard:
    """`card` read under its row lock. Its balance moves only through its triggers."""
    values = dict(values)
    email = values.pop("recipient_email", ...)
    values = check_card_values(values, card)
    for name, value in values.items():
        setattr(card, name, value)
    if email is not ...:
        card.gift_card_recipient = find_or_create_recipient(email)
    save_record(card, validate=values)
    return card


# --- triggers (each on a card read under its lock) ----------------------------------------


def purchase_gift_card(card: GiftCard, value=True, *, ctx=None) -> GiftCard:
    """`_purchase`: draft -> inactive (bought, not yet usable)."""
    return _move(card, "purchase")


def activate_gift_card(card: GiftCard, value=True, *, ctx=None) -> GiftCard:
    """`_activate`: -> active, usable; a card without balance can't be."""
    next_gift_card_status(card.status, "activate")  # the table's refusal first
    if card.balance_cents <= 0:
        raise ValidationError("_activate", "a gift card without balance can't be activated")
    return _move(card, "activate")


def deactivate_gift_card(card: GiftCard, value=True, *, ctx=None) -> GiftCard:
    """`_deactivate`: active -> inactive."""
    return _move(card, "deactivate")


def _move(card: GiftCard, trigger: str) -> GiftCard:
    move_gift_card(card, trigger)
    write_fields(card, ["status", "updated_at"])
    return card


def change_gift_card_balance(card: GiftCard, value: int, *, ctx=None) -> GiftCard:
    """`_balance_change_cents`: add (only to a `rechargeable` card, up to `balance_max`) or
    remove balance, never below 0; logged, the status following (a redeemed card given some
    is active again, an active one left with none is redeemed)."""
    name = "_balance_change_cents"
    if value == 0:
        raise ValidationError(name, "must be other than 0", error="other_than", count=0)
    if value > 0 and not card.rechargeable:
        raise ValidationError(name, "can't add balance to a card that is not rechargeable")
    balance = card.balance_cents + value
    currency = card.currency_code
    if balance < 0:
        raise ValidationError(
            name,
            f"can't take more than the balance, {format_amount(card.balance_cents, currency)}",
            error="greater_than_or_equal_to",
            count=-card.balance_cents,
        )
    maximum = min(BALANCE_MAX, card.balance_max_cents or BALANCE_MAX)
    if balance > maximum:
        raise ValidationError(
            name,
            f"would take the balance above its maximum, {format_amount(maximum, currency)}",
            error="less_than_or_equal_to",
            count=maximum - card.balance_cents,
        )
    return change_balance(card, value)


# The card triggers an operator sends from the admin, by name (the API's `_<name>`).
OPERATOR_TRIGGERS = {
    "purchase": purchase_gift_card,
    "activate": activate_gift_card,
    "deactivate": deactivate_gift_card,
    "balance_change_cents": change_gift_card_balance,
}


@transaction.atomic(savepoint=False)
def run_operator_trigger(card: GiftCard, name: str, value=True) -> GiftCard:
    """The API's `_<name>` for an operator: the card re-read under its row lock, then the
    trigger's service."""
    locked = lock_gift_cards([card.pk]).get(card.pk)
    if locked is None:
        raise NotFound()
    return OPERATOR_TRIGGERS[name](locked, value)


# --- a cart buying a card -----------------------------------------------------------------


def add_gift_card_line(order: Order, item, values: dict, *, ctx: TokenContext) -> LineItem:
    """`order` read under its row lock and editable (orders.services.carts.create_line_item).
    The card is locked (after the order: orders/locks.py, step 2) while it is checked free."""
    if order.status == "editing":
        raise ValidationError(
            "item_type", "a gift card is bought in a cart, not while the order is edited"
        )
    if not isinstance(item, GiftCard):
        raise ValidationError("item", "must be a gift card", error="blank", relationship=True)
    for name in ("sku", "bundle_code", "options_amount_cents"):
        if values.get(name):
            raise ValidationError(name, "must be blank on a line of gift_cards", error="present")
    if values.get("quantity", 1) != 1:
        raise ValidationError("quantity", "must be equal to 1", error="equal_to", count=1)
    card = lock_gift_cards([item.pk]).get(item.pk)
    problem = purchase_problem(card, order) if card is not None else "not found"
    if problem is None and _held(card):
        problem = "is a gift card another order is buying"
    if problem is not None:
        raise ValidationError("item", problem, error="invalid", relationship=True)
    unit = values.get("unit_amount_cents")
    if unit is not None and unit != card.balance_cents:
        raise ValidationError(
            "unit_amount_cents",
            "must be the gift card's balance",
            error="equal_to",
            count=card.balance_cents,
        )
    line = LineItem(
        order=order,
        item_type="gift_cards",
        gift_card=card,
        quantity=1,
        unit_amount_cents=card.balance_cents,
        total_amount_cents=card.balance_cents,
        **{name: values[name] for name in _LINE_VALUES if values.get(name) is not None},
    )
    line.name = line.name or f"Gift card {format_amount(card.balance_cents, card.currency_code)}"
    line.image_url = line.image_url or card.image_url
    save_record(line, validate=())
    lines, _ = refresh_figures(order, reship=False)  # a card ships nothing
    emit_event("line_items.create", line)
    return same_record(line, lines)


def _held(card: GiftCard) -> bool:
    """Whether a line of a live order (this one too) buys the card already."""
    lines = LineItem.objects.filter(gift_card=card, item_type="gift_cards")
    return lines.filter(unit_amount_cents__gt=0).exclude(order__status="cancelled").exists()


def update_gift_card_line(line: LineItem, values: dict, *, ctx: TokenContext) -> LineItem:
    """A line buying a card keeps its quantity (1) and unit (the card's balance); its name,
    image and notes change. The line of a card redeemed follows the order's gift_card_code."""
    if is_redemption(line):
        raise ValidationError(
            "item_type", "the gift card's line follows the order's gift_card_code"
        )
    if values.get("quantity", 1) != 1:
        raise ValidationError("quantity", "must be equal to 1", error="equal_to", count=1)
    if values.get("sku") is not None:
        raise ValidationError("sku", "must be blank on a line of gift_cards", error="present")
    if values.get("unit_amount_cents", line.unit_amount_cents) != line.unit_amount_cents:
        raise ValidationError(
            "unit_amount_cents",
            "must be the gift card's balance",
            error="equal_to",
            count=line.unit_amount_cents,
        )
    for name in _LINE_VALUES:
        if name in values:
            setattr(line, name, values[name])
    save_record(line, validate=values)
    lines, _ = refresh_figures(line.order, reship=False)
    return same_record(line, lines)


def remove_gift_card_line(line: LineItem, *, ctx: TokenContext) -> None:
    """A cart lets go of a card it was buying; the line of a card redeemed goes with a blank
    gift_card_code instead."""
    order = line.order
    if is_redemption(line):
        raise ValidationError(
            "item_type", "the gift card's line follows the order: send a blank gift_card_code"
        )
    if order.status == "editing":
        raise ValidationError("item_type", "a gift card bought stays while the order is edited")
    emit_event("line_items.destroy", line)
    line.delete()
    refresh_order(order, reship=False)


# --- a cart redeeming a card --------------------------------------------------------------


def apply_gift_card_code(order: Order, code: str | None) -> None:
    """The order's `gift_card_code` (a cart's; not saved: the caller's refresh writes it): blank
    removes the card; else the card it names must be usable by the order (a 422 on
    `gift_card_code` says why not), and the card's whole code is kept."""
    code = (code or "").strip()
    if not code:
        order.gift_card_code = None
        return
    card = find_gift_card(code)
    problem = redemption_problem(card, order)
    if problem is not None:
        raise ValidationError("gift_card_code", problem, error="invalid", value=code)
    order.gift_card_code = card.code
    order._gift_card = card  # priced by the refresh without reading it again
