"""Writes of SKU lists' items (catalog.md "SKU lists"), each one transaction.

A new item's list is read under its row lock (SkuListItemResource's `sku_list` relationship
locks it), so the checks below and the position after the last item hold until the commit.
"""

from django.db import transaction
from django.db.models import Max

from catalog.models import SkuList, SkuListItem
from commerce.exceptions import ValidationError
from commerce.services import save_record
from inventory.models import Sku


def _check_sku(sku_list: SkuList, sku: Sku, *, item: SkuListItem | None = None) -> None:
    """One item per SKU in a list (422 on the `sku` relationship)."""
    others = SkuListItem.objects.filter(sku_list=sku_list, sku=sku)
    if item is not None:
        others = others.exclude(pk=item.pk)
    if others.exists():
        raise ValidationError(
            "sku", f"{sku.code} is already in this list", error="taken", relationship=True
        )


@transaction.atomic(savepoint=False)
def add_sku_list_item(*, sku_list: SkuList, sku: Sku, **values) -> SkuListItem:
    """An item of a manual list (an automatic one is a 422 on `sku_list`), placed after the
    last one unless `position` is given."""
    if not sku_list.manual:
        raise ValidationError(
            "sku_list",
            "must be a manual list (it has a sku_code_regex)",
            error="invalid",
            relationship=True,
        )
    _check_sku(sku_list, sku)
    if values.get("position") is None:
        last = SkuListItem.objects.filter(sku_list=sku_list).aggregate(last=Max("position"))
        values["position"] = (last["last"] or 0) + 1
    item = SkuListItem(sku_list=sku_list, sku=sku, **values)
    return save_record(item)


@transaction.atomic(savepoint=False)
def update_sku_list_item(item: SkuListItem, values: dict) -> SkuListItem:
    """Position, quantity, or another SKU (by `sku_code`) not yet in the list."""
    sku = values.get("sku")
    if sku is not None and sku.pk != item.sku_id:
        _check_sku(item.sku_list, sku, item=item)
    for name, value in values.items():
        setattr(item, name, value)
    return save_record(item)
