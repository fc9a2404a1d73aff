"""Customers with password-grant tokens: ada and bob, through one sales channel of `usa`."""

import json

import pytest
from django.core.management import call_command

from tests.conftest import JsonApiClient


def password_token(client, client_id, email, password, scope="market:code:usa"):
    return client.post(
        "/oauth/token",
        data=json.dumps(
            {
                "grant_type": "password",
                "client_id": client_id,
                "username": email,
                "password": password,
                "scope": scope,
            }
        ),
        content_type="application/json",
    )


@pytest.fixture
def sc_client_id(make_api_client, market):
    return make_api_client("sales_channel", f"market:code:{market.code}")


@pytest.fixture
def ada(client, sc_client_id):
    call_command("create_customer", "--email", "ada@example.com", "--password", "s3cret-pass")
    response = password_token(client, sc_client_id, "ada@example.com", "s3cret-pass")
    assert response.status_code == 200, response.content
    return JsonApiClient(client, response.json()["access_token"]), response.json()


@pytest.fixture
def bob(client, sc_client_id):
    call_command("create_customer", "--email", "bob@example.com", "--password", "b0b-password")
    response = password_token(client, sc_client_id, "bob@example.com", "b0b-password")
    return JsonApiClient(client, response.json()["access_token"])
