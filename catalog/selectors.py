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
    """`members_among` for lists already read (a promotion's `sku_list`, selected with it)."""
    sku_lists = {sl.pk: sl for sl in sku_lists}
    skus = {sku.pk: sku for sku in skus}
    result: dict[int, set[int]] = {pk: set() for pk in sku_lists}
    manual = [pk for pk, sl in sku_lists.items() if sl.manual]
    if manual and skus:
        rows = SkuListItem.objects.filter(sku_list_id__in=manual, sku_id__in=skus).values_list(
            "sku_list_id", "sku_id"
        )
        for list_id, sku_id in rows.order_by():
            result[list_id].add(sku_id)
    for pk, sl in sku_lists.items():
        if not sl.manual:
            result[pk] = {
                sku_pk for sku_pk, sku in skus.items() if regex_matches(sl.sku_code_regex, sku.code)
            }
    return result
