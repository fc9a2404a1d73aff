"""An include costs what it returns (limits.md section 1, issue 14): at most 3 relationship names
per path and 20 paths, refused with 400 INVALID_INCLUDE on `include` for every token kind; and a
path that loops back (`line_items.order.line_items`) is walked once per (include level, record),
so that it costs no more queries, walks and resource objects than the records it returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.jsonapi import document
from commerce.jsonapi.document import DocumentBuilder, prefetches
from commerce.jsonapi.query import INCLUDE_DEPTH_MAX, INCLUDE_PATHS_MAX, parse_include
from commerce.jsonapi.registry import registry
from commerce.webhooks.services import WORKER_CTX
from tests.orders.test_order_query_budget import cart_with_lines
from tests.shop import build_shop

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LINES = 30  # sku lines of the cart; the shipment and payment method add a line each


@pytest.fixture
def shop(market):
    return build_shop(market, "INC", free=True)


@pytest.fixture
def cart(shop):
    return cart_with_lines(shop, LINES)


def include_error(response) -> dict:
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["code"], error["source"]) == ("INVALID_INCLUDE", {"parameter": "include"})
    return error


def sku_paths(count: int) -> list[str]:
    """`count` distinct include paths of skus that every token kind may ask for (relationships
    read through a scoped queryset: see views.check_storefront_include), shortest first."""
    paths, level = [], [("", "skus")]
    while level and len(paths) < count:
        deeper = []
        for prefix, type_name in level:
            for name, rel in registry[type_name].relationships().items():
                if rel.getter is not None or len(rel.types) != 1:
                    continue
                path = f"{prefix}{name}"
                paths.append(path)
                deeper += [(f"{path}.", t) for t in rel.types if t in registry]
        level = deeper
    assert len(paths) >= count
    return paths[:count]


# --- the limits ------------------------------------------------------------------------------


def test_the_limits_are_the_contracts():
    assert (INCLUDE_DEPTH_MAX, INCLUDE_PATHS_MAX) == (3, 20)


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_a_path_of_four_names_is_refused_naming_the_limit(request, kind, shop):
    api = request.getfixturevalue(kind)
    assert api.get("/api/skus?include=prices.sku.prices").status_code == 200
    error = include_error(api.get("/api/skus?include=prices.sku.prices.sku"))
    assert "limit of 3" in error["detail"]
    assert "prices.sku.prices.sku" in error["detail"]
    # Among valid paths, and however long the loop
    error = include_error(api.get("/api/skus?include=prices," + ".".join(["prices", "sku"] * 10)))
    assert "limit of 3" in error["detail"]


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_twenty_one_paths_are_refused_naming_the_limit(request, kind, shop):
    api = request.getfixturevalue(kind)
    paths = sku_paths(21)
    assert api.get("/api/skus?include=" + ",".join(paths[:20])).status_code == 200
    error = include_error(api.get("/api/skus?include=" + ",".join(paths)))
    assert "21 paths" in error["detail"]
    assert "limit of 20" in error["detail"]


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_a_repeated_path_counts_once(request, kind, shop):
    api = request.getfixturevalue(kind)
    paths = sku_paths(20)
    response = api.get("/api/skus?include=" + ",".join([*paths, paths[0], paths[-1]]))
    assert response.status_code == 200, response.content


def test_the_limits_hold_on_related_endpoints_and_single_resources(integration, cart):
    line = cart.line_items.first().public_id
    too_deep = "line_items.order.line_items.order"
    for url in (
        f"/api/orders/{cart.public_id}?include={too_deep}",
        f"/api/orders?include={too_deep}",
        f"/api/line_items/{line}/order?include={too_deep}",
    ):
        include_error(integration.get(url))


# --- the walk of a looping path ------------------------------------------------------------


def queries(api, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_a_looping_path_costs_what_its_records_cost(request, kind, cart):
    api = request.getfixturevalue(kind)
    url = f"/api/orders/{cart.public_id}?include="
    once, _ = queries(api, url + "line_items.order")
    looped, doc = queries(api, url + "line_items.order.line_items")
    assert looped <= once + 1
    assert len(doc["included"]) == LINES + 2


class Counted:
    """Counts the walk's visits (include level, record) and the resource objects built."""

    def __init__(self, monkeypatch):
        self.visits = 0
        self.built: list[tuple[str, str]] = []
        visit = DocumentBuilder._visit
        build = document._resource

        def counted_visit(builder, *args):
            self.visits += 1
            return visit(builder, *args)

        def counted_build(obj, type_name, *args):
            self.built.append((type_name, obj.public_id))
            return build(obj, type_name, *args)

        monkeypatch.setattr(DocumentBuilder, "_visit", counted_visit)
        monkeypatch.setattr(document, "_resource", counted_build)


