"""create_api_client: the service and the management command."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from commerce.auth.services import authenticate_client, create_api_client
from commerce.models import ApiClient

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


def test_integration_json_output_and_hashed_secret(post_token):
    data = json.loads(run("--kind", "integration", "--name", "ERP", "--json"))
    assert set(data) == {"client_id", "client_secret", "kind", "name", "scope"}
    assert data["kind"] == "integration" and data["name"] == "ERP" and data["scope"] == ""
    application = Application.objects.get(client_id=data["client_id"])
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.client_secret != data["client_secret"]  # stored hashed
    assert application.api_client.kind == "integration"
    response = post_token(
        grant_type="client_credentials",
        client_id=data["client_id"],
        client_secret=data["client_secret"],
    )
    assert response.status_code == 200


def test_sales_channel_json_output(post_token, usa):
    data = json.loads(
        run(
            "--kind",
            "sales_channel",
            "--name",
            "Storefront",
            "--scope",
            "market:code:usa",
            "--json",
        )
    )
    assert set(data) == {"client_id", "kind", "name", "scope"}
    assert data["scope"] == "market:code:usa"
    application = Application.objects.get(client_id=data["client_id"])
    assert application.client_type == Application.CLIENT_PUBLIC
    response = post_token(grant_type="client_credentials", client_id=data["client_id"])
    assert response.status_code == 200
    assert response.json()["scope"] == "market:code:usa"


def test_readable_output():
    line = run(
        "--kind", "integration", "--name", "CLI", "--client-id", "cli", "--client-secret", "s3cret"
    )
    assert "client_id=cli" in line and "client_secret=s3cret" in line


def test_fixed_credentials_are_idempotent():
    args = (
        "--kind",
        "integration",
        "--name",
        "Seed",
        "--client-id",
        "seed-id",
        "--client-secret",
        "seed-secret",
        "--json",
    )
    first = json.loads(run(*args))
    second = json.loads(run(*args[:3], "Seed renamed", *args[4:]))
    assert first["client_id"] == second["client_id"] == "seed-id"
    assert second["client_secret"] == "seed-secret"
    assert Application.objects.count() == 1 and ApiClient.objects.count() == 1
    assert Application.objects.get().name == "Seed renamed"
    assert authenticate_client("seed-id", "seed-secret").kind == "integration"


def test_rerun_without_secret_keeps_it():
    create_api_client(
        kind="integration", name="Seed", client_id="seed-id", client_secret="seed-secret"
    )
    again = create_api_client(
        kind="integration", name="Seed", client_id="seed-id", scope="market:code:usa"
    )
    assert again.client_secret is None
    assert again.api_client.scope == "market:code:usa"
    assert authenticate_client("seed-id", "seed-secret")


def test_kind_can_change_on_update():
    create_api_client(kind="integration", name="X", client_id="x", client_secret="s")
    sales = create_api_client(kind="sales_channel", name="X", client_id="x")
    assert sales.api_client.kind == "sales_channel"
    assert authenticate_client("x", None).kind == "sales_channel"


@pytest.mark.parametrize(
    "args",
    [
        ("--kind", "sales_channel", "--name", "S", "--client-secret", "nope"),
        ("--kind", "integration", "--name", "I", "--scope", "bogus"),
    ],
)
def test_bad_input_is_a_command_error(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not Application.objects.exists()


def test_unknown_kind_is_refused():
    with pytest.raises(CommandError):
        run("--kind", "webapp", "--name", "W")
    with pytest.raises(ValueError):
        create_api_client(kind="webapp", name="W")
