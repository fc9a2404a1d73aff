"""Customer password resets (aftersale.md §5): an integration token makes a reset and gets its
token once; whoever holds the reset's id and token sets a new password with it, once, within
6 hours; an unknown email gets the same answer and a token that never works; the old password
and the customer's tokens stop at once."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.models import Event
from orders.models import Customer, CustomerPasswordReset
from tests.conftest import assert_unauthorized
from tests.shop import ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TOKEN = "_reset_password_token"


@pytest.fixture
def ada(market, customer_token):
    """Ada signed in (her password is "s3cret-pass")."""
    return customer_token(market, "ada@example.com")


def sign_in(client, market, password):
    body = {
        "grant_type": "password",
        "client_id": f"test-sales_channel-market-code-{market.code}",
        "username": "ada@example.com",
        "password": password,
        "scope": f"market:code:{market.code}",
    }
    return client.post("/oauth/token", data=json.dumps(body), content_type="application/json")


def make_reset(integration, email="Ada@Example.com"):
    return ok(integration.create("customer_password_resets", {"customer_email": email}), 201)


def reset(api, reset_id, token, password="n3w-passw0rd"):
    return api.update(
        "customer_password_resets", reset_id, {TOKEN: token, "customer_password": password}
    )


def pointer_of(response):
    assert response.status_code == 422, response.json()
    (error,) = response.json()["errors"]
    return error["source"]["pointer"], error["detail"]


def test_a_reset_sets_the_password_and_signs_the_customer_out(
    ada, integration, sales_channel, client, market
):
    made = make_reset(integration)
    token = made["attributes"]["reset_password_token"]
    assert len(token) >= 32
    stored = CustomerPasswordReset.objects.get(public_id=made["id"])
    assert token not in stored.token_hash  # kept as its digest only
    whose = ok(integration.get(f"/api/customer_password_resets/{made['id']}/customer"))
    assert whose["attributes"]["email"] == "ada@example.com"  # matched whatever its case
    # Shown once: a later read has no token.
    shown = ok(integration.get(f"/api/customer_password_resets/{made['id']}"))
    assert shown["attributes"]["reset_password_token"] is None

    assert ada.get("/api/orders").status_code == 200
    done = ok(reset(sales_channel, made["id"], token))
    assert done["attributes"]["reset_password_at"] is not None
    assert "customer_password" not in done["attributes"]
    assert sign_in(client, market, "s3cret-pass").status_code == 400
    assert sign_in(client, market, "n3w-passw0rd").status_code == 200
    assert ada.get("/api/orders").status_code == 401  # the old session is gone
    topics = set(Event.objects.filter(resource_id=made["id"]).values_list("topic", flat=True))
    assert topics == {
        "customer_password_resets.create",
        "customer_password_resets.reset_password",
    }


def test_an_unknown_email_gets_the_same_answer_and_a_token_that_never_works(
    integration, sales_channel, market, customer_token
):
    customer_token(market, "ada@example.com")  # someone else exists
    unknown = make_reset(integration, "nobody@example.com")
    known = make_reset(integration, "ada@example.com")
    assert set(unknown["attributes"]) == set(known["attributes"])
    assert len(unknown["attributes"]["reset_password_token"]) == len(
        known["attributes"]["reset_password_token"]
    )
    response = reset(sales_channel, unknown["id"], unknown["attributes"]["reset_password_token"])
    assert pointer_of(response) == (f"/data/attributes/{TOKEN}", f"{TOKEN} - is invalid")
    assert not Customer.objects.filter(email="nobody@example.com").exists()


def test_wrong_used_and_expired_tokens_are_one_answer(ada, integration, sales_channel):
    made = make_reset(integration)
    token = made["attributes"]["reset_password_token"]
    before = Customer.objects.get(email="ada@example.com").password
    assert pointer_of(reset(sales_channel, made["id"], token[:-1] + "x"))[0].endswith(TOKEN)
    assert pointer_of(reset(sales_channel, made["id"], None))[0].endswith(TOKEN)
    # A password with no token at all is refused the same way.
    no_token = sales_channel.update(
        "customer_password_resets", made["id"], {"customer_password": "n3w-passw0rd"}
    )
    assert pointer_of(no_token)[0].endswith(TOKEN)
    assert Customer.objects.get(email="ada@example.com").password == before

    ok(reset(sales_channel, made["id"], token))
    assert pointer_of(reset(sales_channel, made["id"], token, "an0ther-one"))[0].endswith(TOKEN)

    late = make_reset(integration)
    CustomerPasswordReset.objects.filter(public_id=late["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = reset(sales_channel, late["id"], late["attributes"]["reset_password_token"])
    assert pointer_of(response)[0].endswith(TOKEN)


def test_a_short_password_is_a_422_on_it_and_the_token_stays_usable(
    ada, integration, sales_channel
):
    made = make_reset(integration)
    token = made["attributes"]["reset_password_token"]
    for short in ("", "1234567"):
        assert pointer_of(reset(sales_channel, made["id"], token, short))[0] == (
            "/data/attributes/customer_password"
        )
    ok(reset(sales_channel, made["id"], token))


def test_storefronts_may_only_use_a_reset(ada, integration, sales_channel):
    made = make_reset(integration)
    for api in (sales_channel, ada):
        assert_unauthorized(api.get("/api/customer_password_resets"))
        assert_unauthorized(api.get(f"/api/customer_password_resets/{made['id']}"))
        assert_unauthorized(
            api.create("customer_password_resets", {"customer_email": "ada@example.com"})
        )
        assert_unauthorized(api.delete(f"/api/customer_password_resets/{made['id']}"))
    # The customer itself may use it (a signed-in customer who wants a new password).
    ok(reset(ada, made["id"], made["attributes"]["reset_password_token"]))
