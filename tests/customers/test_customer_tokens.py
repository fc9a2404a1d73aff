"""Customers sign in with grant_type=password through a sales channel and reach only their
own orders and addresses (auth.md)."""

import json

import pytest

from tests.conftest import rel
from tests.customers.conftest import password_token

pytestmark = pytest.mark.django_db


def test_password_grant_answers_a_customer_token_with_refresh_token(ada):
    _, body = ada
    assert body["owner_type"] == "customer"
    assert body["refresh_token"]
    assert body["scope"] == "market:code:usa"


def test_wrong_password_is_invalid_grant(client, sc_client_id, ada):
    response = password_token(client, sc_client_id, "ada@example.com", "nope")
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "invalid_grant"


def test_integration_clients_cannot_use_the_password_grant(client, make_api_client, ada):
    client_id = make_api_client("integration")
    response = client.post(
        "/oauth/token",
        data=json.dumps(
            {
                "grant_type": "password",
                "client_id": client_id,
                "client_secret": "test-secret",
                "username": "ada@example.com",
                "password": "s3cret-pass",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code in (400, 401)


def test_customer_lists_only_own_orders(ada, bob, market):
    ada_api, _ = ada
    mine = ada_api.create("orders", {})
    assert mine.status_code == 201, mine.json()
    assert mine.json()["data"]["attributes"]["guest"] is False
    assert mine.json()["data"]["attributes"]["customer_email"] == "ada@example.com"
    bob.create("orders", {})
    listed = ada_api.get("/api/orders")
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["data"]] == [mine.json()["data"]["id"]]
    assert bob.get(f"/api/orders/{mine.json()['data']['id']}").status_code == 404


def test_guest_token_never_reaches_a_customer_order(ada, sales_channel):
    ada_api, _ = ada
    order_id = ada_api.create("orders", {}).json()["data"]["id"]
    assert sales_channel.get(f"/api/orders/{order_id}").status_code == 404


def test_customer_reads_and_updates_self_only(ada, bob):
    ada_api, body = ada
    me = ada_api.get(f"/api/customers/{body['owner_id']}")
    assert me.status_code == 200
    assert me.json()["data"]["attributes"]["email"] == "ada@example.com"
    assert bob.get(f"/api/customers/{body['owner_id']}").status_code == 404
    assert ada_api.get("/api/customers").status_code == 401


def test_customer_address_book_is_private(ada, bob):
    ada_api, _ = ada
    address = ada_api.create(
        "addresses", {"line_1": "1 Main St", "city": "Boston", "country_code": "US", "phone": "555"}
    )
    address_id = address.json()["data"]["id"]
    entry = ada_api.create(
        "customer_addresses", relationships={"address": rel("addresses", address_id)}
    )
    assert entry.status_code == 201, entry.json()
    assert ada_api.get("/api/customer_addresses").json()["meta"]["record_count"] == 1
    assert bob.get("/api/customer_addresses").json()["meta"]["record_count"] == 0
    assert bob.get(f"/api/addresses/{address_id}").status_code == 404


def test_sign_up_through_the_sales_channel(sales_channel, client, sc_client_id):
    created = sales_channel.create(
        "customers", {"email": "new@example.com", "password": "long-enough"}
    )
    assert created.status_code == 201, created.json()
    assert "password" not in created.json()["data"]["attributes"]
    assert created.json()["data"]["attributes"]["has_password"] is True
    token = password_token(client, sc_client_id, "new@example.com", "long-enough")
    assert token.status_code == 200
