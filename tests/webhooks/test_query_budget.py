"""No query per row: webhook lists cost the same for 1 and 25 rows with every include."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.webhooks.models import EventCallback, Webhook

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

# The token, the count, the page, and one per included relationship.
BUDGET = {"webhooks": 4, "event_callbacks": 4}
INCLUDE = {"webhooks": "last_event_callbacks", "event_callbacks": "webhook"}


def make_rows(n):
    for i in range(n):
        webhook = Webhook.objects.create(
            topic="orders.place", callback_url=f"https://erp{i}.example.com/hooks"
        )
        EventCallback.objects.create(
            webhook=webhook, callback_url=webhook.callback_url, response_code="200"
        )


def queries_for(api, type_name) -> tuple[int, int]:
    url = f"/api/{type_name}?page[size]=25&include={INCLUDE[type_name]}"
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    document = response.json()
    assert document.get("included"), "the include was served"
    return len(captured.captured_queries), len(document["data"])


@pytest.mark.parametrize("type_name", sorted(BUDGET))
def test_lists_with_every_include_cost_the_same_for_1_and_25_rows(integration, type_name):
    make_rows(1)
    few, rows = queries_for(integration, type_name)
    assert rows == 1
    make_rows(24)
    many, rows = queries_for(integration, type_name)
    assert rows == 25
    assert (few, many) == (BUDGET[type_name], BUDGET[type_name])
