"""Bodies sent with `Transfer-Encoding: chunked` (no Content-Length) are read, within the
413 size limit (limits.md section 1).

Django's test client stands for the WSGI server here: an environ without CONTENT_LENGTH, the
Transfer-Encoding header, and the decoded body as `wsgi.input` (which a real server hands over,
as the gunicorn test at the end shows end to end)."""

import http.client
import io
import json
import os

import pytest
from django.conf import settings

from tests import factories as f
from tests.kernel.test_bad_input import assert_error, row_counts
from tests.servers import free_port, served

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MEDIA_TYPE = "application/vnd.api+json"


def chunked(body: bytes) -> dict:
    """WSGI environ entries of a chunked request whose decoded body is `body`."""
    return {
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(body),
    }


def sku_body(**attributes) -> bytes:
    document = {"data": {"type": "skus", "attributes": {"code": "CH", "name": "Chunked"}}}
    document["data"]["attributes"].update(attributes)
    return json.dumps(document).encode()


def test_a_chunked_body_is_read(integration):
    body = sku_body()
    response = integration.client.post(
        "/api/skus", data=body, content_type=MEDIA_TYPE, **integration.headers(chunked(body))
    )
    assert response.status_code == 201, response.content
    assert f.SkuFactory._meta.model.objects.get(code="CH").name == "Chunked"


def test_a_chunked_body_over_the_limit_is_413(integration):
    before = row_counts()
    body = sku_body(description="x" * settings.MAX_REQUEST_BODY_BYTES)
    response = integration.client.post(
        "/api/skus", data=body, content_type=MEDIA_TYPE, **integration.headers(chunked(body))
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", {"pointer": ""})
    assert row_counts() == before


def test_a_chunked_body_of_exactly_the_limit_is_read(integration):
    padding = settings.MAX_REQUEST_BODY_BYTES - len(sku_body(description=""))
    body = sku_body(description="x" * padding)
    assert len(body) == settings.MAX_REQUEST_BODY_BYTES
    response = integration.client.post(
        "/api/skus", data=body, content_type=MEDIA_TYPE, **integration.headers(chunked(body))
    )
    # Read whole: the description's own validation answers, not the size limit.
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/attributes/description"}


def test_a_chunked_token_request_is_read(client, make_api_client):
    client_id = make_api_client("integration")
    body = json.dumps(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "test-secret"}
    ).encode()
    response = client.post(
        "/oauth/token", data=body, content_type="application/json", **chunked(body)
    )
    assert response.status_code == 200, response.content
    assert response.json()["access_token"]


# --- end to end, under gunicorn -------------------------------------------------------------


@pytest.fixture
def gunicorn_url(tmp_path):
    """The project's gunicorn.conf.py on a free loopback port, one worker, on an empty SQLite
    file (the requests below never reach a table). Stopped by its pid."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        API_THROTTLE_ENABLED="0",
        PYTHONUNBUFFERED="1",
    )
    args = ["-m", "gunicorn", "--config", "gunicorn.conf.py"]
    with served(args, port=port, env=env, log=tmp_path / "gunicorn.log"):
        yield port


def post_chunked(port: int, path: str, pieces: list[bytes], content_type: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        # An iterable body without Content-Length goes out as Transfer-Encoding: chunked.
        connection.request(
            "POST",
            path,
            body=iter(pieces),
            headers={"Content-Type": content_type, "Accept": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_chunked_bodies_under_gunicorn(gunicorn_url):
    port = gunicorn_url
    # Read: the grant type is in the second chunk (a dropped body says grant_type is missing).
    status, body = post_chunked(
        port, "/oauth/token", [b'{"grant_type":', b'"nope"}'], "application/json"
    )
    assert (status, body["errors"][0]["title"]) == (400, "unsupported_grant_type")
    # The size limit holds: a chunked body one byte over it is refused.
    limit = settings.MAX_REQUEST_BODY_BYTES
    pieces = [b'{"grant_type":"', b"x" * limit, b'"}']
    status, body = post_chunked(port, "/oauth/token", pieces, "application/json")
    assert (status, body["errors"][0]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    # And a deep document sent that way is refused before it is parsed.
    pieces = [b'{"a":', b"[" * 5000, b"]" * 5000, b"}"]
    status, body = post_chunked(port, "/oauth/token", pieces, "application/json")
    assert (status, body["errors"][0]["title"]) == (400, "invalid_request")
