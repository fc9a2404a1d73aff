"""The signed download of an export's file (bulk.md "Exports", bulk/files.py)."""

import gzip
import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest

from bulk import files
from bulk.models import FileChunk
from tests import factories as f
from tests.exports.helpers import body, download, export_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(integration, db):
    for n in range(7):
        f.SkuFactory(code=f"DL-{n}")
    return export_and_run(integration, resource_type="skus", fields=["code"])


def test_download_needs_no_token_and_is_the_gzip_file_itself(client, export):
    from inventory.models import Sku

    url = export["attributes"]["attachment_url"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "testserver",
        f"/api/exports/{export['id']}/download",
    )
    assert set(parse_qs(parts.query)) == {"expires", "signature"}
    response = download(client, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert response["Content-Disposition"] == f'attachment; filename="{export["id"]}.json.gz"'
    assert not response.has_header("Content-Encoding")
    records = json.loads(gzip.decompress(body(response)))
    expected = list(Sku.objects.order_by("public_id").values_list("public_id", "code"))
    assert [(r["id"], r["code"]) for r in records] == expected


def test_no_content_encoding_even_when_the_client_accepts_gzip(client, export):
    url = urlsplit(export["attributes"]["attachment_url"])
    response = client.get(f"{url.path}?{url.query}", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert gzip.decompress(body(response)).startswith(b"[")


def test_csv_file_name(integration, client, db):
    f.SkuFactory()
    export = export_and_run(integration, resource_type="skus", format="csv")
    response = download(client, export["attributes"]["attachment_url"])
    assert response["Content-Disposition"] == f'attachment; filename="{export["id"]}.csv.gz"'


def _forbidden(response):
    assert response.status_code == 403, response.content
    (error,) = response.json()["errors"]
    assert (error["code"], error["status"]) == ("FORBIDDEN", "403")


def test_altered_links_are_403(client, export):
    url = export["attributes"]["attachment_url"]
    query = parse_qs(urlsplit(url).query)
    expires, signature = query["expires"][0], query["signature"][0]
    path = f"/api/exports/{export['id']}/download"
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    _forbidden(client.get(f"{path}?expires={expires}&signature={flipped}"))
    _forbidden(client.get(f"{path}?expires={int(expires) + 3600}&signature={signature}"))
    _forbidden(client.get(f"{path}?expires={expires}"))
    _forbidden(client.get(path))
    other = f.SkuFactory()  # another id with this signature
    _forbidden(client.get(f"/api/exports/{other.public_id}/download?{urlsplit(url).query}"))


def test_expired_after_5_minutes_and_renewed_by_every_read(
    client, integration, export, monkeypatch
):
    import time

    url = export["attributes"]["attachment_url"]
    now = time.time()
    monkeypatch.setattr(files.time, "time", lambda: now + 5 * 60 + 5)
    _forbidden(download(client, url))
    fresh = integration.get(f"/api/exports/{export['id']}").json()["data"]
    renewed = fresh["attributes"]["attachment_url"]
    assert renewed != url
    assert download(client, renewed).status_code == 200


def test_file_writer_cuts_1_mib_rows_and_members_concatenate(db):
    data = os.urandom(2 * files.CHUNK_BYTES + 1234)  # incompressible: gzip is larger still
    writer = files.FileWriter("exports", 999)
    half = len(data) // 2
    writer.write(files.gzip_member(data[:half]))
    writer.write(files.gzip_member(data[half:]))
    size = writer.close()
    rows = list(FileChunk.objects.filter(kind="exports", job_id=999).order_by("position"))
    assert [r.position for r in rows] == [0, 1, 2]
    assert [len(r.data) for r in rows[:2]] == [files.CHUNK_BYTES, files.CHUNK_BYTES]
    assert sum(len(r.data) for r in rows) == size
    assert gzip.decompress(b"".join(bytes(r.data) for r in rows)) == data
