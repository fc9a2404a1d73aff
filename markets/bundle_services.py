"""Writes of bundles (catalog.md "Bundles"), each one transaction.

A new bundle's SKU list is read under its row lock (BundleResource's `sku_list` relationship
locks it), as a new item of the list is (catalog.services): the count of its items checked here
and the freeze of its items while a bundle uses it (`list_user`, registered with the catalog)
hold until the commit.

Rules checked here, each a 422 with its pointer:
- `currency_code`: the market's price list currency when `market` is set (stored so, whatever
  was sent, when nothing was); required without a market;
- `sku_list`: a manual list of 1..10 items;
- `code`: unique per market, and among market-less bundles per currency (the database's
  constraints say the same; checked first so that a client gets a 422, not a 409).
"""

from django.db import transaction

from catalog.models import SkuList
from commerce.exceptions import ValidationError
from commerce.jsonapi.serializers import CENTS_MAX
from commerce.services import save_record, write_fields
from markets.bundle_selectors import MAX_ITEMS, component_prices
from markets.models import Bundle


def list_user(sku_list: SkuList) -> str | None:
    """Why the list's items may not change: a bundle uses it (catalog.md "SKU lists": items
    frozen while a bundle uses the list). Registered with the catalog (markets/apps.py)."""
    code = Bundle.objects.filter(sku_list=sku_list).values_list("code", flat=True).first()
    return None if code is None else f"is used by bundle {code}: its items can't change"


def _check_currency(bundle: Bundle) -> None:
    if bundle.market_id is not None:
        currency = bundle.market.price_list.currency_code
        if bundle.currency_code and bundle.currency_code != currency:
            raise ValidationError(
                "currency_code",
                f"must be {currency}, the currency of market {bundle.market.code}'s price list",
                error="invalid",
            )
        bundle.currency_code = currency
    elif not bundle.currency_code:
        raise ValidationError("currency_code", "can't be blank without a market", error="blank")


def _check_list(bundle: Bundle) -> None:
    sku_list = bundle.sku_list
    if not sku_list.manual:
        raise ValidationError(
            "sku_list",
            "must be a manual list (it has a sku_code_regex)",
            error="invalid",
            relationship=True,
        )
    count = sku_list.sku_list_items.count()
    if not 1 <= count <= MAX_ITEMS:
        raise ValidationError(
            "sku_list",
            f"must have 1 to {MAX_ITEMS} items (it has {count})",
            error="invalid",
            relationship=True,
            count=count,
        )


def _check_code(bundle: Bundle) -> None:
    others = Bundle.objects.filter(code=bundle.code)
    if bundle.market_id is not None:
        others = others.filter(market_id=bundle.market_id)
    else:
        others = others.filter(market__isnull=True, currency_code=bundle.currency_code)
    if bundle.pk is not None:
        others = others.exclude(pk=bundle.pk)
    if others.exists():
        raise ValidationError("code", "has already been taken", error="taken", value=bundle.code)


def check_bundle(bundle: Bundle, *, new: bool) -> None:
    """Every rule above of a bundle about to be written (its list's only when it is new: the
    list is set at creation and frozen since)."""
    _check_currency(bundle)
    if new:
        _check_list(bundle)
    _check_code(bundle)


@transaction.atomic(savepoint=False)
def create_bundle(*, sku_list: SkuList, **values) -> Bundle:
    return add_bundle(Bundle(sku_list=sku_list, **values))


@transaction.atomic(savepoint=False)
def add_bundle(bundle: Bundle) -> Bundle:
    """A new bundle (the API's values, or the admin's form) checked and written."""
    check_bundle(bundle, new=True)
    return save_record(bundle)


@transaction.atomic(savepoint=False)
def update_bundle(bundle: Bundle, values: dict) -> Bundle:
    """`code`, `currency_code` and the plain attributes (market and list are set at creation)."""
    for name, value in values.items():
        setattr(bundle, name, value)
    if "currency_code" in values or "code" in values:
        _check_currency(bundle)
        _check_code(bundle)
    return save_record(bundle, validate=values)


def components_total(bundle: Bundle, trigger: str) -> int:
    """Σ component price x item quantity in the market's price list (catalog.md): 422 on the
    trigger without a market, or when a component has no price there."""
    if bundle.market_id is None:
        raise ValidationError(
            trigger, "needs a market: prices are read from its price list", error="invalid"
        )
    prices, items = component_prices(bundle)
    missing = [item.sku.code for item in items if item.sku_id not in prices]
    if missing:
        raise ValidationError(
            trigger,
            f"{', '.join(missing)} has no price in market {bundle.market.code}",
            error="no_price",
        )
    total = sum(prices[item.sku_id] * item.quantity for item in items)
    if total > CENTS_MAX:
        raise ValidationError(trigger, "the components' total is too large", error="invalid")
    return total


def compute_price_amount(bundle: Bundle, value=True, *, ctx=None) -> Bundle:
    """`_compute_price_amount`: the price becomes the components' total."""
    bundle.price_amount_cents = components_total(bundle, "_compute_price_amount")
    write_fields(bundle, ["price_amount_cents", "updated_at"])
    return bundle


def compute_compare_at_amount(bundle: Bundle, value=True, *, ctx=None) -> Bundle:
    """`_compute_compare_at_amount`: the compare-at amount becomes the components' total (their
    prices, as CL's docs say, not their compare-at amounts)."""
    bundle.compare_at_amount_cents = components_total(bundle, "_compute_compare_at_amount")
    write_fields(bundle, ["compare_at_amount_cents", "updated_at"])
    return bundle
