"""Which SKUs a SKU list holds (catalog.md "SKU lists")."""

import re
from collections.abc import Iterable

from django.db.models import Case, QuerySet, Value, When

from catalog.models import SkuList, SkuListItem
from inventory.models import Sku


def regex_matches(pattern: str, code: str) -> bool:
    """Ruby's `code =~ /pattern/`: unanchored (`^...$` for an exact code); a pattern that does
    not compile matches nothing."""
    try:
        return re.search(pattern, code) is not None
    except re.error:
        return False


def list_skus(sku_list: SkuList) -> QuerySet:
    """The list's SKUs: a manual list's by item position (ties: creation), an automatic list's
    by code. A regex is matched in Python, so both databases agree on its dialect."""
    if sku_list.manual:
        items = SkuListItem.objects.filter(sku_list=sku_list).order_by(
            "position", "created_at", "id"
        )
        ids = list(items.values_list("sku_id", flat=True))
        if not ids:
            return Sku.objects.none()
        position = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)])
        return Sku.objects.filter(pk__in=ids).order_by(position)
    codes = Sku.objects.order_by("code").values_list("pk", "code")
    ids = [pk for pk, code in codes if regex_matches(sku_list.sku_code_regex, code)]
    return Sku.objects.filter(pk__in=ids).order_by("code")


def members_of(sku_lists: Iterable[SkuList], skus: Iterable[Sku]) -> dict[int, set[int]]:
    """For each list (already read), which of `skus` it holds."""
    return {pk: {sku for sku, _ in entries} for pk, entries in entries_of(sku_lists, skus).items()}


def entries_of(
    sku_lists: Iterable[SkuList], skus: Iterable[Sku]
) -> dict[int, list[tuple[int, int | None]]]:
    """For each list, which of `skus` it holds, in list order, each with its item `quantity`
    (None for an automatic list): a manual list's by position (ties: creation), an automatic
    list's by code. One query for every manual list together; regexes matched in Python."""
    sku_lists = {sl.pk: sl for sl in sku_lists}
    skus = {sku.pk: sku for sku in skus}
    result: dict[int, list] = {pk: [] for pk in sku_lists}
    manual = [pk for pk, sl in sku_lists.items() if sl.manual]
    if manual and skus:
        rows = SkuListItem.objects.filter(sku_list_id__in=manual, sku_id__in=skus)
        rows = rows.order_by("position", "created_at", "id")
        for list_id, sku_id, quantity in rows.values_list("sku_list_id", "sku_id", "quantity"):
            result[list_id].append((sku_id, quantity))
    by_code = sorted(skus.values(), key=lambda sku: sku.code)
    for pk, sl in sku_lists.items():
        if not sl.manual:
            result[pk] = [(s.pk, None) for s in by_code if regex_matches(sl.sku_code_regex, s.code)]
    return result


def list_size(sku_list: SkuList) -> int:
    """How many SKUs the list holds (an `all_skus` rule asks for every one of them)."""
    if sku_list.manual:
        return SkuListItem.objects.filter(sku_list=sku_list).count()
    return list_skus(sku_list).count()
