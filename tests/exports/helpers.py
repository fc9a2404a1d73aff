"""Helpers of the exports tests: create an export through the API, run the jobs, download."""

import csv
import gzip
import io
import json
from urllib.parse import urlsplit

from tests.bulk_support import committed, run_jobs


def create_export(api, **attributes):
    with committed():
        response = api.create("exports", attributes)
    return response


def export_and_run(api, **attributes) -> dict:
    """POST the export (201), run the jobs, then read it back: the completed export."""
    response = create_export(api, **attributes)
    assert response.status_code == 201, response.content
    export_id = response.json()["data"]["id"]
    run_jobs()
    read = api.get(f"/api/exports/{export_id}")
    assert read.status_code == 200, read.content
    return read.json()["data"]


def download(client, url):
    """GET the attachment_url bare (no token), as the CLI does."""
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def records_of(client, export: dict):
    response = download(client, export["attributes"]["attachment_url"])
    assert response.status_code == 200, response.content
    data = gzip.decompress(body(response)).decode()
    if export["attributes"]["format"] == "csv":
        return list(csv.DictReader(io.StringIO(data)))
    return json.loads(data)
