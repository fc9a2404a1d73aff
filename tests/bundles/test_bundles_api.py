"""`/api/bundles` (catalog.md "Bundles", auth.md): what a bundle is made of and each refusal's
pointer, its compute triggers, what it derives from its components, who reaches it, and its
list's items frozen while it uses them."""

import pytest

from catalog.models import SkuList, SkuListItem
from markets.models import Bundle
from tests import factories as f
from tests.bundles.conftest import make_bundle, sku_list
from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _create(api, attributes, market=None, kit=None):
    relationships = {}
    if market is not None:
        relationships["market"] = rel("markets", market.public_id)
    if kit is not None:
        relationships["sku_list"] = rel("sku_lists", kit.public_id)
    return api.create("bundles", attributes, relationships)


def _error(response, status=422):
    assert response.status_code == status, response.json()
    (error,) = response.json()["errors"]
    return error["source"].get("pointer"), error["detail"]


def test_a_bundle_of_a_market_takes_its_price_list_currency(integration, shop):
    kit = sku_list((shop["a"], 1), (shop["b"], 2))
    data = ok(
        _create(
            integration,
            {"code": "GIFT-BOX", "name": "Gift box", "price_amount_cents": 2999},
            shop["market"],
            kit,
        ),
        201,
    )
    attributes = data["attributes"]
    assert attributes["currency_code"] == "USD"
    assert (attributes["price_amount_cents"], attributes["formatted_price_amount"]) == (
        2999,
        "$29.99",
    )
    assert attributes["compare_at_amount_cents"] is None
    assert (attributes["skus_count"], attributes["do_not_ship"], attributes["do_not_track"]) == (
        2,
        False,
        False,
    )
    bundle = Bundle.objects.get(public_id=data["id"])
    assert (bundle.market, bundle.sku_list) == (shop["market"], kit)
    related = integration.get(f"/api/bundles/{data['id']}/skus").json()["data"]
    assert [s["attributes"]["code"] for s in related] == [shop["a"].code, shop["b"].code]
    included = integration.get(f"/api/bundles/{data['id']}?include=market,sku_list,skus").json()
    assert {(r["type"], r["id"]) for r in included["included"]} == {
        ("markets", shop["market"].public_id),
        ("sku_lists", kit.public_id),
        ("skus", shop["a"].public_id),
        ("skus", shop["b"].public_id),
    }
    listed = integration.get(f"/api/sku_lists/{kit.public_id}/bundles").json()["data"]
    assert [b["id"] for b in listed] == [data["id"]]


def test_the_currency_and_the_list_are_checked(integration, shop):
    kit = sku_list((shop["a"], 1))
    refused = _create(
        integration, {"code": "X", "name": "X", "currency_code": "EUR"}, shop["market"], kit
    )
    pointer, detail = _error(refused)
    assert pointer == "/data/attributes/currency_code"
    assert "USD" in detail
    # the market's own currency may be sent
    ok(
        _create(
            integration, {"code": "X", "name": "X", "currency_code": "USD"}, shop["market"], kit
        ),
        201,
    )
    # without a market, a currency is needed
    assert _error(_create(integration, {"code": "Y", "name": "Y"}, kit=kit))[0] == (
        "/data/attributes/currency_code"
    )
    data = ok(
        _create(integration, {"code": "Y", "name": "Y", "currency_code": "EUR"}, kit=kit), 201
    )
    assert data["attributes"]["currency_code"] == "EUR"
    assert Bundle.objects.get(public_id=data["id"]).market is None


@pytest.mark.parametrize(
    "items, regex",
    [(0, None), (11, None), (1, "^KIT")],
    ids=["no item", "eleven items", "automatic list"],
)
def test_a_bundle_needs_a_manual_list_of_1_to_10_items(integration, shop, items, regex):
    kit = SkuList.objects.create(name="Kit", sku_code_regex=regex)
    for n in range(items if regex is None else 0):
        SkuListItem.objects.create(sku_list=kit, sku=f.SkuFactory(), position=n + 1)
    refused = _create(integration, {"code": "K", "name": "K"}, shop["market"], kit)
    assert _error(refused)[0] == "/data/relationships/sku_list"
    assert not Bundle.objects.filter(code="K").exists()
    missing = _create(integration, {"code": "K", "name": "K"}, shop["market"])
    assert _error(missing)[0] == "/data/relationships/sku_list"


