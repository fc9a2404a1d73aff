"""The admin of customer groups: the group's page (its private markets and its customers), the
market's page choosing its group, the customer's page setting its group (catalog.md)."""

import pytest
from django.urls import reverse

from markets.models import CustomerGroup, Market
from orders.models import Customer
from tests import factories as f
from tests.admin.conftest import admin_url
from tests.admin.test_order_pages import text_of
from tests.customer_groups.conftest import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_a_groups_page_lists_its_markets_and_customers(staff_client, group):
    f.MarketFactory(name="Trade only", customer_group=group)
    f.MarketFactory(name="Everyone")
    members = [f.CustomerFactory(email=f"m{n}@example.com", customer_group=group) for n in (1, 2)]
    f.CustomerFactory(email="outsider@example.com")

    listing = staff_client.get(admin_url(group, "changelist"))
    (row,) = listing.context["cl"].result_list
    assert (row.markets_count, row.customers_count) == (1, 2)

    page = staff_client.get(admin_url(group))
    assert page.status_code == 200
    text = text_of(page)
    assert "Trade only" in text and "Everyone" not in text
    assert all(c.email in text for c in members) and "outsider@example.com" not in text
    assert "all 2 customers" in text
    customers = staff_client.get(
        reverse("admin:orders_customer_changelist"), {"customer_group__id__exact": group.pk}
    )
    assert {c.email for c in customers.context["cl"].result_list} == {c.email for c in members}


def test_a_group_is_created_and_renamed_on_its_page(staff_client, group):
    page = staff_client.get(reverse("admin:markets_customergroup_add"))
    data = admin_form_data(page) | {"name": "Affiliates", "code": "aff"}
    created = staff_client.post(reverse("admin:markets_customergroup_add"), data)
    assert created.status_code == 302, created.context["adminform"].form.errors
    assert CustomerGroup.objects.filter(name="Affiliates", code="aff").exists()

    page = staff_client.get(admin_url(group))
    saved = staff_client.post(admin_url(group), admin_form_data(page) | {"name": "Trade"})
    assert saved.status_code == 302
    group.refresh_from_db()
    assert group.name == "Trade"


def test_a_market_is_made_private_on_its_page(staff_client, market, group):
    page = staff_client.get(admin_url(market))
    assert "customer_group" in page.context["adminform"].form.fields
    saved = staff_client.post(
        admin_url(market), admin_form_data(page) | {"customer_group": group.pk}
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    market.refresh_from_db()
    assert market.customer_group == group and market.private
    listing = staff_client.get(
        admin_url(market, "changelist"), {"customer_group__id__exact": group.pk}
    )
    assert [m.pk for m in listing.context["cl"].result_list] == [market.pk]

    page = staff_client.get(admin_url(market))
    public = staff_client.post(admin_url(market), admin_form_data(page) | {"customer_group": ""})
    assert public.status_code == 302
    assert not Market.objects.get(pk=market.pk).private


def test_a_customer_joins_a_group_on_its_page(staff_client, group):
    customer = f.CustomerFactory(email="buyer@example.com")
    page = staff_client.get(admin_url(customer))
    saved = staff_client.post(
        admin_url(customer), admin_form_data(page) | {"customer_group": group.pk}
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert Customer.objects.get(pk=customer.pk).customer_group == group
    listing = staff_client.get(admin_url(customer, "changelist"))
    assert "customer_group" in listing.context["cl"].list_display
    assert [c.customer_group for c in listing.context["cl"].result_list] == [group]


def test_a_group_a_market_uses_is_not_deleted(staff_client, group):
    """Django's delete page names the market that holds it, and deletes nothing."""
    f.MarketFactory(code="trade-only", customer_group=group)
    page = staff_client.get(admin_url(group, "delete"))
    assert page.status_code == 200
    assert "protected related objects: Market: trade-only" in text_of(page)
    staff_client.post(admin_url(group, "delete"), {"post": "yes"})
    assert CustomerGroup.objects.filter(pk=group.pk).exists()
