"""Imports' extras: CSV `tags.name` columns attach tags (bulk.md "Imports"), records' own
events only with IMPORTS_TRIGGER_WEBHOOKS, and the admin's upload form (issue 22 item 5)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bulk.models import Import
from catalog.models import Sku
from commerce.models import Event, Tag
from commerce.tags import tags_of
from tests import factories as f
from tests.bulk_support import committed, run_jobs


@pytest.fixture
def category(db):
    return f.ShippingCategoryFactory()


def test_csv_tags_name_column_attaches_tags(integration, category):
    Tag.objects.create(name="sale")
    Tag.objects.create(name="summer")
    inputs = (
        "code,name,shipping_category_id,tags.name\n"
        f'TAGGED,Tagged,{category.public_id},"sale,summer"\n'
    )
    response = integration.create(
        "imports", {"resource_type": "skus", "format": "csv", "inputs": inputs}
    )
    assert response.status_code == 201, response.content
    run_jobs()
    sku = Sku.objects.get(code="TAGGED")
    assert sorted(tag.name for tag in tags_of(sku)) == ["sale", "summer"]


@pytest.mark.parametrize("trigger", [False, True])
def test_records_events_only_with_the_setting(integration, category, settings, trigger):
    settings.IMPORTS_TRIGGER_WEBHOOKS = trigger
    inputs = [{"code": "EV", "name": "Ev", "shipping_category_id": category.public_id}]
    response = integration.create("imports", {"resource_type": "skus", "inputs": inputs})
    run_jobs()
    job_id = response.json()["data"]["id"]
    assert Event.objects.filter(topic="imports.complete", resource_id=job_id).count() == 1
    sku = Sku.objects.get(code="EV")
    created = Event.objects.filter(topic="skus.create", resource_id=sku.public_id)
    assert created.count() == (1 if trigger else 0)


def test_admin_starts_an_import_from_an_uploaded_file(admin_client, category):
    records = [{"code": "UP-1", "name": "Uploaded", "shipping_category_id": category.public_id}]
    upload = SimpleUploadedFile("skus.json", json.dumps(records).encode())
    with committed():
        response = admin_client.post(
            reverse("admin:bulk_import_add"),
            {"resource_type": "skus", "format": "json", "file": upload},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Import.objects.get()
    assert (job.resource_type, job.inputs_size) == ("skus", 1)
    run_jobs()
    assert Sku.objects.filter(code="UP-1").exists()
    page = admin_client.get(reverse("admin:bulk_import_change", args=[job.pk]))
    assert page.status_code == 200 and "completed" in page.content.decode()


def test_admin_upload_refuses_a_bad_file(admin_client, db):
    upload = SimpleUploadedFile("skus.json", b"{not json")
    response = admin_client.post(
        reverse("admin:bulk_import_add"),
        {"resource_type": "skus", "format": "json", "file": upload},
    )
    assert response.status_code == 200
    assert "not JSON" in response.content.decode()
    assert not Import.objects.exists()


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create(username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client