def test_ten_items_are_enough(integration, shop):
    kit = sku_list(*[(f.SkuFactory(), 1) for _ in range(10)])
    data = ok(_create(integration, {"code": "TEN", "name": "Ten"}, shop["market"], kit), 201)
    assert data["attributes"]["skus_count"] == 10


def test_a_code_is_unique_per_market_and_per_currency_without_one(integration, shop, other_market):
    kit = sku_list((shop["a"], 1))
    taken = _create(integration, {"code": "KIT", "name": "Again"}, shop["market"], kit)
    assert _error(taken)[0] == "/data/attributes/code"
    ok(_create(integration, {"code": "KIT", "name": "In EU"}, other_market, kit), 201)
    ok(_create(integration, {"code": "KIT", "name": "USD", "currency_code": "USD"}, kit=kit), 201)
    ok(_create(integration, {"code": "KIT", "name": "EUR", "currency_code": "EUR"}, kit=kit), 201)
    twin = _create(integration, {"code": "KIT", "name": "Twin", "currency_code": "EUR"}, kit=kit)
    assert _error(twin)[0] == "/data/attributes/code"
    other = ok(_create(integration, {"code": "OTHER", "name": "O"}, shop["market"], kit), 201)
    renamed = integration.update("bundles", other["id"], {"code": "KIT"})
    assert _error(renamed)[0] == "/data/attributes/code"


def test_market_and_list_are_chosen_at_creation(integration, shop, other_market):
    bundle = shop["bundle"]
    for name, target in (
        ("market", rel("markets", other_market.public_id)),
        ("sku_list", rel("sku_lists", sku_list((shop["a"], 3)).public_id)),
    ):
        refused = integration.update("bundles", bundle.public_id, {}, {name: target})
        assert refused.status_code == 400, refused.json()
        assert refused.json()["errors"][0]["source"]["pointer"] == f"/data/relationships/{name}"
    other = integration.update("bundles", bundle.public_id, {"currency_code": "EUR"})
    assert _error(other)[0] == "/data/attributes/currency_code"


def test_compute_triggers_sum_the_components_prices(integration, shop):
    bundle = shop["bundle"]
    data = ok(
        integration.update(
            "bundles",
            bundle.public_id,
            {"_compute_price_amount": True, "_compute_compare_at_amount": True},
        )
    )
    # A 1500 x1 + B 800 x2: prices, not the components' compare-at amounts
    assert (
        data["attributes"]["price_amount_cents"],
        data["attributes"]["compare_at_amount_cents"],
    ) == (
        3100,
        3100,
    )
    shop["b"].prices.update(amount_cents=900, compare_at_amount_cents=2000)
    data = ok(integration.update("bundles", bundle.public_id, {"_compute_compare_at_amount": True}))
    assert (
        data["attributes"]["price_amount_cents"],
        data["attributes"]["compare_at_amount_cents"],
    ) == (
        3100,
        3300,
    )


def test_compute_triggers_need_a_market_and_every_price(integration, shop):
    no_market = make_bundle([(shop["a"], 1)], market=None, code="LOOSE", currency_code="USD")
    refused = integration.update("bundles", no_market.public_id, {"_compute_price_amount": True})
    assert _error(refused)[0] == "/data/attributes/_compute_price_amount"
    unpriced = f.SkuFactory(code="NO-PRICE")
    bundle = make_bundle([(shop["a"], 1), (unpriced, 1)], market=shop["market"], code="HALF")
    refused = integration.update("bundles", bundle.public_id, {"_compute_compare_at_amount": True})
    pointer, detail = _error(refused)
    assert pointer == "/data/attributes/_compute_compare_at_amount"
    assert detail.endswith("NO-PRICE has no price in market usa")
    bundle.refresh_from_db()
    assert bundle.compare_at_amount_cents is None
    # the triggers may come with the creation
    kit = sku_list((shop["a"], 2))
    data = ok(
        _create(
            integration,
            {"code": "TWO-A", "name": "Two A", "_compute_price_amount": True},
            shop["market"],
            kit,
        ),
        201,
    )
    assert data["attributes"]["price_amount_cents"] == 3000


