"""Locks are taken by the services that need them; views and admin only call (style.md 18),
read from the source: no module that parses and calls (an app's views and admin, the API's
dispatcher, read and write paths) spells `select_for_update` or calls a `lock_*` function of
its own. The write path reads its rows through commerce/jsonapi/rows.py, the one place the
kernel locks, and the domain services lock through orders/locks.py and inventory/locks.py."""

import ast

from tests.test_import_graph import MODULES

CALLERS = {
    module
    for module in MODULES
    if {"views", "admin"} & set(module.split("."))
    or module.endswith("_admin")  # an admin of its own beside an app's admin.py
    or module in ("commerce.jsonapi.reading", "commerce.jsonapi.writing")
}


def lock_calls(module: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        # the row helpers of rows.py are the kernel's locks, called by the write path
        if name == "select_for_update" or (
            name.startswith("lock_") and name not in ("lock_member", "lock_target")
        ):
            found.append(f"{module}:{node.lineno} {name}")
    return found


def test_the_callers_are_found():
    assert {"orders.views.orders", "orders.admin", "inventory.admin"} <= CALLERS
    assert "orders.gift_card_admin" in CALLERS
    assert "commerce.webhooks.admin" in CALLERS
    # and the reader sees locks where services take them
    assert any("select_for_update" in call for call in lock_calls("inventory.services"))
    assert any("lock_order" in call for call in lock_calls("orders.services.shipments"))


def test_views_and_admin_take_no_locks():
    assert [call for module in sorted(CALLERS) for call in lock_calls(module)] == []
