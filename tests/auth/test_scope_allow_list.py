"""A client created with `--scope` may ask only within the scopes it was given (limits.md §7);
one created without may ask for any market."""

import io
import json

import pytest
from django.core.management import call_command

from tests.auth.conftest import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def create_client(kind, client_id, scope=None):
    args = ["create_api_client", "--kind", kind, "--name", client_id, "--client-id", client_id]
    if kind == "integration":
        args += ["--client-secret", "secret"]
    if scope is not None:
        args += ["--scope", scope]
    call_command(*args, stdout=io.StringIO())


def ask(client, client_id, scope=None, **extra):
    body = {"grant_type": "client_credentials", "client_id": client_id, **extra}
    if scope is not None:
        body["scope"] = scope
    if client_id.startswith("integration"):
        body["client_secret"] = "secret"
    return client.post("/oauth/token", data=json.dumps(body), content_type="application/json")


def assert_out_of_scope(response):
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert (error["title"], error["status"]) == ("invalid_scope", 400)


def test_a_client_with_a_scope_gets_tokens_only_within_it(client, usa, eu):
    create_client("sales_channel", "usa-shop", "market:code:usa")
    assert ask(client, "usa-shop").json()["scope"] == "market:code:usa"
    assert ask(client, "usa-shop", "market:code:usa").status_code == 200
    # The same market named by its id is within the list.
    assert ask(client, "usa-shop", f"market:id:{usa.public_id}").status_code == 200
    # A narrower scope too: one of the market's stock locations.
    assert (
        ask(client, "usa-shop", "market:code:usa stock_location:code:wh-usa-2").status_code == 200
    )
    assert_out_of_scope(ask(client, "usa-shop", "market:code:eu"))
    assert_out_of_scope(ask(client, "usa-shop", f"market:id:{eu.public_id}"))


def test_a_client_without_a_scope_may_ask_for_any_market(client, usa, eu):
    create_client("sales_channel", "any-shop")
    for code in ("usa", "eu"):
        response = ask(client, "any-shop", f"market:code:{code}")
        assert response.status_code == 200, response.content


def test_an_integration_with_a_scope_stays_within_its_markets(client, usa, eu):
    create_client("integration", "integration-both", "market:code:usa market:code:eu")
    assert ask(client, "integration-both", "market:code:eu").status_code == 200
    assert ask(client, "integration-both", "market:code:usa market:code:eu").status_code == 200
    assert_out_of_scope(ask(client, "integration-both", "market:all"))
    create_client("integration", "integration-usa", "market:code:usa")
    assert_out_of_scope(ask(client, "integration-usa", "market:code:usa market:code:eu"))
    create_client("integration", "integration-all")
    assert ask(client, "integration-all", "market:all").status_code == 200
    assert ask(client, "integration-all", "market:code:eu").status_code == 200


def test_stock_locations_in_a_clients_scope_are_an_allow_list_too(client, usa):
    create_client("sales_channel", "wh1-shop", "market:code:usa stock_location:code:wh-usa-1")
    assert (
        ask(client, "wh1-shop", "market:code:usa stock_location:code:wh-usa-1").status_code == 200
    )
    # Every location of the market, or another one: wider than what the client was given.
    assert_out_of_scope(ask(client, "wh1-shop", "market:code:usa"))
    assert_out_of_scope(ask(client, "wh1-shop", "market:code:usa stock_location:code:wh-usa-2"))


def test_a_customer_token_stays_within_the_sales_channels_scope(client, usa, eu):
    create_client("sales_channel", "usa-shop", "market:code:usa")
    call_command("create_customer", "--email", "ada@example.com", "--password", "s3cret-pass")
    sign_in = {"grant_type": "password", "username": "ada@example.com", "password": "s3cret-pass"}
    assert ask(client, "usa-shop", "market:code:usa", **sign_in).status_code == 200
    assert_out_of_scope(ask(client, "usa-shop", "market:code:eu", **sign_in))