def test_do_not_ship_and_do_not_track_when_every_component_has_it(integration, shop):
    download = f.SkuFactory(do_not_ship=True, do_not_track=True)
    manual = f.SkuFactory(do_not_ship=True, do_not_track=True)
    virtual = make_bundle([(download, 1), (manual, 1)], market=shop["market"], code="VIRTUAL")
    mixed = make_bundle([(download, 1), (shop["a"], 1)], market=shop["market"], code="MIXED")
    listed = integration.get(
        "/api/bundles?fields[bundles]=code,do_not_ship,do_not_track,skus_count"
    )
    rows = {b["attributes"]["code"]: b["attributes"] for b in listed.json()["data"]}
    assert rows[virtual.code] == {
        "code": "VIRTUAL",
        "do_not_ship": True,
        "do_not_track": True,
        "skus_count": 2,
    }
    assert (rows[mixed.code]["do_not_ship"], rows[mixed.code]["do_not_track"]) == (False, False)


def test_storefronts_list_and_read_the_bundles_of_their_market_or_of_none(
    sales_channel, customer_token, integration, shop, other_market
):
    kit = shop["bundle"].sku_list
    loose = make_bundle(kit, market=None, code="LOOSE", currency_code="USD")
    foreign = make_bundle(kit, market=other_market, code="EU-KIT")
    everyone = {shop["bundle"].public_id, loose.public_id, foreign.public_id}
    assert {b["id"] for b in ok(integration.get("/api/bundles"))} == everyone
    customer = customer_token(shop["market"], "kit@example.com")
    for api in (sales_channel, customer):
        listed = {b["id"] for b in ok(api.get("/api/bundles"))}
        assert listed == {shop["bundle"].public_id, loose.public_id}
        ok(api.get(f"/api/bundles/{loose.public_id}"))
        assert_not_found(api.get(f"/api/bundles/{foreign.public_id}"))
        assert_unauthorized(_create(api, {"code": "MINE", "name": "Mine"}, shop["market"], kit))
        assert_unauthorized(
            api.update("bundles", shop["bundle"].public_id, {"_compute_price_amount": True})
        )
        assert_unauthorized(api.delete(f"/api/bundles/{shop['bundle'].public_id}"))


def test_a_bundle_sold_on_an_order_is_kept(integration, shop):
    from tests.bundles.conftest import bundle_cart

    bundle_cart(shop)
    locked = integration.delete(f"/api/bundles/{shop['bundle'].public_id}")
    assert locked.status_code == 423, locked.content
    unsold = make_bundle(shop["bundle"].sku_list, market=None, code="UNSOLD", currency_code="USD")
    assert integration.delete(f"/api/bundles/{unsold.public_id}").status_code == 204


def test_a_bundle_s_list_keeps_its_items(integration, shop):
    """catalog.md "SKU lists": items frozen while a bundle uses the list."""
    kit = shop["bundle"].sku_list
    item = kit.sku_list_items.get(sku=shop["a"])
    before = list(kit.sku_list_items.values_list("sku_id", "quantity", "position"))
    added = integration.create(
        "sku_list_items",
        {"quantity": 1},
        {"sku_list": rel("sku_lists", kit.public_id), "sku": rel("skus", f.SkuFactory().public_id)},
    )
    pointer, detail = _error(added)
    assert pointer == "/data/relationships/sku_list"
    assert detail == "sku_list - is used by bundle KIT: its items can't change"
    changed = integration.update("sku_list_items", item.public_id, {"quantity": 5})
    assert _error(changed)[0] == "/data/relationships/sku_list"
    removed = integration.delete(f"/api/sku_list_items/{item.public_id}")
    assert _error(removed)[0] == "/data/relationships/sku_list"
    automatic = integration.update("sku_lists", kit.public_id, {"sku_code_regex": "^KIT"})
    assert _error(automatic)[0] == "/data/attributes/sku_code_regex"
    assert list(kit.sku_list_items.values_list("sku_id", "quantity", "position")) == before
    ok(integration.update("sku_lists", kit.public_id, {"name": "Renamed kit"}))
    # once the bundle is gone, the list is free again
    ok(integration.delete(f"/api/bundles/{shop['bundle'].public_id}"), 204)
    ok(integration.update("sku_list_items", item.public_id, {"quantity": 5}))
    assert integration.delete(f"/api/sku_list_items/{item.public_id}").status_code == 204
