"""The front door and the API docs in Chromium (the admin's browser fixtures): `/` is usable
with JavaScript off, and Swagger UI shows the schema's descriptions as written, angle brackets
included (commerce/landing.py, commerce/jsonapi/openapi.py)."""

import json

import pytest

from tests.admin.test_browser import TIMEOUT_MS, browser, playwright  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_door_works_with_javascript_off(browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.locator("h1").inner_text().startswith("Commerce backend")
        assert "curl -s" in page.locator("#token-curl").inner_text()

        page.get_by_role("link", name="/health").click()
        page.wait_for_url("**/health")
        assert json.loads(page.locator("body").inner_text())["database"] == "ok"
    finally:
        context.close()


def test_swagger_ui_shows_the_filter_syntax_as_written(browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/api/docs/")
        description = page.locator(".information-container .info .description")
        description.wait_for()
        assert "filter[q][<attribute>_<predicate>]" in description.inner_text()
    finally:
        context.close()
