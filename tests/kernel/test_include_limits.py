"""An include costs what it returns (limits.md section 1, issue 14): at most 3 relationship names
per path and 20 paths, refused with 400 INVALID_INCLUDE on `include` for every token kind."""

import pytest

from commerce.jsonapi.query import INCLUDE_DEPTH_MAX, INCLUDE_PATHS_MAX
from commerce.jsonapi.registry import registry
from commerce.jsonapi.routing import load_resources
from tests.orders.conftest import build_shop
from tests.orders.test_order_query_budget import cart_with_lines

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

LINES = 30  # sku lines of the cart; the shipment and payment method add a line each


@pytest.fixture
def shop(market):
    return build_shop(market, "INC")


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
    load_resources()
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
