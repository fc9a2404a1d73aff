"""Writes of SKU lists' items (catalog.md "SKU lists"), each one transaction.

An item's list is read under its row lock (SkuListItemResource's `sku_list` relationship locks
it for a new item, `locked_through` for a change or a delete), so the checks below and the
position after the last item hold until the commit.

A list's items are frozen while something above the catalog uses the list (a bundle: catalog.md
"SKU lists"): those apps register a check with `register_list_user` (markets/apps.py), so this
app names none of them.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Max

from catalog.models import SkuList, SkuListItem
from commerce.exceptions import ValidationError
from commerce.services import delete_record, save_record
from inventory.models import Sku

# Checks of what uses a list: each says why its items may not change, or None.
_LIST_USERS: list[Callable[[SkuList], str | None]] = []


def register_list_user(check: Callable[[SkuList], str | None]) -> None:
    if check not in _LIST_USERS:
        _LIST_USERS.append(check)


def check_not_frozen(sku_list: SkuList, name: str = "sku_list") -> None:
    """422 on `name` (the `sku_list` relationship, or the list's `sku_code_regex`) while
    something uses the list."""
    for check in _LIST_USERS:
        problem = check(sku_list)
        if problem:
            raise ValidationError(name, problem, error="frozen", relationship=name == "sku_list")


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
    check_not_frozen(sku_list)
    _check_sku(sku_list, sku)
    if values.get("position") is None:
        last = SkuListItem.objects.filter(sku_list=sku_list).aggregate(last=Max("position"))
        values["position"] = (last["last"] or 0) + 1
    item = SkuListItem(sku_list=sku_list, sku=sku, **values)
    return save_record(item)


@transaction.atomic(savepoint=False)
def update_sku_list_item(item: SkuListItem, values: dict) -> SkuListItem:
    """Position, quantity, or another SKU (by `sku_code`) not yet in the list."""
    check_not_frozen(item.sku_list)
    sku = values.get("sku")
    if sku is not None and sku.pk != item.sku_id:
        _check_sku(item.sku_list, sku, item=item)
    for name, value in values.items():
        setattr(item, name, value)
    return save_record(item)


@transaction.atomic(savepoint=False)
def remove_sku_list_item(item: SkuListItem) -> None:
    check_not_frozen(item.sku_list)
    delete_record(item)


@transaction.atomic(savepoint=False)
def update_sku_list(sku_list: SkuList, values: dict) -> SkuList:
    """A list's attributes; a regex, which would make its items go, not while it is used."""
    if values.get("sku_code_regex") and values["sku_code_regex"] != sku_list.sku_code_regex:
        check_not_frozen(sku_list, "sku_code_regex")
    for name, value in values.items():
        setattr(sku_list, name, value)
    return save_record(sku_list)
