"""/oauth/token and private markets (auth.md): no guest token for a market with a customer
group, no customer sign-in there for someone outside it; integration tokens and members are
served as before."""

import json

import pytest

from orders.services.customers import create_customer
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass"


@pytest.fixture
def channel(make_api_client, market):
    """A sales channel of the `market` fixture (client created before the market is private)."""
    return make_api_client("sales_channel", f"market:code:{market.code}")


def token(client, **body):
    return client.post("/oauth/token", data=json.dumps(body), content_type="application/json")


def sign_in(client, channel, email, password=PASSWORD, scope="market:code:usa"):
    return token(
        client,
        grant_type="password",
        client_id=channel,
        username=email,
        password=password,
        scope=scope,
    )


def assert_invalid_scope(response):
    assert response.status_code == 400, response.content
    (problem,) = response.json()["errors"]
    assert problem["title"] == "invalid_scope"
    assert "private" in problem["detail"]
    assert "access_token" not in response.json()


@pytest.mark.sqlite
def test_no_guest_token_for_a_private_market(client, channel, market, private):
    scope = f"market:code:{market.code}"
    guest = token(client, grant_type="client_credentials", client_id=channel, scope=scope)
    assert guest.status_code == 200, guest.content
    private()
    for scope in (f"market:code:{market.code}", f"market:id:{market.public_id}", None):
        body = {"grant_type": "client_credentials", "client_id": channel}
        if scope:
            body["scope"] = scope
        assert_invalid_scope(token(client, **body))  # None: the client's own scope


def test_integration_tokens_may_be_scoped_to_a_private_market(
    client, make_api_client, market, private
):
    private()
    integration = make_api_client("integration")
    response = token(
        client,
        grant_type="client_credentials",
        client_id=integration,
        client_secret="test-secret",
        scope=f"market:code:{market.code}",
    )
    assert response.status_code == 200, response.content


@pytest.mark.sqlite
def test_only_members_sign_in_to_a_private_market(client, channel, market, group, private):
    member = create_customer(email="member2@example.com", password=PASSWORD)
    member.customer_group = group
    member.save()
    create_customer(email="outsider@example.com", password=PASSWORD)
    other_group = f.CustomerGroupFactory()
    stranger = create_customer(email="stranger@example.com", password=PASSWORD)
    stranger.customer_group = other_group
    stranger.save()
    assert sign_in(client, channel, "outsider@example.com").status_code == 200  # public still
    private()

    signed_in = sign_in(client, channel, "member2@example.com")
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json()["scope"] == "market:code:usa"
    assert_invalid_scope(sign_in(client, channel, "outsider@example.com"))
    assert_invalid_scope(sign_in(client, channel, "stranger@example.com"))  # another group's


def test_a_wrong_password_is_invalid_grant_before_membership(client, channel, private):
    """Whether an email is a member is not told to someone without its password."""
    create_customer(email="outsider@example.com", password=PASSWORD)
    private()
    response = sign_in(client, channel, "outsider@example.com", password="wrong-pass")
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "invalid_grant"


def test_public_markets_are_unchanged(client, channel, market, group):
    """A group elsewhere changes nothing here: guests and anyone signed up get tokens."""
    f.MarketFactory(customer_group=group)
    create_customer(email="outsider@example.com", password=PASSWORD)
    scope = f"market:code:{market.code}"
    guest = token(client, grant_type="client_credentials", client_id=channel, scope=scope)
    assert guest.status_code == 200, guest.content
    assert sign_in(client, channel, "outsider@example.com").status_code == 200
