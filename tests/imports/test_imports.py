"""Imports (bulk.md "Imports"): records created and updated exactly as POST/PATCH would, one
bad record never stopping the others, the error threshold, the job's own rules."""

import gzip
import json

import pytest

from bulk.models import Import
from catalog.models import Sku
from markets.models import Price
from tests import factories as f
from tests.bulk_support import run_jobs
from tests.conftest import assert_unauthorized


def create_import(client, resource_type, inputs, **attributes):
    return client.create(
        "imports", {"resource_type": resource_type, "inputs": inputs, **attributes}
    )


def read_import(client, public_id):
    response = client.get(f"/api/imports/{public_id}")
    assert response.status_code == 200, response.content
    return response.json()["data"]["attributes"]


@pytest.fixture
def category(db):
    return f.ShippingCategoryFactory(code="default")


def sku_record(code, name, category, **extra):
    return {"code": code, "name": name, "shipping_category_id": category.public_id, **extra}


def test_json_import_creates_and_updates_skus(integration, category):
    f.SkuFactory(code="TSHIRT-S", name="Old name")
    inputs = [
        sku_record("TSHIRT-S", "T-shirt S", category),
        sku_record("TSHIRT-M", "T-shirt M", category, pieces_per_pack=2),
    ]
    response = create_import(integration, "skus", inputs)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    attributes = data["attributes"]
    assert attributes["status"] == "pending"
    assert attributes["inputs_size"] == 2
    assert attributes["inputs"] == inputs
    run_jobs()
    attributes = read_import(integration, data["id"])
    assert attributes["status"] == "completed"
    assert (attributes["processed_count"], attributes["errors_count"]) == (2, 0)
    assert attributes["inputs"] is None
    assert Sku.objects.get(code="TSHIRT-S").name == "T-shirt S"
    assert Sku.objects.get(code="TSHIRT-M").pieces_per_pack == 2
    assert Sku.objects.filter(code__startswith="TSHIRT").count() == 2


def test_csv_import_of_prices_with_parent_resource_id(integration, category):
    price_list = f.PriceListFactory()
    f.PriceFactory(price_list=price_list, sku=f.SkuFactory(code="MUG"), amount_cents=500)
    f.SkuFactory(code="CAP")
    inputs = 'sku_code,amount_cents,compare_at_amount_cents\nMUG,1250,\n"CAP",990,1500\r\n'
    response = create_import(
        integration, "prices", inputs, format="csv", parent_resource_id=price_list.public_id
    )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["inputs_size"] == 2
    run_jobs()
    attributes = read_import(integration, response.json()["data"]["id"])
    assert attributes["status"] == "completed", attributes
    assert attributes["errors_log"] == {}
    prices = {p.sku.code: p for p in Price.objects.filter(price_list=price_list)}
    assert prices["MUG"].amount_cents == 1250  # updated by its key (sku_code + price list)
    assert (prices["CAP"].amount_cents, prices["CAP"].compare_at_amount_cents) == (990, 1500)
    assert Price.objects.filter(sku__code="MUG").count() == 1


def test_csv_import_of_skus_casts_cells(integration, category):
    inputs = [
        "code,name,shipping_category_id,pieces_per_pack,do_not_ship,metadata",
        f'HAT,"Hat, wool",{category.public_id},3,true,"{{""color"": ""red""}}"',
    ]
    response = create_import(integration, "skus", inputs, format="csv")
    assert response.status_code == 201, response.content
    run_jobs()
    sku = Sku.objects.get(code="HAT")
    assert (sku.name, sku.pieces_per_pack, sku.do_not_ship) == ("Hat, wool", 3, True)
    assert sku.metadata == {"color": "red"}


def test_a_bad_record_is_logged_by_its_key_and_the_others_applied(integration, category):
    inputs = [sku_record(f"GOOD-{n}", f"Good {n}", category) for n in range(10)]
    inputs.insert(4, sku_record("BAD", "", category))  # name can't be blank
    response = create_import(integration, "skus", inputs)
    run_jobs()
    attributes = read_import(integration, response.json()["data"]["id"])
    assert attributes["status"] == "completed"
    assert (attributes["processed_count"], attributes["errors_count"]) == (10, 1)
    assert attributes["errors_log"] == {"BAD": {"name": ["can't be blank"]}}
    assert Sku.objects.filter(code__startswith="GOOD-").count() == 10
    assert not Sku.objects.filter(code="BAD").exists()


