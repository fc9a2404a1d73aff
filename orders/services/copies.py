"""Order copies (reorders, aftersale.md §4): the API makes a `pending` copy, the task worker
copies its source order into a new target order, once.

- `create_copy` (the API's POST): the copy row and `order_copies.create`; once that commits,
  the task `copy_order` is enqueued (django-tasks' database queue, the worker `make run` and
  `make worker` start). The request itself never copies anything.
- `run_copy` (the task's body), in one transaction: the source order row locked first (the
  global lock order, orders/locks.py), then the copy's; a copy that is not `pending` any more
  (run already: a task delivered twice) is left alone. `pending` -> `in_progress`
  (`started_at`), then the target is built inside a savepoint: `completed` (`completed_at`,
  `target_order`), or `failed` (`failed_at`, `errors_log` {name: [messages]}, `errors_count`)
  with the savepoint rolled back, so that no target order is left behind. A source order
  deleted before the worker got to it: `aborted`.

The target (`_build_target`), from the existing cart services:
- a new order (`carts.create_order`: own number and token) in the source's market with its
  customer, `customer_email`, `guest`, `language_code` (and tax overrides), copies of its
  addresses (one copy when billing and shipping are one address), and its payment method when
  that is still available to the market;
- each source sku line as a line with the same `sku_code`, `quantity`, `unit_amount_cents`,
  `name`, `image_url` and its line item options as they were (orders.services.options); a
  line whose SKU has no price in the market's price list any more is
  "gone" (logged on `line_items`, left out);
- the coupon, checked as a cart's (`carts.apply_coupon`): invalid, it is logged on
  `coupon_code` (dropped silently with `ignore_invalid_coupon`), and the promotions that need
  it are dropped with it;
- a frozen copy unless `apply_promotions`: its figures are computed with the promotions the
  source's promotion lines name (whether or not they apply now), so they equal the source's;
  the next change of the cart refreshes it as any cart's (`refresh_figures` then picks the
  promotions that apply). With `apply_promotions` the promotions that apply now are used;
- shipments planned as for a cart (`refresh_figures`), strictly, so that a SKU short of stock
  is logged on `line_items` (then planned as a cart's); each shipment keeps the source's
  method for its stock location and category (else its category, else any of the source's)
  when that method is available to it, else the cart's default;
- the payment source: with `reuse_wallet`, a new payment from the wallet entry (the customer's
  `customer_payment_sources`) the source was paid with or saved to (`wallet.use_entry`); a
  `wire_transfers` source gets a new wire transfer; any other source is not copied (the
  shopper pays again);
- then `place_target_order` (`lifecycle.place_order`) and `cancel_source_order`
  (`lifecycle.cancel_order`), each in a savepoint of its own, each refusal logged on `_place` /
  `_cancel` with every error's detail. The source's cancellation is checked against its table
  before the target is placed (when errors count), so that a cancellation bound to be refused
  never leaves a placed, authorized target to be rolled back.

Errors: the logged ones fail the copy unless `skip_errors` (then the copy completes with them
in `errors_log`). What keeps the target from being made at all fails it even with `skip_errors`:
a source without sku lines, none of whose SKUs is sold any more, a market now disabled or in
another currency.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from commerce.auth.context import INTEGRATION, TokenContext
from commerce.events import emit_event, triggers_only
from commerce.exceptions import CommerceError, ValidationError, ValidationErrors
from commerce.kept import keeping_refused_writes
from commerce.services import create_rows, save_record, write_record
from inventory.strategies import InsufficientStock
from markets.bundle_selectors import find_bundle
from markets.models import Price, Promotion
from markets.selectors import market_with_price_list
from orders.copies import COPY_STAMPS, errors_count, log_error, next_copy_status, runnable
from orders.locks import lock_order
from orders.models import CustomerPaymentSource, LineItem, Order, OrderCopy, PaymentSource
from orders.selectors import order_lines, order_shipments
from orders.services import carts, lifecycle, options, wallet
from orders.services.addresses import copy_address
from orders.services.shipments import set_shipping_method
from orders.services.stock import shortage_errors
from orders.services.totals import PROMOTION_KINDS, refresh_figures

logger = logging.getLogger(__name__)

# The order fields a target takes as they are on the source (besides market and customer).
COPIED_FIELDS = (
    "customer_email",
    "guest",
    "language_code",
    "freight_taxable",
    "payment_method_taxable",
    "shipping_country_code_lock",
)


# --- the API's create --------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def create_copy(*, values: dict) -> OrderCopy:
    """A `pending` copy of `values["source_order"]` (read within the caller's reach), its
    options as given (the serializer checked them and who may send them); the worker copies
    once this commits."""
    copy = OrderCopy(**values)
    save_record(copy, validate=values)
    emit_event("order_copies.create", copy)
    # robust: a queue hiccup after commit must not fail the request (the copy stays pending).
    transaction.on_commit(partial(enqueue_copy, copy.pk), robust=True)
    return copy


def enqueue_copy(copy_id: int) -> None:
    copy_order.enqueue(copy_id)


@task()
def copy_order(copy_id: int) -> str:
    """The background task: "run copy X" (on the default queue, which the worker runs). The
    copy row says what and whether; the task carries only its id, so running it twice copies
    once."""
    return run_copy(copy_id)


# --- the worker's run --------------------------------------------------------------------


class _Failed(Exception):
    """The copy fails: its savepoint, with the target order, is rolled back."""


def move_copy(copy: OrderCopy, trigger: str) -> OrderCopy:
    """The one writer of a copy's status: asks the table (orders.copies), stamps, saves the
    copy with what the caller set on it, and emits `order_copies.<trigger>`."""
    copy.status = next_copy_status(copy.status, trigger)
    stamp = COPY_STAMPS.get(copy.status)
    if stamp is not None:
        setattr(copy, stamp, timezone.now())
    with triggers_only():  # a move records its own topic, not an `.update` besides (bulk.md)
        write_record(copy)
    emit_event(f"order_copies.{trigger}", copy, status=copy.status)
    return copy


def run_copy(copy_id: int) -> str:
    """Run copy `copy_id` if it is pending; what happened, for the task's result."""
    with transaction.atomic():
        source_id = OrderCopy.objects.filter(pk=copy_id).values_list("source_order_id", flat=True)
        source_id = next(iter(source_id), None)
        source = _lock_source(source_id)  # the order row first (orders/locks.py)
        copy = OrderCopy.objects.select_for_update(of=("self",)).filter(pk=copy_id).first()
        if copy is None or not runnable(copy.status):
            return "skipped"
        if source is None or copy.source_order_id != source.pk:
            move_copy(copy, "abort")
            return "aborted"
        move_copy(copy, "start")
        log: dict[str, list[str]] = {}
        target = None
        try:
            with transaction.atomic():
                target = _copy(copy, source, log)
        except _Failed:
            target = None
        except CommerceError as refusal:  # the target could not be made at all
            _log_refusal(log, refusal)
            target = None
        except Exception:  # a bug of ours: logged, and the copy fails rather than stay pending
            logger.exception("order copy %s could not be made", copy.public_id)
            log_error(log, "base", "the order could not be copied (an unexpected error)")
            target = None
        copy.errors_log = log
        copy.errors_count = errors_count(log)
        if target is None:
            move_copy(copy, "fail")
            return "failed"
        copy.target_order = target
        move_copy(copy, "complete")
        return "completed"


def _lock_source(source_id: int | None) -> Order | None:
    if source_id is None:
        return None
    try:
        return lock_order(Order(pk=source_id))
    except Order.DoesNotExist:  # deleted meanwhile
        return None


def _copy(copy: OrderCopy, source: Order, log: dict) -> Order:
    """The target order, built, placed and the source cancelled as the copy asks; raises
    _Failed when something is logged and errors count."""
    ctx = TokenContext(
        kind=INTEGRATION, application_id=source.application_id or 0, client_id="order_copies"
    )
    counts = not copy.skip_errors
    target = _build_target(copy, source, log, ctx=ctx)
    if log and counts:
        raise _Failed()
    if copy.cancel_source_order and counts:
        blocker = lifecycle.cancel_refusal(source)
        if blocker is not None:
            _log_refusal(log, blocker, step="_cancel")
            raise _Failed()
    if copy.place_target_order:
        _attempt(log, "_place", lambda: lifecycle.place_order(lock_order(target), ctx=ctx))
        if log and counts:
            raise _Failed()
    if copy.cancel_source_order:
        _attempt(log, "_cancel", lambda: lifecycle.cancel_order(source, ctx=ctx))
        if log and counts:
            raise _Failed()
    return target


def _build_target(copy: OrderCopy, source: Order, log: dict, *, ctx: TokenContext) -> Order:
    source_lines = order_lines(source)
    sku_lines = [li for li in source_lines if li.item_type == "skus"]
    bundle_lines = [li for li in source_lines if li.item_type == "bundles"]
    if not sku_lines and not bundle_lines:
        raise ValidationError(
            "line_items", "the source order has no sku lines", error="blank", relationship=True
        )
    market = market_with_price_list(source.market_id)
    if market.price_list.currency_code != source.currency_code:
        raise ValidationError(
            "market",
            f"sells in {market.price_list.currency_code} now, the source order is in "
            f"{source.currency_code}",
            error="invalid",
            relationship=True,
        )
    bundles = _bundles_sold(bundle_lines, market, source.currency_code, log)
    lines = _lines_sold(sku_lines, market, log, required=not bundles)
    values = {name: getattr(source, name) for name in COPIED_FIELDS}
    values.update(market=market, customer_id=source.customer_id)
    method = source.payment_method
    if method is not None and method.available_to(market.pk, source.currency_code):
        values["payment_method"] = method  # else none: the shopper picks one
    target = carts.create_order(ctx=ctx, values=values)
    _copy_addresses(source, target)
    new_lines = [
        LineItem(
            order=target,
            item_type="skus",
            sku_id=li.sku_id,
            sku_code=li.sku_code,
            quantity=li.quantity,
            unit_amount_cents=li.unit_amount_cents,
            options_amount_cents=li.options_amount_cents,  # its options, copied below
            name=li.name,
            image_url=li.image_url,
        )
        for li in lines
    ]
    # A bundle line as its source was (catalog.md "Bundles"): its unit too, as a sku line's.
    new_bundle_lines = [
        LineItem(
            order=target,
            item_type="bundles",
            bundle=bundle,
            bundle_code=bundle.code,
            quantity=li.quantity,
            unit_amount_cents=li.unit_amount_cents,
            compare_at_amount_cents=li.compare_at_amount_cents,
            name=li.name,
            image_url=li.image_url,
        )
        for li, bundle in bundles
    ]
    create_rows(new_lines + new_bundle_lines)
    for line in new_lines + new_bundle_lines:
        emit_event("line_items.create", line)
    options.copy_options(zip(lines, new_lines, strict=True))
    coupon_kept = _copy_coupon(copy, source, target, log)
    promotions = None if copy.apply_promotions else _frozen_promotions(source_lines, coupon_kept)
    try:
        _, shipments = refresh_figures(target, strict=True, promotions=promotions)
    except InsufficientStock as shortage:
        for error in shortage_errors(shortage, new_lines + new_bundle_lines):
            log_error(log, "line_items", error.title)
        _, shipments = refresh_figures(target, promotions=promotions)  # as a cart's
    if _keep_shipping_methods(source, shipments):
        refresh_figures(target, reship=False, promotions=promotions)
    _copy_payment_source(copy, source, target, log, ctx=ctx)
    return target


def _bundles_sold(bundle_lines: list[LineItem], market, currency_code: str, log: dict) -> list:
    """[(source line, bundle)] of the source's bundle lines whose code the market still sells
    (its bundle, or a market-less one in the currency, with a price); the others are logged."""
    sold = []
    for line in bundle_lines:
        bundle = find_bundle(line.bundle_code, market, currency_code)
        if bundle is None or bundle.price_amount_cents is None:
            log_error(log, "line_items", f"{line.bundle_code}: is no longer sold in {market.code}")
        else:
            sold.append((line, bundle))
    return sold


def _lines_sold(
    sku_lines: list[LineItem], market, log: dict, *, required: bool = True
) -> list[LineItem]:
    """The source's sku lines whose SKU the market still sells (has a price for); the others
    are logged. None left (and no bundle line either, unless not `required`): the target
    can't be made."""
    sold = set(
        Price.objects.filter(
            price_list_id=market.price_list_id, sku_id__in={li.sku_id for li in sku_lines}
        ).values_list("sku_id", flat=True)
    )
    kept = []
    for line in sku_lines:
        if line.sku_id is not None and line.sku_id in sold:
            kept.append(line)
        else:
            log_error(log, "line_items", f"{line.sku_code}: is no longer sold in {market.code}")
    if not kept and required:
        raise ValidationError(
            "line_items",
            "none of the source order's SKUs is sold any more",
            error="invalid",
            relationship=True,
        )
    return kept


def _copy_addresses(source: Order, target: Order) -> None:
    """Copies of the source's addresses (one copy of an address used for both), written with
    the target by the refresh that follows."""
    copies = {}
    for field in ("billing_address", "shipping_address"):
        address = getattr(source, field)
        if address is None:
            continue
        if address.pk not in copies:
            copies[address.pk] = copy_address(address, owner_customer_id=address.owner_customer_id)
        setattr(target, field, copies[address.pk])


def _copy_coupon(copy: OrderCopy, source: Order, target: Order, log: dict) -> bool:
    """The source's coupon on the target, if it is still valid there. Whether it was kept."""
    code = source.coupon_code
    if not code:
        return False
    try:
        carts.apply_coupon(target, code)
    except ValidationError as refusal:
        if not copy.ignore_invalid_coupon:
            log_error(log, "coupon_code", f"{code} {refusal.title}")
        return False
    return True


def _frozen_promotions(source_lines: list[LineItem], coupon_kept: bool) -> list[Promotion]:
    """The promotions the source's promotion lines name, in the order they apply (priority,
    then age, as markets.selectors.running_promotions), but those that need a coupon the copy
    dropped."""
    ids = {li.promotion_id for li in source_lines if li.item_type in PROMOTION_KINDS}
    ids.discard(None)
    if not ids:
        return []
    promotions = (
        Promotion.objects.filter(pk__in=ids)
        .select_related("coupon_codes_promotion_rule")
        .order_by("priority", "created_at", "id")
    )
    return [
        p
        for p in promotions
        if coupon_kept or getattr(p, "coupon_codes_promotion_rule", None) is None
    ]


def _keep_shipping_methods(source: Order, shipments) -> bool:
    """Each target shipment takes the source's method for the same stock location and
    category, else the same category, else any of the source's, when available to it
    (`set_shipping_method` refuses one that is not: the cart's default stays). Whether any
    changed."""
    methods = [s for s in order_shipments(source) if s.shipping_method_id is not None]
    changed = False
    for shipment in shipments:
        ranked = sorted(
            methods,
            key=lambda s, shipment=shipment: (
                s.shipping_category_id != shipment.shipping_category_id,
                s.stock_location_id != shipment.stock_location_id,
            ),
        )
        for old in ranked:
            if old.shipping_method_id == shipment.shipping_method_id:
                break
            try:
                set_shipping_method(shipment, old.shipping_method)
            except ValidationError:
                continue  # not available to this shipment now
            changed = True
            break
    return changed


def _copy_payment_source(
    copy: OrderCopy, source: Order, target: Order, log: dict, *, ctx: TokenContext
) -> None:
    """After the figures (a Stripe payment is made for the amount): a wallet entry's new
    payment, a new wire transfer, or nothing."""
    old = source.payment_source
    if old is None or target.payment_method_id is None:
        return
    entry = _wallet_entry(old, target) if copy.reuse_wallet else None
    if entry is not None:
        _attempt(log, "payment_source", lambda: wallet.use_entry(target, entry.public_id, ctx=ctx))
        return
    if old.kind == "wire_transfers" and target.payment_method.payment_source_type == old.kind:
        carts.create_payment_source(ctx=ctx, values={"order": target}, kind="wire_transfers")


def _wallet_entry(old: PaymentSource, target: Order) -> CustomerPaymentSource | None:
    """The target's customer's wallet entry the source's payment was made from, or saved to."""
    if target.customer_id is None:
        return None
    entries = CustomerPaymentSource.objects.filter(customer_id=target.customer_id)
    if old.wallet_id is not None:
        return entries.filter(pk=old.wallet_id).first()
    return entries.filter(payment_source=old).order_by("pk").first()


def _attempt(log: dict, step: str, action) -> bool:
    """Run a trigger in a savepoint of its own; a refusal is logged under `step`, what it did
    undone (but the gateway calls a refused trigger keeps: commerce.kept)."""
    try:
        with keeping_refused_writes(), transaction.atomic():
            action()
    except CommerceError as refusal:
        _log_refusal(log, refusal, step=step)
        return False
    return True


def _log_refusal(log: dict, refusal: CommerceError, *, step: str | None = None) -> None:
    """Each error of `refusal` in the log: under `step` with its detail ("billing_address -
    can't be blank"), else under its own name with its message."""
    errors = refusal.errors if isinstance(refusal, ValidationErrors) else [refusal]
    for error in errors:
        if step is not None:
            log_error(log, step, error.detail)
        elif isinstance(error, ValidationError):
            log_error(log, error.name, error.title)
        else:
            log_error(log, "base", error.detail)
