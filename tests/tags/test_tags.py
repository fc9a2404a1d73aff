"""Tags (bulk.md "Tags"): the `/api/tags` resource, attaching and detaching them on taggable
records (`_add_tags`, `_remove_tags`, the `tags` relationship), the 10-per-record limit, the
`tags_*` filters, `include=tags` for whoever reads the record, and `<type>.tagged` events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.models import Event, Tag, Tagging
from tests import factories as f
from tests.conftest import assert_unauthorized

pytestmark = pytest.mark.django_db


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


def tag_names(response) -> list[str]:
    """The names of the tags a document includes, in its linkage order."""
    assert response.status_code in (200, 201), response.content
    document = response.json()
    names = {t["id"]: t["attributes"]["name"] for t in document.get("included", [])}
    linkage = document["data"]["relationships"]["tags"]["data"]
    return [names[item["id"]] for item in linkage]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


@pytest.fixture
def tags(db):
    return {name: f.TagFactory(name=name) for name in ("vip", "gift", "rush", "b2b")}


# --- /api/tags ------------------------------------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.parametrize("name", ["vip", "B2B_eu-1", "x" * 25, "0"])
def test_a_tag_name_of_letters_digits_underscores_and_hyphens_is_taken(integration, name):
    created = integration.create("tags", {"name": name})
    assert created.status_code == 201, created.content
    assert created.json()["data"]["attributes"]["name"] == name


@pytest.mark.sqlite
@pytest.mark.parametrize("name", ["", "x" * 26, "two words", "vip!", "café", "a,b"])
def test_a_tag_name_outside_the_rule_is_422_invalid(integration, name):
    problem = error(integration.create("tags", {"name": name}), 422)
    assert problem["source"]["pointer"] == "/data/attributes/name"
    assert problem["meta"]["error"] in ("invalid", "blank", "too_long")
    assert not Tag.objects.exists()


def test_a_tag_name_is_unique(integration, tags):
    problem = error(integration.create("tags", {"name": "vip"}), 422)
    assert (problem["source"]["pointer"], problem["meta"]["error"]) == (
        "/data/attributes/name",
        "taken",
    )
    renamed = integration.update("tags", tags["gift"].public_id, {"name": "vip"})
    assert error(renamed, 422)["meta"]["error"] == "taken"


def test_tags_are_listed_and_read_by_integration_tokens_only(
    integration, sales_channel, customer_token, market, tags
):
    assert len(ids(integration.get("/api/tags"))) == 4
    assert ids(integration.get("/api/tags?filter[q][name_eq]=vip")) == [tags["vip"].public_id]
    customer = customer_token(market, "ada@example.com")
    for caller in (sales_channel, customer):
        assert_unauthorized(caller.get("/api/tags"), "list")
        assert_unauthorized(caller.get(f"/api/tags/{tags['vip'].public_id}"), "read")
        assert_unauthorized(caller.create("tags", {"name": "new"}), "create")


def test_deleting_a_tag_detaches_it_everywhere(integration, tags):
    sku, order = f.SkuFactory(), f.OrderFactory()
    for type_name, record in (("skus", sku), ("orders", order)):
        answer = integration.update(type_name, record.public_id, {"_add_tags": "vip,gift"})
        assert answer.status_code == 200, answer.content

    assert integration.delete(f"/api/tags/{tags['vip'].public_id}").status_code == 204

    assert not Tag.objects.filter(name="vip").exists()
    assert tag_names(integration.get(f"/api/skus/{sku.public_id}?include=tags")) == ["gift"]
    assert tag_names(integration.get(f"/api/orders/{order.public_id}?include=tags")) == ["gift"]
    assert Tagging.objects.count() == 2


# --- _add_tags and _remove_tags -----------------------------------------------------------


@pytest.mark.parametrize(
    "type_name, make",
    [("skus", f.SkuFactory), ("orders", f.OrderFactory), ("customers", f.CustomerFactory)],
)
def test_add_tags_ignores_unknown_names_and_tags_already_there(integration, tags, type_name, make):
    record = make()
    url = f"/api/{type_name}/{record.public_id}?include=tags"

    added = integration.patch(
        url,
        {"data": {"type": type_name, "id": record.public_id, "attributes": {"_add_tags": "vip"}}},
    )
    assert tag_names(added) == ["vip"]
    again = integration.update(type_name, record.public_id, {"_add_tags": "gift, vip,nope,,gift"})
    assert again.status_code == 200, again.content
    assert tag_names(integration.get(url)) == ["gift", "vip"]

    removed = integration.update(type_name, record.public_id, {"_remove_tags": "vip,nope,rush"})
    assert removed.status_code == 200, removed.content
    assert tag_names(integration.get(url)) == ["gift"]


def test_tags_relationship_replaces_the_whole_set_and_empty_clears_it(integration, tags):
    sku = f.SkuFactory()
    integration.update("skus", sku.public_id, {"_add_tags": "vip,gift"})
    url = f"/api/skus/{sku.public_id}?include=tags"

    replaced = integration.patch(
        url,
        {
            "data": {
                "type": "skus",
                "id": sku.public_id,
                "relationships": {
                    "tags": {
                        "data": [
                            {"type": "tags", "id": tags["rush"].public_id},
                            {"type": "tags", "id": tags["gift"].public_id},
                        ]
                    }
                },
            }
        },
    )
    assert tag_names(replaced) == ["gift", "rush"]

    cleared = integration.update("skus", sku.public_id, relationships={"tags": {"data": []}})
    assert cleared.status_code == 200, cleared.content
    assert tag_names(integration.get(url)) == []
    assert not Tagging.objects.exists()


def test_tags_relationship_on_create(integration, tags):
    category = f.ShippingCategoryFactory()
    created = integration.post(
        "/api/skus?include=tags",
        {
            "data": {
                "type": "skus",
                "attributes": {"code": "TAGGED", "name": "Tagged"},
                "relationships": {
                    "shipping_category": {
                        "data": {"type": "shipping_categories", "id": category.public_id}
                    },
                    "tags": {"data": [{"type": "tags", "id": tags["b2b"].public_id}]},
                },
            }
        },
    )
    assert created.status_code == 201, created.content
    assert tag_names(created) == ["b2b"]


def test_an_unknown_tag_id_is_422_not_found_and_nothing_changes(integration, tags):
    sku = f.SkuFactory()
    integration.update("skus", sku.public_id, {"_add_tags": "vip"})
    answer = integration.update(
        "skus",
        sku.public_id,
        {"name": "Renamed"},
        relationships={
            "tags": {
                "data": [
                    {"type": "tags", "id": tags["gift"].public_id},
                    {"type": "tags", "id": "missing"},
                ]
            }
        },
    )
    problem = error(answer, 422)
    assert (problem["source"]["pointer"], problem["meta"]["error"]) == (
        "/data/relationships/tags",
        "not_found",
    )
    sku.refresh_from_db()
    assert sku.name != "Renamed"
    assert list(Tagging.objects.values_list("tag__name", flat=True)) == ["vip"]


def test_the_eleventh_tag_is_422_on_the_tags_relationship(integration):
    names = [f"t{i}" for i in range(11)]
    for name in names:
        f.TagFactory(name=name)
    order = f.OrderFactory()

    ten = integration.update("orders", order.public_id, {"_add_tags": ",".join(names[:10])})
    assert ten.status_code == 200, ten.content
    eleventh = integration.update("orders", order.public_id, {"_add_tags": "t10"})
    problem = error(eleventh, 422)
    assert problem["source"]["pointer"] == "/data/relationships/tags"
    assert Tagging.objects.count() == 10

    every = [{"type": "tags", "id": t.public_id} for t in Tag.objects.all()]
    replaced = integration.update(
        "orders", order.public_id, relationships={"tags": {"data": every}}
    )
    assert error(replaced, 422)["source"]["pointer"] == "/data/relationships/tags"
    # A swap (one removed, one added) on a record carrying ten stays within the limit.
    swap = integration.update("orders", order.public_id, {"_add_tags": "t10", "_remove_tags": "t0"})
    assert swap.status_code == 200, swap.content
    names = set(Tagging.objects.values_list("tag__name", flat=True))
    assert names == {f"t{i}" for i in range(1, 11)}


def test_attaching_tags_records_a_tagged_event_with_the_tags(integration, tags):
    order = f.OrderFactory()
    integration.update("orders", order.public_id, {"_add_tags": "vip"})
    integration.update("orders", order.public_id, {"_add_tags": "gift,vip"})
    integration.update("orders", order.public_id, {"_add_tags": "vip"})  # nothing attached
    integration.update("orders", order.public_id, {"_remove_tags": "vip"})

    events = Event.objects.filter(topic="orders.tagged", resource_id=order.public_id)
    assert [e.payload for e in events.order_by("id")] == [
        {"tags": ["vip"], "added": ["vip"]},
        {"tags": ["gift", "vip"], "added": ["gift"]},
    ]
    sku = f.SkuFactory()
    integration.update(
        "skus",
        sku.public_id,
        relationships={"tags": {"data": [{"type": "tags", "id": tags["rush"].public_id}]}},
    )
    (event,) = Event.objects.filter(topic="skus.tagged")
    assert (event.resource_id, event.payload["tags"]) == (sku.public_id, ["rush"])


# --- storefront tokens ---------------------------------------------------------------------


def test_a_sales_channel_includes_the_tags_of_an_order_it_reads(
    integration, sales_channel, market, tags
):
    order = f.OrderFactory(market=market)
    integration.update("orders", order.public_id, {"_add_tags": "vip,rush"})
    read = sales_channel.get(f"/api/orders/{order.public_id}?include=tags")
    assert tag_names(read) == ["rush", "vip"]
    related = sales_channel.get(f"/api/orders/{order.public_id}/tags")
    assert sorted(t["attributes"]["name"] for t in related.json()["data"]) == ["rush", "vip"]


def test_a_sales_channel_may_not_write_tags(integration, sales_channel, market, tags):
    order = f.OrderFactory(market=market)
    readable = sales_channel.get(f"/api/orders/{order.public_id}")
    assert readable.status_code == 200, readable.content

    for attribute in ("_add_tags", "_remove_tags"):
        answer = sales_channel.update("orders", order.public_id, {attribute: "vip"})
        problem = error(answer, 400)
        assert (problem["code"], problem["source"]["pointer"]) == (
            "PARAM_NOT_ALLOWED",
            f"/data/attributes/{attribute}",
        )
    answer = sales_channel.update(
        "orders",
        order.public_id,
        relationships={"tags": {"data": [{"type": "tags", "id": tags["vip"].public_id}]}},
    )
    problem = error(answer, 400)
    assert (problem["code"], problem["source"]["pointer"]) == (
        "PARAM_NOT_ALLOWED",
        "/data/relationships/tags",
    )
    assert not Tagging.objects.exists()


# --- filters ------------------------------------------------------------------------------


def test_filters_on_tags_return_each_record_once(integration, tags):
    both, vip_only, none = f.SkuFactory(), f.SkuFactory(), f.SkuFactory()
    integration.update("skus", both.public_id, {"_add_tags": "vip,gift"})
    integration.update("skus", vip_only.public_id, {"_add_tags": "vip"})
    vip, gift = tags["vip"].public_id, tags["gift"].public_id

    def listed(query):
        return sorted(ids(integration.get(f"/api/skus?filter[q][{query}")))

    assert listed("tags_name_in]=vip,gift") == sorted([both.public_id, vip_only.public_id])
    assert listed("tags_name_eq]=gift") == [both.public_id]
    assert listed(f"tags_id_eq]={vip}") == sorted([both.public_id, vip_only.public_id])
    assert listed(f"tags_id_in]={vip},{gift}") == sorted([both.public_id, vip_only.public_id])
    counted = integration.get("/api/skus?filter[q][tags_name_in]=vip,gift")
    assert counted.json()["meta"]["record_count"] == 2
    assert none.public_id not in listed("tags_name_in]=vip,gift,rush")


def test_a_sales_channel_filters_the_skus_it_lists_by_tag(integration, sales_channel, tags):
    tagged, plain = f.SkuFactory(), f.SkuFactory()
    integration.update("skus", tagged.public_id, {"_add_tags": "vip"})
    everything = ids(sales_channel.get("/api/skus"))
    assert {tagged.public_id, plain.public_id} <= set(everything)
    assert ids(sales_channel.get("/api/skus?filter[q][tags_name_eq]=vip")) == [tagged.public_id]


# --- queries ------------------------------------------------------------------------------


def test_include_tags_costs_the_same_queries_for_1_and_20_orders(integration, tags):
    def orders(count):
        made = [f.OrderFactory() for _ in range(count)]
        for order in made:
            integration.update("orders", order.public_id, {"_add_tags": "vip,gift"})
        return made

    def queries():
        with CaptureQueriesContext(connection) as captured:
            answer = integration.get("/api/orders?include=tags&page[size]=25")
        assert answer.status_code == 200, answer.content
        return len(captured), answer.json()

    orders(1)
    queries()  # warm-up (content types, compiled reads)
    one, _ = queries()
    orders(19)
    twenty, document = queries()
    assert len(document["data"]) == 20
    assert all(len(o["relationships"]["tags"]["data"]) == 2 for o in document["data"])
    assert twenty == one


def test_an_order_read_without_include_costs_no_query_for_tags(integration, tags):
    order = f.OrderFactory()
    plain = f.OrderFactory()
    integration.update("orders", order.public_id, {"_add_tags": "vip"})
    integration.get(f"/api/orders/{plain.public_id}")  # warm-up

    def count(record):
        with CaptureQueriesContext(connection) as captured:
            answer = integration.get(f"/api/orders/{record.public_id}")
        assert answer.status_code == 200, answer.content
        assert "data" not in answer.json()["data"]["relationships"]["tags"]
        return [q["sql"] for q in captured]

    assert not any("tagging" in sql.lower() for sql in count(order))
    assert len(count(order)) == len(count(plain))