def test_errors_over_ten_percent_interrupt_the_import(integration, category):
    inputs = [sku_record(f"OK-{n}", f"Ok {n}", category) for n in range(3)]
    inputs += [{"name": "no code"}, {"name": "no code either"}]
    inputs += [sku_record(f"LATE-{n}", f"Late {n}", category) for n in range(5)]
    response = create_import(integration, "skus", inputs)
    run_jobs()
    attributes = read_import(integration, response.json()["data"]["id"])
    assert attributes["status"] == "interrupted"
    assert attributes["interrupted_at"] is not None
    assert attributes["errors_count"] == 2  # 2 of 10 > 10 %: stopped there
    assert set(attributes["errors_log"]) == {"#4", "#5"}
    assert Sku.objects.filter(code__startswith="OK-").count() == 3
    assert not Sku.objects.filter(code__startswith="LATE-").exists()


def test_skip_errors_goes_on(integration, category):
    inputs = [{"name": "no code"}, {"name": "no code"}]
    inputs += [sku_record(f"OK-{n}", f"Ok {n}", category) for n in range(3)]
    response = create_import(integration, "skus", inputs, skip_errors=True)
    run_jobs()
    attributes = read_import(integration, response.json()["data"]["id"])
    assert attributes["status"] == "completed"
    assert (attributes["processed_count"], attributes["errors_count"]) == (3, 2)
    assert set(attributes["errors_log"]) == {"#1", "#2"}
    assert attributes["errors_log"]["#1"]["code"] == ["can't be blank"]


def test_finished_import_links_a_gzipped_copy(integration, client, category):
    inputs = [sku_record("COPY", "Copy", category)]
    response = create_import(integration, "skus", inputs)
    run_jobs()
    url = read_import(integration, response.json()["data"]["id"])["attachment_url"]
    assert url
    download = client.get(url[url.index("/api/") :])
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert json.loads(gzip.decompress(body)) == inputs


def test_too_many_records_and_empty_inputs(integration):
    response = create_import(integration, "skus", [{"code": "X"}] * 10_001)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/inputs"
    assert error["meta"]["error"] == "less_than_or_equal_to"
    assert error["meta"]["count"] == 10_000
    response = create_import(integration, "skus", [])
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/inputs"
    assert not Import.objects.exists()


def test_ten_thousand_records_fit_though_their_body_is_over_the_general_limit(
    integration, category, settings
):
    # 10 000 SKUs with a description: ~2.6 MB, over the 1 MiB any other write may send.
    inputs = [
        sku_record(f"BIG-{n:05d}", f"Mug {n}", category, description="d" * 200)
        for n in range(10_000)
    ]
    body = len(json.dumps(inputs))
    assert settings.MAX_REQUEST_BODY_BYTES < body < settings.MAX_IMPORT_BODY_BYTES
    made = create_import(integration, "skus", inputs)
    assert made.status_code == 201, made.content[:300]
    assert made.json()["data"]["attributes"]["inputs_size"] == 10_000
    # The same size anywhere else is still refused.
    big = integration.create("skus", {"code": "BIG", "name": "x", "description": "d" * body})
    assert big.status_code == 413
    # And an import has a limit too.
    settings.MAX_IMPORT_BODY_BYTES = body - 1
    assert create_import(integration, "skus", inputs).status_code == 413


def test_unsupported_type_and_cleanup_records(integration):
    response = create_import(integration, "orders", [{"number": "1"}])
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/resource_type"
    assert error["title"] == "is not supported"
    response = create_import(integration, "skus", [{"code": "X"}], cleanup_records=True)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"


def test_interrupt_and_delete_rules(integration, category):
    response = create_import(integration, "skus", [sku_record("I-1", "One", category)])
    job_id = response.json()["data"]["id"]
    stop = integration.update("imports", job_id, {"_interrupt": True})
    assert stop.status_code == 200, stop.content
    assert stop.json()["data"]["attributes"]["status"] == "interrupted"
    run_jobs()
    assert not Sku.objects.filter(code="I-1").exists()  # never started
    again = integration.update("imports", job_id, {"_interrupt": True})
    assert again.status_code == 422
    assert again.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
    Import.objects.filter(public_id=job_id).update(status="in_progress")
    assert integration.delete(f"/api/imports/{job_id}").status_code == 423
    Import.objects.filter(public_id=job_id).update(status="completed")
    assert integration.delete(f"/api/imports/{job_id}").status_code == 204
    assert integration.get(f"/api/imports/{job_id}").status_code == 404


def test_sales_channel_may_not_import(sales_channel, category):
    response = create_import(sales_channel, "skus", [sku_record("X", "X", category)])
    assert_unauthorized(response)
    assert_unauthorized(sales_channel.get("/api/imports"))
