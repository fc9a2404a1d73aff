"""`/api/customer_groups` and the relationships that point at a group: a market's (which makes
it private) and a customer's (integration only), per token kind (auth.md, catalog.md)."""

import pytest

from markets.models import CustomerGroup, Market
from orders.models import Customer
from tests import factories as f
from tests.conftest import assert_unauthorized, rel
from tests.customer_groups.conftest import error

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    return [item["id"] for item in data] if isinstance(data, list) else [data["id"]]


def linkage(resource, name):
    return resource["relationships"][name]["data"]


# --- the resource, with an integration token ----------------------------------------------------


@pytest.mark.sqlite
def test_integration_creates_reads_updates_lists_and_deletes_a_group(integration):
    created = integration.create("customer_groups", {"name": "Wholesale", "code": "wholesale"})
    assert created.status_code == 201, created.content
    group_id = created.json()["data"]["id"]
    assert created.json()["data"]["attributes"]["name"] == "Wholesale"
    f.CustomerGroupFactory(name="Affiliates", code="aff")

    assert ids(integration.get("/api/customer_groups?sort=name"))[1] == group_id
    assert ids(integration.get("/api/customer_groups?sort=-code"))[0] == group_id
    assert ids(integration.get("/api/customer_groups?filter[q][code_eq]=wholesale")) == [group_id]
    assert ids(integration.get("/api/customer_groups?filter[q][name_cont]=Whole")) == [group_id]

    updated = integration.update("customer_groups", group_id, {"name": "Trade", "code": None})
    assert updated.status_code == 200, updated.content
    assert updated.json()["data"]["attributes"]["name"] == "Trade"
    assert updated.json()["data"]["attributes"]["code"] is None

    assert integration.delete(f"/api/customer_groups/{group_id}").status_code == 204
    assert not CustomerGroup.objects.filter(public_id=group_id).exists()


def test_a_group_needs_a_name(integration):
    problem = error(integration.create("customer_groups", {"code": "vip"}), 422)
    assert problem["source"]["pointer"] == "/data/attributes/name"
    blank = error(integration.create("customer_groups", {"name": ""}), 422)
    assert blank["source"]["pointer"] == "/data/attributes/name"
    assert not CustomerGroup.objects.exists()


def test_a_group_lists_its_customers_and_its_markets(integration, group):
    members = [f.CustomerFactory(customer_group=group) for _ in range(2)]
    f.CustomerFactory()  # in no group
    market = f.MarketFactory(customer_group=group)
    f.MarketFactory()  # public
    path = f"/api/customer_groups/{group.public_id}"

    assert ids(integration.get(f"{path}/customers")) == [c.public_id for c in members]
    assert ids(integration.get(f"{path}/markets")) == [market.public_id]
    document = integration.get(f"{path}?include=customers,markets").json()
    assert {c["id"] for c in linkage(document["data"], "customers")} == {
        c.public_id for c in members
    }
    assert linkage(document["data"], "markets") == [{"type": "markets", "id": market.public_id}]
    assert {(i["type"], i["id"]) for i in document["included"]} == {
        *(("customers", c.public_id) for c in members),
        ("markets", market.public_id),
    }
    filtered = integration.get(f"/api/customer_groups?filter[q][markets_code_eq]={market.code}")
    assert ids(filtered) == [group.public_id]


def test_deleting_a_group_a_market_uses_is_refused(integration, group):
    """Deleting it would quietly open the market to everyone: 423 LOCKED (api.md, a record
    others depend on), nothing deleted."""
    market = f.MarketFactory(customer_group=group)
    problem = error(integration.delete(f"/api/customer_groups/{group.public_id}"), 423)
    assert problem["code"] == "LOCKED"
    market.refresh_from_db()
    assert market.customer_group == group and market.private


def test_deleting_a_group_leaves_its_customers_without_one(integration, group):
    customer = f.CustomerFactory(customer_group=group)
    assert integration.delete(f"/api/customer_groups/{group.public_id}").status_code == 204
    customer.refresh_from_db()
    assert customer.customer_group is None


# --- other token kinds --------------------------------------------------------------------------


def test_storefront_tokens_can_not_reach_groups(sales_channel, customer_token, market, group):
    shopper = customer_token(market, "shopper@example.com")
    path = f"/api/customer_groups/{group.public_id}"
    for name, api in (("sales channel", sales_channel), ("customer", shopper)):
        assert_unauthorized(api.get("/api/customer_groups"), f"{name} list")
        assert_unauthorized(api.get(path), f"{name} read")
        assert_unauthorized(api.create("customer_groups", {"name": "Mine"}), f"{name} create")
        assert_unauthorized(
            api.update("customer_groups", group.public_id, {"name": "Mine"}), f"{name} update"
        )
        assert_unauthorized(api.delete(path), f"{name} delete")
    group.refresh_from_db()
    assert group.name == "Wholesale"


