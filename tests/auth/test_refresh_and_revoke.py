"""refresh_token grant (rotation with the original scope) and POST /oauth/revoke."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from commerce.auth import tokens
from commerce.auth.authentication import authenticate_token
from commerce.auth.exceptions import InvalidToken
from commerce.auth.scopes import resolve_scope
from commerce.auth.services import issue_token
from commerce.auth.tokens import Owner
from tests.auth.conftest import INTEGRATION_ID, INTEGRATION_SECRET, SALES_CHANNEL_ID, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_tokens(sales_channel_client, usa):
    """What the password grant will issue: a customer token with a refresh token."""
    user = get_user_model().objects.create_user("ada@example.com", password="pw")
    return issue_token(
        sales_channel_client.api_client,
        resolve_scope("market:code:usa", kind="customer"),
        owner=Owner(customer_id=42, public_id="AdaLovelac"),
        user_id=user.pk,
        with_refresh_token=True,
    )


def refresh(post_token, refresh_token, client_id=SALES_CHANNEL_ID, **extra):
    return post_token(
        grant_type="refresh_token", client_id=client_id, refresh_token=refresh_token, **extra
    )


def test_customer_token(customer_tokens, usa):
    body = customer_tokens.as_json()
    assert body["owner_id"] == "AdaLovelac" and body["owner_type"] == "customer"
    assert body["refresh_token"]
    claims = tokens.decode(customer_tokens.access_token)
    assert claims["owner"] == {"id": "AdaLovelac", "type": "Customer"}
    assert claims["application"]["kind"] == "sales_channel"
    context = authenticate_token(customer_tokens.access_token)
    assert context.is_customer
    assert context.customer_id == 42
    assert context.market_ids == (usa.pk,)


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_refresh_rotates_and_keeps_the_scope(post_token, customer_tokens, usa, form):
    response = refresh(post_token, customer_tokens.refresh_token, form=form)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["scope"] == "market:code:usa"
    assert body["owner_id"] == "AdaLovelac"
    assert body["refresh_token"] and body["refresh_token"] != customer_tokens.refresh_token
    assert body["access_token"] != customer_tokens.access_token

    context = authenticate_token(body["access_token"])
    assert context.customer_id == 42 and context.market_ids == (usa.pk,)
    with pytest.raises(InvalidToken):  # the old access token went with the old refresh token
        authenticate_token(customer_tokens.access_token)
    new_row = AccessToken.objects.get(pk=context.token_id)
    assert new_row.source_refresh_token.revoked is not None


def test_replayed_refresh_token_revokes_the_family(post_token, customer_tokens):
    first = refresh(post_token, customer_tokens.refresh_token).json()
    replay = refresh(post_token, customer_tokens.refresh_token)
    assert replay.status_code == 400
    assert error_of(replay)["title"] == "invalid_grant"
    # DOT's reuse protection: the rotated pair is revoked too.
    assert refresh(post_token, first["refresh_token"]).status_code == 400
    with pytest.raises(InvalidToken):
        authenticate_token(first["access_token"])


def test_refresh_token_of_another_client_is_invalid_grant(
    post_token, customer_tokens, integration_client
):
    response = refresh(
        post_token,
        customer_tokens.refresh_token,
        client_id=INTEGRATION_ID,
        client_secret=INTEGRATION_SECRET,
    )
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_grant"
    assert authenticate_token(customer_tokens.access_token)  # untouched


def test_expired_refresh_token_is_invalid_grant(post_token, customer_tokens):
    RefreshToken.objects.update(created=timezone.now() - timezone.timedelta(days=15))
    response = refresh(post_token, customer_tokens.refresh_token)
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_grant"


def test_unknown_refresh_token_is_invalid_grant(post_token, sales_channel_client):
    response = refresh(post_token, "no-such-token")
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_grant"


def test_missing_refresh_token_is_invalid_request(post_token, sales_channel_client):
    response = post_token(grant_type="refresh_token", client_id=SALES_CHANNEL_ID)
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_request"


def test_refresh_needs_client_authentication(post_token, customer_tokens):
    response = refresh(post_token, customer_tokens.refresh_token, client_id="nobody")
    assert response.status_code == 401
    assert error_of(response)["title"] == "invalid_client"


# --- revoke --------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_revoke_access_token(post_token, sales_channel_token, form):
    token = sales_channel_token()
    assert authenticate_token(token)
    response = post_token("/oauth/revoke", client_id=SALES_CHANNEL_ID, token=token, form=form)
    assert response.status_code == 200
    assert response.json() == {}
    assert not AccessToken.objects.exists()
    with pytest.raises(InvalidToken):
        authenticate_token(token)


def test_revoke_integration_token_needs_the_secret(post_token, integration_token):
    token = integration_token()
    response = post_token("/oauth/revoke", client_id=INTEGRATION_ID, token=token)
    assert response.status_code == 401
    assert error_of(response)["title"] == "invalid_client"
    assert authenticate_token(token)
    response = post_token(
        "/oauth/revoke", client_id=INTEGRATION_ID, client_secret=INTEGRATION_SECRET, token=token
    )
    assert response.status_code == 200
    with pytest.raises(InvalidToken):
        authenticate_token(token)


def test_revoke_token_of_another_client_is_forbidden(
    post_token, sales_channel_token, integration_client
):
    token = sales_channel_token()
    response = post_token(
        "/oauth/revoke", client_id=INTEGRATION_ID, client_secret=INTEGRATION_SECRET, token=token
    )
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "FORBIDDEN"
    assert error["status"] == 403
    assert authenticate_token(token)  # still valid


def test_revoke_expired_access_token(post_token, sales_channel_token):
    token = sales_channel_token()
    AccessToken.objects.update(expires=timezone.now() - timezone.timedelta(hours=1))
    response = post_token("/oauth/revoke", client_id=SALES_CHANNEL_ID, token=token)
    assert response.status_code == 200
    assert not AccessToken.objects.exists()


def test_revoke_refresh_token(post_token, customer_tokens):
    response = post_token(
        "/oauth/revoke", client_id=SALES_CHANNEL_ID, token=customer_tokens.refresh_token
    )
    assert response.status_code == 200
    with pytest.raises(InvalidToken):
        authenticate_token(customer_tokens.access_token)
    assert refresh(post_token, customer_tokens.refresh_token).status_code == 400


def test_revoked_access_token_cannot_be_refreshed(post_token, customer_tokens):
    """Signing out (revoking the access token) ends the session, as in DOT."""
    post_token("/oauth/revoke", client_id=SALES_CHANNEL_ID, token=customer_tokens.access_token)
    response = refresh(post_token, customer_tokens.refresh_token)
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_grant"


def test_revoke_unknown_token_is_ok(post_token, sales_channel_client):
    response = post_token("/oauth/revoke", client_id=SALES_CHANNEL_ID, token="whatever")
    assert response.status_code == 200
    assert response.json() == {}


def test_revoke_without_token_is_invalid_request(post_token, sales_channel_client):
    response = post_token("/oauth/revoke", client_id=SALES_CHANNEL_ID)
    assert response.status_code == 400
    assert error_of(response)["title"] == "invalid_request"
