"""The code goes one way down (style.md 16): read from the source, every import counted, those
inside functions too, so that none can hide a cycle.

- the apps: `orders` -> `markets` -> `catalog` -> `inventory` -> `commerce`, never back up,
  with the demo shop and the bench data set above them all (nothing imports them);
- no cycle among the modules of all the apps;
- inside `orders`, the layers below, each importing only its own layer or lower ones.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "commerce",
    "inventory",
    "catalog",
    "markets",
    "orders",
    "returns",
    "bulk",
    "demo",
    "bench",
]  # lowest first

# The layers of `orders`, lowest first. A new module gets a place here.
ORDERS_LAYERS = [
    # pure rules: state tables and predicates, the pricing formulas
    {"orders", "orders.transitions", "orders.pricing", "orders.copies"},
    {"orders.models"},
    # reads and locks over the models; the serializers only parse
    {
        "orders.selectors",
        "orders.locks",
        "orders.serializers",
        "orders.gift_card_serializers",
        "orders.parcel_serializers",
    },
    # the calls out to payment gateways (payments.md): no models of their own, no services
    {"orders.gateways", "orders.gateways.stripe_gateway", "orders.gateways.external_gateway"},
    # the one writer of each status
    {"orders.services", "orders.services.statuses"},
    # steps a trigger takes: payments, stock, coupon and promotion uses and reads, customers
    {
        "orders.services.payments",
        "orders.services.gateway_calls",
        "orders.services.stock",
        "orders.services.usage",
        "orders.services.promotions",
        "orders.services.customers",
        "orders.services.password_resets",
        "orders.services.saved_sources",
        "orders.services.gift_card_balance",
        "orders.services.external_shipping",
        "orders.services.shipping_costs",
    },
    # cart computation: shipment planning, then the figures
    {"orders.services.planning"},
    {"orders.services.totals"},
    # the trigger services: each takes its lock, asks the table, applies its steps
    {
        "orders.services.carts",
        "orders.services.options",
        "orders.services.addresses",
        "orders.services.lifecycle",
        "orders.services.shipments",
        "orders.services.transactions",
        "orders.services.purge",
        "orders.services.gateways",
        "orders.services.stripe_payments",
        "orders.services.stripe_webhooks",
        "orders.services.payment_options",
        "orders.services.wallet",
        "orders.services.bundle_lines",
        "orders.services.gift_cards",
        "orders.services.parcels",
    },
    # triggers built on the ones above: editing a placed order closes it as `_place` does
    {"orders.services.editing"},
    # the reorder worker (aftersale.md §4): a cart built, placed and cancelled through the above
    {"orders.services.copies"},
    # what parses and calls
    {
        "orders.views",
        "orders.urls",
        "orders.admin",
        "orders.gift_card_admin",
        "orders.parcel_admin",
        "orders.auth",
        "orders.apps",
    },
]


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()
# The views' modules and the management commands sit with the views, whatever their names.
ORDERS_LAYERS[-1].update(m for m in MODULES if m.startswith(("orders.views.", "orders.management")))


def _resolve(name: str) -> str | None:
    """The module of ours that `name` (a module, or a name in one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        found.update(target for target in map(_resolve, names) if target not in (None, module))
    return found


GRAPH = {module: _imports(path, module) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_every_module_and_every_import():
    # The reader itself: it sees modules of every app and imports inside functions.
    assert {m.split(".")[0] for m in MODULES} == set(APPS)
    assert "orders.services.lifecycle" in GRAPH["orders.views.orders"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from orders.models import Order\n")
    assert any(isinstance(node, ast.ImportFrom) for node in ast.walk(tree))


def test_no_app_imports_an_app_above_it():
    rank = {app: position for position, app in enumerate(APPS)}
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if rank[target.split(".")[0]] > rank[module.split(".")[0]]
    )
    assert upward == []


def test_no_module_is_part_of_an_import_cycle():
    assert _cycles(GRAPH) == []


def test_every_orders_module_has_a_layer():
    placed = set().union(*ORDERS_LAYERS)
    assert sorted(m for m in MODULES if m.startswith("orders") and m not in placed) == []
    assert sorted(placed - set(MODULES)) == []


@pytest.mark.parametrize("layer", range(len(ORDERS_LAYERS)))
def test_orders_modules_import_only_their_layer_or_lower(layer):
    allowed = set().union(*ORDERS_LAYERS[: layer + 1])
    upward = sorted(
        f"{module} -> {target}"
        for module in sorted(ORDERS_LAYERS[layer])
        for target in GRAPH[module]
        if target.startswith("orders") and target not in allowed
    )
    assert upward == []
