"""Checkout address helpers (orders.md): `_billing_address_clone_id`,
`_shipping_address_clone_id`, `_shipping_address_same_as_billing` and
`_billing_address_same_as_shipping` copy an address into the order, never share the row, and
reach only addresses the caller may see."""

import pytest

from commerce.models import Address
from tests import factories as f
from tests.conftest import ADDRESS, rel

pytestmark = pytest.mark.django_db

FIELDS = ("first_name", "last_name", "line_1", "city", "zip_code", "country_code", "phone")


def address_attributes(**overrides):
    return {**ADDRESS, **overrides}


def new_cart(api):
    response = api.create("orders")
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"]


def order_addresses(api, order_id):
    doc = api.get(f"/api/orders/{order_id}?include=billing_address,shipping_address").json()
    rels = doc["data"]["relationships"]
    included = {(r["type"], r["id"]): r["attributes"] for r in doc.get("included", [])}

    def one(name):
        data = rels[name]["data"]
        return None if data is None else (data["id"], included[("addresses", data["id"])])

    return one("billing_address"), one("shipping_address")


def test_a_guest_clones_an_address_into_billing_then_shipping_same_as_billing(sales_channel):
    source = sales_channel.create("addresses", address_attributes()).json()["data"]["id"]
    order_id = new_cart(sales_channel)

    response = sales_channel.update("orders", order_id, {"_billing_address_clone_id": source})
    assert response.status_code == 200, response.content
    (billing_id, billing), shipping = order_addresses(sales_channel, order_id)
    assert shipping is None
    assert billing_id != source  # a copy, not the same row
    assert {k: billing[k] for k in FIELDS} == {k: address_attributes()[k] for k in FIELDS}

    response = sales_channel.update("orders", order_id, {"_shipping_address_same_as_billing": True})
    assert response.status_code == 200, response.content
    (billing_id_after, _), (shipping_id, shipping) = order_addresses(sales_channel, order_id)
    assert billing_id_after == billing_id
    assert shipping_id not in (billing_id, source)
    assert {k: shipping[k] for k in FIELDS} == {k: billing[k] for k in FIELDS}
    # Editing the source later changes neither copy.
    sales_channel.update("addresses", source, {"city": "Salem"})
    _, (_, shipping) = order_addresses(sales_channel, order_id)
    assert shipping["city"] == "Boston"


def test_shipping_clone_then_billing_same_as_shipping(integration, market):
    source = integration.create("addresses", address_attributes(city="Denver")).json()["data"]
    order = f.OrderFactory(market=market)
    response = integration.update(
        "orders", order.public_id, {"_shipping_address_clone_id": source["id"]}
    )
    assert response.status_code == 200, response.content
    response = integration.update(
        "orders", order.public_id, {"_billing_address_same_as_shipping": True}
    )
    assert response.status_code == 200, response.content
    (_, billing), (_, shipping) = order_addresses(integration, order.public_id)
    assert billing["city"] == shipping["city"] == "Denver"


def test_same_as_billing_without_a_billing_address_is_422_on_it(sales_channel):
    order_id = new_cart(sales_channel)
    response = sales_channel.update("orders", order_id, {"_shipping_address_same_as_billing": True})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/relationships/billing_address"}
    assert order_addresses(sales_channel, order_id) == (None, None)


def test_a_customer_clones_from_its_address_book_but_not_from_anothers(ada, bob):
    ada_api, _ = ada
    own = ada_api.create("addresses", address_attributes()).json()["data"]["id"]
    ada_api.create("customer_addresses", relationships={"address": rel("addresses", own)})
    theirs = bob.create("addresses", address_attributes(first_name="Bob")).json()["data"]["id"]
    bob.create("customer_addresses", relationships={"address": rel("addresses", theirs)})
    order_id = new_cart(ada_api)
    copies_before = Address.objects.count()

    response = ada_api.update("orders", order_id, {"_billing_address_clone_id": theirs})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/attributes/_billing_address_clone_id"}
    assert Address.objects.count() == copies_before

    response = ada_api.update("orders", order_id, {"_billing_address_clone_id": own})
    assert response.status_code == 200, response.content
    (_, billing), _ = order_addresses(ada_api, order_id)
    assert billing["first_name"] == "Ada"


def test_cloning_into_a_placed_order_is_refused(integration, market):
    source = integration.create("addresses", address_attributes()).json()["data"]["id"]
    order = f.OrderFactory(market=market, status="placed")
    response = integration.update("orders", order.public_id, {"_billing_address_clone_id": source})
    assert response.status_code == 422
    order.refresh_from_db()
    assert order.billing_address_id is None
