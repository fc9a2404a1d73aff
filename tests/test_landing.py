"""The front door (`GET /`), the demo storefront's files under `/storefront/`, `/api/docs/` with
its trailing slash, and OpenAPI descriptions Swagger UI shows as written (commerce/landing.py)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from commerce import landing
from demo.data import API_CLIENTS, seed_demo

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

REPO = Path(__file__).resolve().parent.parent


class _Page(HTMLParser):
    """What a reader of the page gets: its text, its links, its tags."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.tags = [], [], set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._skip += tag in ("style", "title")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def read_page(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    page.text = re.sub(r"\s+", " ", "".join(page.text))
    return page


def test_the_front_door_is_plain_html_with_the_ways_in(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # which demo clients exist, nothing more
        response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = read_page(response)
    assert "script" not in page.tags
    assert {"/api/docs", "/admin/", "/health", "/storefront/"} <= set(page.links)
    assert "Commerce backend 0.1.0" in page.text
    assert "demo-store" in page.text
    assert "No demo data here" in page.text


def test_the_front_door_lists_the_demo_clients_and_a_token_curl(client, settings):
    settings.DEBUG = True  # as under `make run`, which prints the demo secret
    seed_demo()

    page = read_page(client.get("/", HTTP_HOST="shop.example:8000"))

    for client_id in ("demo-integration", "demo-sc-usa", "demo-sc-eu"):
        assert client_id in page.text
    assert "demo-integration-secret" in page.text
    assert (
        "curl -s http://shop.example:8000/oauth/token -H 'Content-Type: application/json' "
        """-d '{"grant_type":"client_credentials","client_id":"demo-sc-usa","""
        """"scope":"market:code:usa"}'"""
    ) in page.text


def test_the_demo_secret_is_not_shown_with_debug_off(client, settings):
    settings.DEBUG = True
    seed_demo()
    settings.DEBUG = False

    page = read_page(client.get("/"))

    assert "demo-sc-usa" in page.text
    assert "demo-integration-secret" not in page.text


def test_the_front_door_knows_the_demo_clients_of_the_demo_data():
    """The kernel may not import the demo app: its copy of the ids must follow demo.md's."""
    assert list(landing.DEMO_CLIENTS) == [c["client_id"] for c in API_CLIENTS]
    secrets = {c["client_id"]: c.get("client_secret") for c in API_CLIENTS}
    assert {k: v.get("secret") for k, v in landing.DEMO_CLIENTS.items()} == secrets


def test_the_front_door_says_how_to_install_the_libraries_when_missing(
    client, tmp_path, monkeypatch
):
    monkeypatch.setattr(landing, "STOREFRONT_DIR", tmp_path)
    assert "cd storefront && npm ci" in read_page(client.get("/")).text

    (tmp_path / "node_modules" / "@commercelayer").mkdir(parents=True)
    assert "npm ci" not in read_page(client.get("/")).text


def test_the_front_door_only_reads(client):
    assert client.post("/").status_code == 405


def test_api_docs_with_a_trailing_slash_reaches_the_docs(client):
    response = client.get("/api/docs/", follow=True)

    assert response.redirect_chain == [("/api/docs", 301)]
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def _descriptions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _descriptions(value)


def test_angle_brackets_in_descriptions_are_in_code_spans(client):
    """Swagger UI renders descriptions as Markdown with raw HTML on, then sanitizes it: a bare
    `<attribute>` is taken for a tag and dropped. Inside a code span it is shown as written."""
    schema = client.get("/api/schema").json()

    assert "`filter[q][<attribute>_<predicate>]`" in schema["info"]["description"]
    for description in _descriptions(schema):
        outside_code = re.sub(r"`[^`]*`", "", description)
        assert "<" not in outside_code, description


# --- /storefront/ ----------------------------------------------------------------------------


def test_storefront_serves_the_repositorys_demo_page(client):
    response = client.get("/storefront/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"".join(response.streaming_content) == (REPO / "storefront" / "index.html").read_bytes()


@pytest.fixture
def storefront_dir(tmp_path, monkeypatch):
    """A storefront/ of the test's own, beside a file that must stay out of reach."""
    root = tmp_path / "storefront"
    module = root / "node_modules" / "@commercelayer" / "sdk" / "lib"
    module.mkdir(parents=True)
    (root / "index.html").write_text("<p>index</p>")
    (root / "checkout.js").write_text("export const x = 1")
    (module / "index.mjs").write_text("export default 1")
    (root / "node_modules" / ".package-lock.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    monkeypatch.setattr(landing, "STOREFRONT_DIR", root)
    return root


@pytest.mark.parametrize(
    "url, body, content_type",
    [
        ("/storefront/", b"<p>index</p>", "text/html; charset=utf-8"),
        ("/storefront/index.html", b"<p>index</p>", "text/html; charset=utf-8"),
        ("/storefront/checkout.js", b"export const x = 1", "text/javascript; charset=utf-8"),
        (
            "/storefront/node_modules/@commercelayer/sdk/lib/index.mjs",
            b"export default 1",
            "text/javascript; charset=utf-8",
        ),
    ],
)
def test_storefront_serves_its_files(client, storefront_dir, url, body, content_type):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert b"".join(response.streaming_content) == body


@pytest.mark.parametrize(
    "url",
    [
        "/storefront/../secret.txt",
        "/storefront/%2e%2e/secret.txt",
        "/storefront/..%2fsecret.txt",
        "/storefront/node_modules/../../secret.txt",
        "/storefront//etc/passwd",
        "/storefront/link.txt",  # a link pointing out of the directory
        "/storefront/node_modules/.package-lock.json",
        "/storefront/node_modules/",
        "/storefront/missing.html",
        "/storefront/index.html%00.js",
    ],
)
def test_storefront_serves_nothing_else(client, storefront_dir, url):
    response = client.get(url)

    assert response.status_code == 404
    assert b"outside" not in response.content and b"root:" not in response.content


def test_storefront_only_reads(client, storefront_dir):
    assert client.post("/storefront/index.html").status_code == 405
