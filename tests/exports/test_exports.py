"""Exports (bulk.md "Exports"): the file's records, shapes and formats, and the create's 422s."""

import pytest

from bulk.models import Export, FileChunk
from tests import factories as f
from tests.bulk_support import committed, run_jobs
from tests.exports.helpers import create_export, export_and_run, records_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def skus(db):
    """Three SKUs (codes TSHIRT-S, TSHIRT-M, MUG), each with one price; one with two."""
    price_list = f.PriceListFactory(currency_code="USD")
    made = []
    for code, cents in (("TSHIRT-S", 1500), ("TSHIRT-M", 1700), ("MUG", 900)):
        sku = f.SkuFactory(code=code, name=f"Name {code}")
        f.PriceFactory(sku=sku, price_list=price_list, amount_cents=cents)
        made.append(sku)
    f.PriceFactory(sku=made[0], amount_cents=1450, price_list__currency_code="EUR")
    return made


def ids_in_order(records):
    return [r["id"] for r in records]


def sorted_ids(model, **filters):
    rows = model.objects.filter(**filters).order_by("public_id")
    return list(rows.values_list("public_id", flat=True))


def test_json_of_skus_with_filters_fields_and_prices_nested(integration, client, skus):
    from inventory.models import Sku

    export = export_and_run(
        integration,
        resource_type="skus",
        filters={"code_start": "TSHIRT"},
        fields=["code", "name"],
        includes=["prices"],
    )
    attributes = export["attributes"]
    assert (attributes["status"], attributes["records_count"]) == ("completed", 2)
    assert (attributes["processed_count"], attributes["progress"]) == (2, 100)
    records = records_of(client, export)
    assert ids_in_order(records) == sorted_ids(Sku, code__startswith="TSHIRT")
    by_code = {r["code"]: r for r in records}
    small = by_code["TSHIRT-S"]
    # fields applied to the SKU: id, the attributes asked, to-one ids, the include.
    assert set(small) == {"id", "code", "name", "shipping_category_id", "prices"}
    assert small["name"] == "Name TSHIRT-S"
    assert small["shipping_category_id"] == skus[0].shipping_category.public_id
    amounts = sorted((p["currency_code"], p["amount_cents"]) for p in small["prices"])
    assert amounts == [("EUR", 1450), ("USD", 1500)]
    price = next(p for p in small["prices"] if p["currency_code"] == "USD")
    # Nested records are whole, in the same flat shape.
    assert price["formatted_amount"] == "$15.00" and price["amount_float"] == 15.0
    assert price["sku_id"] == small["id"]
    assert price["price_list_id"] == skus[0].prices.get(amount_cents=1500).price_list.public_id
    assert [p["amount_cents"] for p in by_code["TSHIRT-M"]["prices"]] == [1700]


def test_dry_data_leaves_out_float_and_formatted_members(integration, client, skus):
    export = export_and_run(integration, resource_type="prices", dry_data=True, includes=["sku"])
    records = records_of(client, export)
    assert len(records) == 4
    for record in records:
        assert "amount_cents" in record and "compare_at_amount_cents" in record
        assert not [k for k in record if k.endswith("_float") or k.startswith("formatted_")]
        assert record["sku"]["id"] == record["sku_id"]
    wet = records_of(client, export_and_run(integration, resource_type="prices"))
    assert sorted((r["amount_cents"], r["amount_float"]) for r in wet) == [
        (900, 9.0),
        (1450, 14.5),
        (1500, 15.0),
        (1700, 17.0),
    ]


def test_csv_of_skus_flattens_to_one_and_writes_arrays_as_json(integration, client, skus):
    import json

    from inventory.models import Sku

    skus[2].metadata = {"color": "white"}
    skus[2].save()
    export = export_and_run(
        integration,
        resource_type="skus",
        format="csv",
        fields=["code", "metadata", "do_not_ship"],
        includes=["shipping_category", "prices"],
    )
    rows = records_of(client, export)
    assert [r["id"] for r in rows] == sorted_ids(Sku)
    assert list(rows[0]) == [
        "id",
        "metadata",
        "code",
        "do_not_ship",
        "shipping_category_id",
        "shipping_category.id",
        "shipping_category.created_at",
        "shipping_category.updated_at",
        "shipping_category.reference",
        "shipping_category.reference_origin",
        "shipping_category.metadata",
        "shipping_category.name",
        "shipping_category.code",
        "prices",
    ]
    mug = next(r for r in rows if r["code"] == "MUG")
    assert json.loads(mug["metadata"]) == {"color": "white"}
    assert mug["do_not_ship"] == "false"
    assert mug["shipping_category.code"] == skus[2].shipping_category.code
    assert mug["shipping_category.reference"] == ""  # null: an empty cell
    (price,) = json.loads(mug["prices"])
    assert (price["amount_cents"], price["formatted_amount"]) == (900, "$9.00")


def test_records_count_none_and_over_the_limit(integration, skus, settings):
    response = create_export(integration, resource_type="skus", filters={"code_eq": "NOPE"})
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/attributes/records_count"}
    assert error["meta"] == {"error": "greater_than", "count": 0, "value": 0}

    from bulk import exports

    limit = exports.MAX_RECORDS
    try:
        exports.MAX_RECORDS = 2
        response = create_export(integration, resource_type="skus")
    finally:
        exports.MAX_RECORDS = limit
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/attributes/records_count"}
    assert error["meta"] == {"error": "less_than_or_equal_to", "count": 2, "value": 3}
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"resource_type": "webhooks"}, "resource_type"),
        ({"resource_type": "skus", "includes": ["nope"]}, "includes"),
        ({"resource_type": "skus", "includes": ["prices.sku.prices.sku"]}, "includes"),
        ({"resource_type": "skus", "fields": ["code", "colour"]}, "fields"),
        ({"resource_type": "skus", "filters": {"colour_eq": "red"}}, "filters"),
        ({"resource_type": "skus", "filters": {"code_sounds_like": "x"}}, "filters"),
        ({"resource_type": "skus", "filters": {"code_in": {"a": 1}}}, "filters"),
    ],
)
def test_bad_requests_are_422_on_their_attribute(integration, skus, attributes, pointer):
    response = create_export(integration, **attributes)
    assert response.status_code == 422, response.content
    pointers = [e["source"]["pointer"] for e in response.json()["errors"]]
    assert pointers == [f"/data/attributes/{pointer}"]
    assert not Export.objects.exists()


