import pytest
from django.contrib.auth.models import User

from orders.services.totals import refresh_order
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.login(username="boss", password="pw")
    return client


def test_order_pages_render_and_a_refused_approve_changes_nothing(staff_client):
    order = f.OrderFactory(customer_email="a@example.com")
    f.LineItemFactory(order=order)
    refresh_order(order)
    assert staff_client.get("/admin/orders/order/").status_code == 200
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert b"Approve and capture" in page.content
    response = staff_client.post(f"/admin/orders/order/{order.pk}/trigger/approve/", follow=True)
    assert response.status_code == 200
    assert b"cannot transition from pending to approved" in response.content
    order.refresh_from_db()
    assert order.status == "pending"