def test_a_looping_path_walks_each_record_once_per_level_and_builds_it_once(
    integration, cart, monkeypatch
):
    counted = Counted(monkeypatch)
    url = f"/api/orders/{cart.public_id}?include=line_items.order.line_items"
    doc = integration.get(url).json()
    lines = len(doc["data"]["relationships"]["line_items"]["data"])
    assert lines == LINES + 2
    # The order, its lines, the order again, its lines again: one visit each. (Walking every
    # line from every line made it 1 + lines + lines + lines * lines.)
    assert counted.visits == 2 * (1 + lines)
    keys = [(doc["data"]["type"], doc["data"]["id"])]
    keys += [(i["type"], i["id"]) for i in doc["included"]]
    assert sorted(counted.built) == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_a_looping_path_prefetches_as_its_plain_form():
    """A path turning back to its parent through the parent's own foreign key reads nothing
    new: it is prefetched as the parent's subtree, not as a lookup per turn."""
    orders = registry["orders"]

    def lookups(value: str) -> set[str]:
        tree = parse_include(value, registry, "orders")
        found = prefetches(orders, tree, WORKER_CTX)
        return {getattr(lookup, "prefetch_to", lookup) for lookup in found}

    assert lookups("line_items.order.line_items") == lookups("line_items")
    assert lookups("line_items.order.shipments") == lookups("line_items,shipments")
    assert lookups("line_items.order.market") == lookups("line_items,market")


# --- linkage of looping paths --------------------------------------------------------------


def by_key(doc) -> dict:
    resources = [doc["data"]] if isinstance(doc["data"], dict) else list(doc["data"])
    return {(r["type"], r["id"]): r for r in [*resources, *doc.get("included", [])]}


@pytest.mark.parametrize("kind", ["integration", "sales_channel"])
def test_looping_paths_at_the_maximum_depth_carry_every_linkage(request, kind, cart):
    api = request.getfixturevalue(kind)
    order_key = ("orders", cart.public_id)
    lines = {("line_items", line.public_id) for line in cart.line_items.all()}
    assert len(lines) == LINES + 2

    doc = api.get(f"/api/orders/{cart.public_id}?include=line_items.order.line_items").json()
    resources = by_key(doc)
    assert set(resources) == {order_key, *lines}
    order_lines = resources[order_key]["relationships"]["line_items"]["data"]
    assert {(i["type"], i["id"]) for i in order_lines} == lines
    for key in lines:
        order = resources[key]["relationships"]["order"]["data"]
        assert (order["type"], order["id"]) == order_key, key
        assert "data" not in resources[key]["relationships"]["sku"]

    first = min(lines)[1]
    doc = api.get(f"/api/line_items/{first}?include=order.line_items.order,sku").json()
    resources = by_key(doc)
    assert set(resources) - {k for k in resources if k[0] == "skus"} == {order_key, *lines}
    order_lines = resources[order_key]["relationships"]["line_items"]["data"]
    assert {(i["type"], i["id"]) for i in order_lines} == lines
    for key in lines:
        order = resources[key]["relationships"]["order"]["data"]
        assert (order["type"], order["id"]) == order_key, key
    # `sku` was included from the primary line only
    assert "data" in resources[("line_items", first)]["relationships"]["sku"]
    others = [k for k in lines if k[1] != first]
    assert all("data" not in resources[k]["relationships"]["sku"] for k in others)
