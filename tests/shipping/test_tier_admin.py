"""Weight tiers in the Django admin (shipping.md): listed on their method's page, written on
their own pages through the API's services (the same refusals, an event per write)."""

import pytest
from django.test import Client
from django.urls import reverse

from commerce.models import Event
from markets.models import ShippingWeightTier
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def staff(django_user_model):
    client = Client()
    client.force_login(
        django_user_model.objects.create(username="operator", is_staff=True, is_superuser=True)
    )
    return client


@pytest.fixture
def heavy():
    return f.ShippingMethodFactory(name="Heavy", scheme="weight_tiered", unit_of_weight="lb")


def add(staff, method, up_to, cents=2500):
    return staff.post(
        reverse("admin:markets_shippingweighttier_add"),
        {
            "shipping_method": method.pk,
            "name": f"Up to {up_to}",
            "up_to": "" if up_to is None else up_to,
            "price_amount_cents": cents,
            "metadata": "{}",
        },
    )


def test_tiers_are_added_through_the_services_and_listed_on_their_method(staff, heavy):
    response = add(staff, heavy, 2)
    assert response.status_code == 302, response.content.decode()[:2000]
    tier = ShippingWeightTier.objects.get()
    assert (tier.up_to, tier.price_amount_cents) == (2, 2500)
    assert Event.objects.filter(
        topic="shipping_weight_tiers.create", resource_id=tier.public_id
    ).exists()
    page = staff.get(reverse("admin:markets_shippingmethod_change", args=[heavy.pk]))
    assert page.status_code == 200
    assert tier.public_id in page.content.decode()


def test_the_admin_refuses_what_the_api_refuses(staff, heavy):
    for up_to in (1, 2, 3, 4, None):
        assert add(staff, heavy, up_to).status_code == 302
    sixth = add(staff, heavy, 5)
    assert sixth.status_code == 200  # the form again, with why
    assert "can have at most 5 weight tiers" in sixth.content.decode()
    assert ShippingWeightTier.objects.count() == 5
    other = f.ShippingMethodFactory(scheme="weight_tiered", unit_of_weight="lb")
    assert add(staff, other, 2).status_code == 302
    taken = add(staff, other, 2)  # the unique constraint's own message
    assert taken.status_code == 200
    assert "already exists" in taken.content.decode()
    assert ShippingWeightTier.objects.count() == 6
    zero = add(staff, f.ShippingMethodFactory(), 0)
    assert "must be greater than 0" in zero.content.decode()


def test_a_tier_deleted_in_the_admin_records_its_event(staff, heavy):
    tier = ShippingWeightTier.objects.create(
        shipping_method=heavy, name="T", up_to=1, price_amount_cents=1
    )
    url = reverse("admin:markets_shippingweighttier_delete", args=[tier.pk])
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not ShippingWeightTier.objects.exists()
    assert Event.objects.filter(
        topic="shipping_weight_tiers.destroy", resource_id=tier.public_id
    ).exists()
