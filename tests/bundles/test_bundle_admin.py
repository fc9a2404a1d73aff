"""Bundles in the admin: made and changed through the API's services (a refusal is an error on
the page, nothing written), their components listed, the compute buttons run the API's
triggers; an order's page shows its bundle lines."""

import pytest
from django.urls import reverse

from markets.models import Bundle
from tests.admin.conftest import admin_url, messages_of
from tests.admin.test_order_pages import text_of
from tests.bundles.conftest import bundle_cart, make_bundle, sku_list

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ADD = reverse("admin:markets_bundle_add")


def _form(**values) -> dict:
    return {
        "code": "BOX",
        "name": "Box",
        "currency_code": "",
        "description": "",
        "image_url": "",
        "price_amount_cents": "",
        "compare_at_amount_cents": "",
        "reference": "",
        "reference_origin": "",
        "metadata": "{}",
        **values,
    }


def test_a_bundle_is_made_as_the_api_makes_it(staff_client, shop):
    kit = sku_list((shop["a"], 1), (shop["b"], 2), name="Box")
    page = staff_client.post(
        ADD, _form(market=shop["market"].pk, sku_list=kit.pk, currency_code="EUR")
    )
    assert page.status_code == 200
    assert "must be USD" in text_of(page)
    assert not Bundle.objects.filter(code="BOX").exists()
    empty = sku_list(name="Empty")
    page = staff_client.post(ADD, _form(market=shop["market"].pk, sku_list=empty.pk))
    assert "must have 1 to 10 items" in text_of(page)
    page = staff_client.post(ADD, _form(market=shop["market"].pk, sku_list=kit.pk))
    assert page.status_code == 302, text_of(page)
    bundle = Bundle.objects.get(code="BOX")
    assert (bundle.currency_code, bundle.market, bundle.sku_list) == ("USD", shop["market"], kit)


def test_its_page_lists_the_components_and_computes_its_price(staff_client, shop):
    bundle = shop["bundle"]
    page = text_of(staff_client.get(admin_url(bundle)))
    assert f"1 × {shop['a'].code} ({shop['a'].name}); 2 × {shop['b'].code}" in page
    assert "Compute price" in page and "Compute compare-at" in page
    done = staff_client.post(admin_url(bundle, "trigger", "compute_price_amount"), follow=True)
    assert messages_of(done) == ["Compute price: 1 done."]
    bundle.refresh_from_db()
    assert bundle.price_amount_cents == 3100
    loose = make_bundle(bundle.sku_list, market=None, code="LOOSE", currency_code="USD")
    refused = staff_client.post(
        admin_url(loose, "trigger", "compute_compare_at_amount"), follow=True
    )
    assert messages_of(refused) == [
        "LOOSE: Compute compare-at refused — _compute_compare_at_amount - needs a market: "
        "prices are read from its price list"
    ]
    listed = text_of(staff_client.get(admin_url(bundle, "changelist")))
    assert "$31.00" in listed


def test_an_order_page_shows_its_bundle_lines(staff_client, shop):
    order = bundle_cart(shop, 2)
    page = text_of(staff_client.get(admin_url(order)))
    # item type, the bundle's code, name, quantity, unit ... total
    assert "bundles KIT Bundle KIT 2 $25.00" in page
    assert "$50.00" in page
    assert f"1 × {shop['a'].code}" not in page  # 2 bundles: 2 A and 4 B in the shipment
    assert f"2 × {shop['a'].code}" in page and f"4 × {shop['b'].code}" in page
