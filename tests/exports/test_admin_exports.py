"""The admin's list of exports: status, counts and the signed link to a completed file."""

import gzip
import json
import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.exports.helpers import body, export_and_run

pytestmark = pytest.mark.django_db


def test_changelist_links_the_file_of_a_completed_export(admin_client, integration, client):
    f.SkuFactory(code="ADMIN-1")
    export = export_and_run(integration, resource_type="skus", fields=["code"])
    page = admin_client.get(reverse("admin:bulk_export_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "completed" in html
    link = re.search(r'href="(/api/exports/[^"]+/download\?[^"]+)"', html)
    assert link is not None, "no download link"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    records = json.loads(gzip.decompress(body(response)))
    assert [(r["id"], r["code"]) for r in records] == [(records[0]["id"], "ADMIN-1")]
    assert records[0]["id"] != export["id"]
    detail = admin_client.get(reverse("admin:bulk_export_change", args=[_pk(export)]))
    assert detail.status_code == 200 and b"/download?" in detail.content


def _pk(export):
    from bulk.models import Export

    return Export.objects.get(public_id=export["id"]).pk
