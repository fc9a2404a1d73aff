"""Idempotency keys within a sales channel belong to the caller (limits.md §7): a guest token's
to the token, a customer token's to the customer. Anyone can mint a guest token, and a guest
order's id is its access key: another guest sending the same key must never be handed it."""

import pytest
from django.core.management import call_command
from django.test import Client

from commerce.models import IdempotencyKey
from orders.models import Order
from tests.conftest import JsonApiClient, obtain_token
from tests.customers.conftest import password_token

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

SCOPE = "market:code:usa"


def guest(client_id) -> JsonApiClient:
    return JsonApiClient(
        Client(),
        obtain_token(Client(), grant_type="client_credentials", client_id=client_id, scope=SCOPE),
    )


def customer(client_id, email) -> JsonApiClient:
    response = password_token(Client(), client_id, email, "s3cret-pass")
    assert response.status_code == 200, response.content
    return JsonApiClient(Client(), response.json()["access_token"])


def new_cart(api, key="cart-1"):
    return api.create("orders", {"language_code": "en"}, HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def storefront(make_api_client, market):
    return make_api_client("sales_channel", SCOPE)


def test_a_second_guest_with_the_same_key_gets_its_own_order(storefront):
    first_guest, second_guest = guest(storefront), guest(storefront)
    first = new_cart(first_guest)
    assert first.status_code == 201, first.content
    second = new_cart(second_guest)
    assert second.status_code == 201, second.content
    assert "Idempotent-Replayed" not in second
    assert second.json()["data"]["id"] != first.json()["data"]["id"]
    assert Order.objects.count() == 2
    # Each guest's retry replays its own answer.
    for api, answer in ((first_guest, first), (second_guest, second)):
        retried = new_cart(api)
        assert retried["Idempotent-Replayed"] == "true"
        assert retried.content == answer.content
    assert Order.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="cart-1").count() == 2


def test_a_customers_keys_are_the_customers_across_tokens_and_no_one_elses(storefront):
    for email in ("ada@example.com", "bob@example.com"):
        call_command("create_customer", "--email", email, "--password", "s3cret-pass")
    first = new_cart(customer(storefront, "ada@example.com"))
    assert first.status_code == 201, first.content
    # Signed in again (a new token): the retry replays ada's answer.
    retried = new_cart(customer(storefront, "ada@example.com"))
    assert retried["Idempotent-Replayed"] == "true"
    assert retried.content == first.content
    # bob's key of the same name is his own.
    bobs = new_cart(customer(storefront, "bob@example.com"))
    assert bobs.status_code == 201
    assert "Idempotent-Replayed" not in bobs
    assert bobs.json()["data"]["id"] != first.json()["data"]["id"]
    # A guest of the same storefront as well.
    guests = new_cart(guest(storefront))
    assert guests.status_code == 201
    assert guests.json()["data"]["id"] not in {
        first.json()["data"]["id"],
        bobs.json()["data"]["id"],
    }
    assert Order.objects.count() == 3
