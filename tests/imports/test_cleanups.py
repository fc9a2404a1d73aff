"""Cleanups (bulk.md "Cleanups"): matching records deleted through their own DELETE, a refused
one logged by its id while the others go."""

import pytest

from bulk.models import Cleanup
from catalog.models import Sku
from tests import factories as f
from tests.bulk_support import run_jobs
from tests.conftest import assert_unauthorized


def create_cleanup(client, resource_type, filters=None):
    attributes = {"resource_type": resource_type}
    if filters is not None:
        attributes["filters"] = filters
    return client.create("cleanups", attributes)


def read_cleanup(client, public_id):
    response = client.get(f"/api/cleanups/{public_id}")
    assert response.status_code == 200, response.content
    return response.json()["data"]["attributes"]


def test_cleanup_deletes_matching_skus_and_logs_a_refused_one(integration):
    doomed = [f.SkuFactory(code=f"OLD-{n}") for n in range(3)]
    kept = f.SkuFactory(code="NEW-1")
    ordered = f.SkuFactory(code="OLD-ORDERED")
    f.LineItemFactory(order=f.OrderFactory(status="placed"), sku=ordered)
    response = create_cleanup(integration, "skus", {"code_start": "OLD-"})
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["attributes"]["records_count"] == 4
    assert data["attributes"]["status"] == "pending"
    run_jobs()
    attributes = read_cleanup(integration, data["id"])
    assert attributes["status"] == "completed"
    assert (attributes["processed_count"], attributes["errors_count"]) == (3, 1)
    assert list(attributes["errors_log"]) == [ordered.public_id]
    assert attributes["errors_log"][ordered.public_id]["base"]
    assert not Sku.objects.filter(pk__in=[s.pk for s in doomed]).exists()
    assert Sku.objects.filter(pk__in=[kept.pk, ordered.pk]).count() == 2


def test_records_created_after_the_start_are_not_touched(integration):
    f.SkuFactory(code="OLD-1")
    response = create_cleanup(integration, "skus", {"code_start": "OLD-"})
    job = Cleanup.objects.get(public_id=response.json()["data"]["id"])
    from bulk import runner
    from tests.bulk_support import committed

    with committed():
        runner.admit("cleanups")  # started: ids frozen, tasks queued, none run yet
    late = f.SkuFactory(code="OLD-LATE")
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.processed_count) == ("completed", 1)
    assert Sku.objects.filter(pk=late.pk).exists()


def test_cleanup_type_and_count_rules(integration):
    response = create_cleanup(integration, "orders")
    assert response.status_code == 422
    assert response.json()["errors"][0]["meta"]["error"] == "inclusion"
    response = create_cleanup(integration, "bundles")
    assert response.status_code == 422
    assert response.json()["errors"][0]["title"] == "is not supported"
    response = create_cleanup(integration, "skus", {"code_start": "NOTHING"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/records_count"
    assert error["meta"] == {"error": "greater_than", "count": 0, "value": 0}
    response = create_cleanup(integration, "skus", {"bogus_predicate": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/filters"
    assert not Cleanup.objects.exists()


def test_interrupt_then_delete(integration):
    f.SkuFactory(code="OLD-1")
    response = create_cleanup(integration, "skus", {"code_start": "OLD-"})
    job_id = response.json()["data"]["id"]
    stop = integration.update("cleanups", job_id, {"_interrupt": True})
    assert stop.json()["data"]["attributes"]["status"] == "interrupted"
    run_jobs()
    assert Sku.objects.filter(code="OLD-1").exists()
    assert integration.update("cleanups", job_id, {"_interrupt": True}).status_code == 422
    assert integration.delete(f"/api/cleanups/{job_id}").status_code == 204
    assert Sku.objects.filter(code="OLD-1").exists()  # never the records


def test_delete_in_progress_is_locked(integration):
    f.SkuFactory(code="OLD-1")
    response = create_cleanup(integration, "skus", {"code_start": "OLD-"})
    job_id = response.json()["data"]["id"]
    from bulk import runner
    from tests.bulk_support import committed

    with committed():
        runner.admit("cleanups")
    response = integration.delete(f"/api/cleanups/{job_id}")
    assert response.status_code == 423
    assert response.json()["errors"][0]["code"] == "LOCKED"


@pytest.mark.parametrize("path", ["/api/cleanups"])
def test_sales_channel_may_not_clean_up(sales_channel, path):
    assert_unauthorized(sales_channel.get(path))
    assert_unauthorized(create_cleanup(sales_channel, "skus"))
