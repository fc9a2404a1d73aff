"""Packing in the admin (issue 21 item 6): from a shipment's page an operator adds a parcel
(package, weight, tracking number, quantities of the stock line items) through the API's
services, sees their refusals as form errors, and ships with the trigger buttons. Packages and
parcels change through the same services."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from commerce.models import Event
from inventory.models import Package
from orders.models import Parcel, ParcelLineItem, Shipment
from tests import factories as f
from tests.parcels.conftest import lines_of, make_parcel, shipment_in
from tests.shop import ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    client = Client()
    client.force_login(
        django_user_model.objects.create(username="packer", is_staff=True, is_superuser=True)
    )
    return client


def pack_url(shipment) -> str:
    return reverse("admin:orders_parcel_pack", args=[shipment.pk])


def shipment_url(shipment) -> str:
    return reverse("admin:orders_shipment_change", args=[shipment.pk])


def text_of(response) -> str:
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_of(response):
    return response.context["form"]


def packing(box, **lines) -> dict:
    """The packing form's fields: line_0 is PCL-1 (2 units), line_1 PCL-2 (3 units)."""
    data = {"package": box.pk, "weight": "1.25", "unit_of_weight": "lb", "tracking_number": "T1"}
    return data | {f"line_{i}": str(lines.get(f"l{i}", 0)) for i in range(2)}


def test_a_shipments_page_links_to_packing_and_lists_its_parcels(integration, staff, shipment, box):
    page = staff.get(shipment_url(shipment))
    assert page.status_code == 200
    assert pack_url(shipment) in page.content.decode()
    parcel = make_parcel(integration, shipment, box)
    ok(
        integration.create(
            "parcel_line_items",
            {"quantity": 2},
            {
                "parcel": {"data": {"type": "parcels", "id": parcel["id"]}},
                "stock_line_item": {
                    "data": {
                        "type": "stock_line_items",
                        "id": lines_of(shipment)["PCL-1"].public_id,
                    }
                },
            },
        ),
        201,
    )
    text = text_of(staff.get(shipment_url(shipment)))
    assert f"{shipment.number}/P/001 MED 1.5 lb" in text
    assert "2 × PCL-1" in text


def test_the_packing_form_offers_what_is_left(staff, shipment, box, elsewhere):
    page = staff.get(pack_url(shipment))
    assert page.status_code == 200
    form = form_of(page)
    assert list(form.fields["package"].queryset) == [box]  # not the other location's
    assert [(line.sku_code, left) for line, _, left in form.line_fields] == [
        ("PCL-1", 2),
        ("PCL-2", 3),
    ]
    assert [field.initial for _, field, _ in form.line_fields] == [2, 3]


def test_an_operator_packs_a_parcel_and_ships(staff, shipment, box):
    response = staff.post(pack_url(shipment), packing(box, l0=2, l1=3), follow=True)
    assert response.redirect_chain == [(shipment_url(shipment), 302)]
    assert messages_of(response) == [f"Parcel {shipment.number}/P/001 added."]
    parcel = Parcel.objects.get(shipment=shipment)
    assert (parcel.weight, parcel.unit_of_weight, parcel.tracking_number, parcel.package) == (
        1.25,
        "lb",
        "T1",
        box,
    )
    lines = {line.sku_code: line.quantity for line in parcel.parcel_line_items.all()}
    assert lines == {"PCL-1": 2, "PCL-2": 3}
    topics = set(Event.objects.values_list("topic", flat=True))
    assert {"parcels.create", "parcel_line_items.create"} <= topics

    for name in ("packing", "ready_to_ship", "ship"):
        trigger = reverse("admin:orders_shipment_trigger", args=[shipment.pk, name])
        page = staff.post(trigger, follow=True)
        assert messages_of(page)[-1].endswith("1 done."), messages_of(page)
    assert Shipment.objects.get(pk=shipment.pk).status == "shipped"


def test_ship_is_refused_in_the_admin_until_everything_is_packed(integration, staff, shop, box):
    shipment = shipment_in(integration, shop, "_packing", "_ready_to_ship")
    staff.post(pack_url(shipment), packing(box, l0=1))
    page = staff.post(
        reverse("admin:orders_shipment_trigger", args=[shipment.pk, "ship"]), follow=True
    )
    assert messages_of(page)[-1:] == [
        f"{shipment.number}: Ship refused — parcels - PCL-1: 1 of 2 packed; "
        "parcels - PCL-2: 0 of 3 packed"
    ]
    assert Shipment.objects.get(pk=shipment.pk).status == "ready_to_ship"


