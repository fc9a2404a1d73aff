"""Catalog and API clients in the admin: SKUs with their prices inline (registered from
markets/admin.py), and django-oauth-toolkit applications with their API client's kind and
market scope, the scope checked as the token endpoint reads it."""

import pytest
from django.contrib import admin
from django.urls import reverse

from commerce.models import ApiClient
from inventory.models import Sku
from markets.admin import PriceInline
from tests import factories as f
from tests.admin.conftest import admin_url
from tests.admin.test_order_pages import text_of

pytestmark = pytest.mark.django_db


def test_a_sku_page_lists_its_prices_formatted(staff_client):
    price = f.PriceFactory(amount_cents=3200, price_list=f.PriceListFactory(currency_code="EUR"))
    assert PriceInline in admin.site._registry[Sku].inlines
    page = text_of(staff_client.get(admin_url(price.sku)))
    assert "Prices" in page
    assert price.public_id in page
    assert "€32,00" in page


def test_applications_show_their_kind_and_market_scope(staff_client, make_api_client):
    make_api_client("sales_channel", "market:code:usa")
    make_api_client("integration")
    page = staff_client.get(reverse("admin:oauth2_provider_application_changelist"))
    rows = {
        (row.client_id, row.api_client.kind, row.api_client.scope)
        for row in page.context["cl"].result_list
    }
    assert rows == {
        ("test-sales_channel-market-code-usa", "sales_channel", "market:code:usa"),
        ("test-integration-all", "integration", ""),
    }
    text = text_of(page)
    assert "sales_channel market:code:usa" in text
    assert "integration (every market)" in text


def test_a_malformed_scope_is_refused(staff_client, make_api_client):
    make_api_client("sales_channel", "market:code:usa")
    client = ApiClient.objects.get()
    page = staff_client.post(
        admin_url(client),
        {"application": client.application_id, "kind": "sales_channel", "scope": "usa"},
    )
    assert page.status_code == 200
    assert "is not one of market:code:" in text_of(page)
    client.refresh_from_db()
    assert client.scope == "market:code:usa"
