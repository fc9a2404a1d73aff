"""Reads of bundles (catalog.md "Bundles"): a bundle's components, what it is derived from
them, the bundle a line's `bundle_code` names, and its components' prices."""

from django.db.models import Q

from catalog.models import SkuListItem
from markets.models import Bundle, Market, Price

# A bundle holds 1..10 items of a manual SKU list (catalog.md "Bundles").
MAX_ITEMS = 10


def bundle_items(bundle: Bundle) -> list[SkuListItem]:
    """The bundle's components: its list's items with their SKUs, by position (ties: creation).
    From the list's prefetched items when a document read them, else one query; kept on the
    instance, as the derived attributes read them three times."""
    cached = bundle.__dict__.get("_bundle_items")
    if cached is not None:
        return cached
    sku_list = bundle.sku_list
    if sku_list.is_prefetched("sku_list_items"):
        items = sorted(
            sku_list.sku_list_items.all(), key=lambda i: (i.position, i.created_at, i.pk)
        )
    else:
        items = list(
            SkuListItem.objects.filter(sku_list_id=bundle.sku_list_id)
            .select_related("sku")
            .order_by("position", "created_at", "id")
        )
    bundle.__dict__["_bundle_items"] = items
    return items


def every_component(bundle: Bundle, flag: str) -> bool:
    """`do_not_ship` / `do_not_track` of a bundle: every component has it (none: false)."""
    items = bundle_items(bundle)
    return bool(items) and all(getattr(item.sku, flag) for item in items)


def find_bundle(code: str, market: Market, currency_code: str) -> Bundle | None:
    """The bundle a line's `bundle_code` names in an order: the order market's, else a
    market-less one in the order's currency (catalog.md). One query for both."""
    rows = Bundle.objects.filter(
        Q(market=market) | Q(market__isnull=True, currency_code=currency_code), code=code
    )
    found = sorted(rows, key=lambda bundle: bundle.market_id is None)  # the market's first
    return found[0] if found else None


def component_prices(bundle: Bundle) -> tuple[dict[int, int], list[SkuListItem]]:
    """({sku pk: price amount_cents} in the bundle market's price list, the items): what the
    compute triggers sum. One query for the prices (the items as `bundle_items` reads them)."""
    items = bundle_items(bundle)
    prices = Price.objects.filter(
        price_list_id=bundle.market.price_list_id, sku_id__in=[item.sku_id for item in items]
    ).values_list("sku_id", "amount_cents")
    return dict(prices), items