def test_the_services_refusals_are_form_errors(integration, staff, shipment, box):
    zero = staff.post(pack_url(shipment), packing(box, l0=1) | {"weight": "0"})
    assert zero.status_code == 200
    assert form_of(zero).errors == {"weight": ["must be greater than 0"]}
    nothing = staff.post(pack_url(shipment), packing(box))
    assert form_of(nothing).errors == {"__all__": ["Pack at least one unit."]}
    too_many = staff.post(pack_url(shipment), packing(box, l1=4))
    assert form_of(too_many).errors == {"line_1": ["Ensure this value is less than or equal to 3."]}
    ok(integration.update("shipments", shipment.public_id, {"_on_hold": True}))
    held = staff.post(pack_url(shipment), packing(box, l0=1))
    assert form_of(held).errors == {
        "__all__": ["status - the shipment is on_hold: its parcels can't change"]
    }
    assert not Parcel.objects.exists()
    assert Shipment.objects.get(pk=shipment.pk).parcels_numbered == 0


def test_a_line_the_service_refuses_is_shown_on_its_field(staff, shipment, box, monkeypatch):
    """Packed meanwhile (another operator, the API): the form's bound is stale, the service's
    count under the shipment's lock decides."""
    from orders.services import parcels

    monkeypatch.setattr(parcels, "packed_by_line", lambda shipment: {})
    f.ParcelLineItemFactory(
        parcel=f.ParcelFactory(shipment=shipment, package=box, number="X/P/009"),
        stock_line_item=lines_of(shipment)["PCL-2"],
        quantity=2,
    )
    response = staff.post(pack_url(shipment), packing(box, l0=2, l1=3))
    assert form_of(response).errors == {"line_1": ["must be less than or equal to 1"]}
    assert Parcel.objects.count() == 1
    assert ParcelLineItem.objects.count() == 1


def test_a_shipped_parcels_page_changes_only_the_carriers_attributes(
    integration, staff, shipment, box
):
    staff.post(pack_url(shipment), packing(box, l0=2, l1=3))
    for trigger in ("_packing", "_ready_to_ship", "_ship"):
        ok(integration.update("shipments", shipment.public_id, {trigger: True}))
    parcel = Parcel.objects.get()
    url = reverse("admin:orders_parcel_change", args=[parcel.pk])
    form = {
        "package": box.pk,
        "weight": "1.25",
        "unit_of_weight": "lb",
        "tracking_number": "T2",
        "tracking_status": "delivered",
        "tracking_status_detail": "",
        "shipping_label_url": "",
        "signed_by": "Ada",
        "parcel_line_items-TOTAL_FORMS": "2",
        "parcel_line_items-INITIAL_FORMS": "2",
        "parcel_line_items-MIN_NUM_FORMS": "0",
        "parcel_line_items-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(parcel.parcel_line_items.all()):
        form |= {f"parcel_line_items-{i}-id": line.pk, f"parcel_line_items-{i}-parcel": parcel.pk}
    saved = staff.post(url, form, follow=True)
    assert saved.status_code == 200
    parcel.refresh_from_db()
    assert (parcel.tracking_number, parcel.tracking_status, parcel.signed_by) == (
        "T2",
        "delivered",
        "Ada",
    )
    refused = staff.post(url, form | {"weight": "9"}, follow=True)
    assert messages_of(refused) == ["weight - can't be changed once the shipment is shipped"]
    parcel.refresh_from_db()
    assert parcel.weight == 1.25
    deleted = staff.post(
        reverse("admin:orders_parcel_delete", args=[parcel.pk]), {"post": "yes"}, follow=True
    )
    assert messages_of(deleted) == [
        "status - the shipment is shipped: its parcels can't be deleted"
    ]
    assert Parcel.objects.filter(pk=parcel.pk).exists()


def test_packages_in_the_admin_follow_the_apis_rules(integration, staff, shipment, box):
    add = reverse("admin:inventory_package_add")
    form = {
        "stock_location": box.stock_location.pk,
        "name": "Another",
        "code": "MED",
        "length": "0",
        "width": "10",
        "height": "10",
        "unit_of_length": "cm",
    }
    refused = staff.post(add, form)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "length": ["must be greater than 0"],
        "code": ["has already been taken"],
    }
    created = staff.post(add, form | {"length": "5", "code": "SMALL"})
    assert created.status_code == 302
    package = Package.objects.get(code="SMALL")
    assert Event.objects.filter(topic="packages.create", resource_id=package.public_id).exists()
    make_parcel(integration, shipment, box)
    deleted = staff.post(reverse("admin:inventory_package_delete", args=[box.pk]), {"post": "yes"})
    # Django's own page for a record others protect, naming the parcel
    assert "would require deleting the following protected related objects" in text_of(deleted)
    assert f"{shipment.number}/P/001" in text_of(deleted)
    assert Package.objects.filter(pk=box.pk).exists()
