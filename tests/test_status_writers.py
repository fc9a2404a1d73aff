"""One writer per status (style.md 17), read from the source: an assignment to a `*status`
attribute, or a `*status` keyword or field in a queryset's update/create calls, appears only in
the function that owns that status. Creating a row with its first status is not a move and is
not looked for (`Model(status=...)`)."""

import ast

from tests.test_import_graph import MODULES

WRITERS = {
    # the order's and the shipment's tables, the payment derived from its transactions, the
    # fulfillment derived from the shipments
    ("orders.services.statuses", "move_order", "status"),
    ("orders.services.statuses", "move_shipment", "status"),
    ("orders.services.statuses", "refresh_payment_status", "payment_status"),
    ("orders.services.statuses", "save_order", "fulfillment_status"),
    # a gift card's table (catalog.md "Gift cards")
    ("orders.services.gift_card_balance", "move_gift_card", "status"),
    # an order copy's table (aftersale.md §4)
    ("orders.services.copies", "move_copy", "status"),
    # the stock transfer's table
    ("inventory.services", "move_stock_transfer", "status"),
    # the return's table (aftersale.md §3)
    ("returns.services.statuses", "move_return", "status"),
    # a webhook delivery's attempts
    ("commerce.webhooks.services", "record", "status"),
    # a bulk job's and its chunks' (bulk.md "Jobs")
    ("bulk.runner", "move_job", "status"),
    ("bulk.runner", "move_chunk", "status"),
    # a Stripe payment's copy of what Stripe last said of its PaymentIntent
    ("orders.services.stripe_payments", "_take", "intent_status"),
}
# An exception's HTTP status is not a resource's status.
NOT_A_RESOURCE = {("commerce.exceptions", "__init__", "status")}
QUERYSET_WRITES = {"update", "bulk_update", "update_or_create", "get_or_create"}


def status_writes() -> set[tuple[str, str | None, str]]:
    found = set()

    def walk(module, node, function):
        for child in ast.iter_child_nodes(node):
            owner = child.name if isinstance(child, ast.FunctionDef) else function
            if isinstance(child, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    for n in ast.walk(target):
                        if isinstance(n, ast.Attribute) and n.attr.endswith("status"):
                            found.add((module, owner, n.attr))
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in QUERYSET_WRITES
            ):
                names = [k.arg for k in child.keywords if k.arg]
                names += [
                    e.value
                    for a in child.args
                    if isinstance(a, ast.List | ast.Tuple)
                    for e in a.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
                found.update((module, owner, n) for n in names if n.endswith("status"))
            walk(module, child, owner)

    for module, path in MODULES.items():
        walk(module, ast.parse(path.read_text(), str(path)), None)
    return found


def test_each_status_has_one_writer():
    assert status_writes() - NOT_A_RESOURCE == WRITERS