def test_a_storefront_reading_its_market_does_not_see_the_group(sales_channel, market, group):
    """The token came before the market turned private (tokens are not revoked then): it still
    reads its market, `private` included, but not the group, which is the back office's."""
    market.customer_group = group
    market.save()
    response = sales_channel.get(f"/api/markets/{market.public_id}?include=customer_group")
    assert response.status_code == 200, response.content
    document = response.json()
    assert document["data"]["attributes"]["private"] is True
    assert linkage(document["data"], "customer_group") is None
    assert "included" not in document or document["included"] == []
    assert_unauthorized(sales_channel.get(f"/api/markets/{market.public_id}/customer_group"))


# --- a market's group: `private` -----------------------------------------------------------------


@pytest.mark.sqlite
def test_a_market_with_a_group_is_private(integration, group):
    other = f.CustomerGroupFactory()
    created = integration.create(
        "markets",
        {"name": "Trade", "code": "trade"},
        {
            "merchant": rel("merchants", f.MerchantFactory().public_id),
            "price_list": rel("price_lists", f.PriceListFactory().public_id),
            "inventory_model": rel("inventory_models", f.InventoryModelFactory().public_id),
            "customer_group": rel("customer_groups", group.public_id),
        },
        QUERY_STRING="include=customer_group",
    )
    assert created.status_code == 201, created.content
    market = created.json()["data"]
    assert market["attributes"]["private"] is True
    assert linkage(market, "customer_group") == {"type": "customer_groups", "id": group.public_id}

    moved = integration.update(
        "markets", market["id"], {}, {"customer_group": rel("customer_groups", other.public_id)}
    )
    assert moved.json()["data"]["attributes"]["private"] is True
    assert Market.objects.get(public_id=market["id"]).customer_group == other

    public = integration.update("markets", market["id"], {}, {"customer_group": {"data": None}})
    assert public.status_code == 200, public.content
    assert public.json()["data"]["attributes"]["private"] is False
    read = integration.get(f"/api/markets/{market['id']}").json()["data"]["attributes"]
    assert read["private"] is False


def test_a_market_without_a_group_is_public(integration, market):
    attributes = integration.get(f"/api/markets/{market.public_id}").json()["data"]["attributes"]
    assert attributes["private"] is False


def test_a_market_group_must_exist(integration, market):
    problem = error(
        integration.update(
            "markets", market.public_id, {}, {"customer_group": rel("customer_groups", "NoSuch")}
        ),
        422,
    )
    assert problem["source"]["pointer"] == "/data/relationships/customer_group"
    market.refresh_from_db()
    assert not market.private


def test_private_is_read_only(integration, market):
    problem = error(integration.update("markets", market.public_id, {"private": True}), 400)
    assert problem["code"] == "PARAM_NOT_ALLOWED"
    assert problem["source"]["pointer"] == "/data/attributes/private"


# --- a customer's group: integration only ---------------------------------------------------------


def test_integration_sets_and_clears_a_customers_group(integration, group):
    created = integration.create(
        "customers",
        {"email": "buyer@example.com"},
        {"customer_group": rel("customer_groups", group.public_id)},
        QUERY_STRING="include=customer_group",
    )
    assert created.status_code == 201, created.content
    customer_id = created.json()["data"]["id"]
    assert linkage(created.json()["data"], "customer_group")["id"] == group.public_id
    assert Customer.objects.get(public_id=customer_id).customer_group == group

    other = f.CustomerGroupFactory()
    moved = integration.update(
        "customers", customer_id, {}, {"customer_group": rel("customer_groups", other.public_id)}
    )
    assert moved.status_code == 200, moved.content
    assert ids(integration.get(f"/api/customers/{customer_id}/customer_group")) == [other.public_id]
    cleared = integration.update("customers", customer_id, {}, {"customer_group": {"data": None}})
    assert cleared.status_code == 200, cleared.content
    assert Customer.objects.get(public_id=customer_id).customer_group is None


@pytest.mark.sqlite
def test_a_storefront_signing_up_may_not_choose_a_group(sales_channel, group):
    response = sales_channel.create(
        "customers",
        {"email": "sneaky@example.com", "password": "s3cret-pass"},
        {"customer_group": rel("customer_groups", group.public_id)},
    )
    problem = error(response, 400)
    assert problem["code"] == "PARAM_NOT_ALLOWED"
    assert problem["source"]["pointer"] == "/data/relationships/customer_group"
    assert not Customer.objects.filter(email="sneaky@example.com").exists()


def test_a_customer_may_not_put_itself_in_a_group(customer_token, market, group):
    shopper = customer_token(market, "shopper@example.com")
    customer = Customer.objects.get(email="shopper@example.com")
    for relationship in (rel("customer_groups", group.public_id), {"data": None}):
        response = shopper.update(
            "customers",
            customer.public_id,
            {"shopper_reference": "changed"},
            {"customer_group": relationship},
        )
        problem = error(response, 400)
        assert problem["code"] == "PARAM_NOT_ALLOWED"
        assert problem["source"]["pointer"] == "/data/relationships/customer_group"
    customer.refresh_from_db()
    assert customer.customer_group is None
    assert customer.shopper_reference is None  # nothing of the refused write applied
    # Its other attributes it still edits.
    edited = shopper.update("customers", customer.public_id, {"shopper_reference": "x"})
    assert edited.status_code == 200, edited.content