def test_webhooks_type_is_not_supported(integration, skus):
    response = create_export(integration, resource_type="webhooks")
    assert response.json()["errors"][0]["title"] == "is not supported"


def test_orders_with_line_items(integration, client, market):
    from orders.models import Order

    first = f.OrderFactory(market=market)
    f.LineItemFactory(order=first, quantity=2, unit_amount_cents=1250)
    f.LineItemFactory(order=first, quantity=1, unit_amount_cents=500)
    second = f.OrderFactory(market=market)
    export = export_and_run(
        integration, resource_type="orders", includes=["line_items"], fields=["number"]
    )
    records = records_of(client, export)
    assert ids_in_order(records) == sorted_ids(Order)
    by_id = {r["id"]: r for r in records}
    assert by_id[first.public_id]["number"] == first.number
    assert by_id[first.public_id]["market_id"] == market.public_id
    lines = sorted(
        (li["quantity"], li["unit_amount_cents"]) for li in by_id[first.public_id]["line_items"]
    )
    assert lines == [(1, 500), (2, 1250)]
    assert all(li["order_id"] == first.public_id for li in by_id[first.public_id]["line_items"])
    assert by_id[second.public_id]["line_items"] == []


def test_customers_never_carry_their_password(integration, client, db):
    customer = f.CustomerFactory()
    customer.password = "pbkdf2_sha256$hash-of-a-secret"
    customer.save()
    records = records_of(client, export_and_run(integration, resource_type="customers"))
    assert [r["email"] for r in records] == [customer.email]
    assert "password" not in records[0]
    assert "hash-of-a-secret" not in str(records)


def test_start_changes_nothing_and_interrupt_of_finished_is_422(integration, skus):
    export = export_and_run(integration, resource_type="skus")
    with committed():
        response = integration.update("exports", export["id"], {"_start": True})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["status"] == "completed"
    with committed():
        response = integration.update("exports", export["id"], {"_interrupt": True})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/attributes/status"}


def test_interrupt_a_pending_export(integration, skus, settings):
    settings.BULK_MAX_RUNNING_JOBS = 0  # nothing is admitted: it stays pending
    response = create_export(integration, resource_type="skus")
    export_id = response.json()["data"]["id"]
    assert response.json()["data"]["attributes"]["status"] == "pending"
    with committed():
        response = integration.update("exports", export_id, {"_interrupt": True})
    assert response.status_code == 200, response.content
    attributes = response.json()["data"]["attributes"]
    assert attributes["status"] == "interrupted" and attributes["attachment_url"] is None
    settings.BULK_MAX_RUNNING_JOBS = 10
    run_jobs()
    assert Export.objects.get(public_id=export_id).status == "interrupted"
    assert not FileChunk.objects.exists()


def test_delete_in_progress_is_423_and_finished_removes_files(integration, skus):
    from bulk import runner

    response = create_export(integration, resource_type="skus")
    export_id = response.json()["data"]["id"]
    with committed():
        runner.admit("exports")  # started, its task not run yet
    assert Export.objects.get(public_id=export_id).status == "in_progress"
    response = integration.delete(f"/api/exports/{export_id}")
    assert response.status_code == 423, response.content
    assert response.json()["errors"][0]["code"] == "LOCKED"
    run_jobs()
    export = Export.objects.get(public_id=export_id)
    assert FileChunk.objects.filter(kind="exports", job_id=export.pk).exists()
    response = integration.delete(f"/api/exports/{export_id}")
    assert response.status_code == 204, response.content
    assert not Export.objects.filter(public_id=export_id).exists()
    assert not FileChunk.objects.filter(kind="exports", job_id=export.pk).exists()
    from inventory.models import Sku

    assert Sku.objects.count() == 3  # never the records it read


def test_list_filters_and_sorts(integration, skus):
    export_and_run(integration, resource_type="skus")
    export_and_run(integration, resource_type="prices", reference="group-0001")
    response = integration.get(
        "/api/exports?filter[q][resource_type_eq]=prices&filter[q][status_eq]=completed"
    )
    assert response.status_code == 200, response.content
    (only,) = response.json()["data"]
    assert only["attributes"]["reference"] == "group-0001"
    response = integration.get("/api/exports?filter[q][reference_start]=group-&sort=-records_count")
    assert [e["attributes"]["resource_type"] for e in response.json()["data"]] == ["prices"]
    response = integration.get("/api/exports?sort=-records_count")
    assert [e["attributes"]["records_count"] for e in response.json()["data"]] == [4, 3]


def test_sales_channel_is_refused(sales_channel, integration, skus):
    from tests.conftest import assert_unauthorized

    assert_unauthorized(sales_channel.get("/api/exports"), "list")
    with committed():
        response = sales_channel.create("exports", {"resource_type": "skus"})
    assert_unauthorized(response, "create")
    export = export_and_run(integration, resource_type="skus")
    assert_unauthorized(sales_channel.get(f"/api/exports/{export['id']}"), "retrieve")
