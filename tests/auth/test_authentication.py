"""BearerTokenAuthentication: Authorization: Bearer <jwt> -> TokenContext, or 401."""

import time

import jwt
import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIRequestFactory

from commerce.auth import tokens
from commerce.auth.authentication import BearerTokenAuthentication
from commerce.auth.context import TokenContext
from commerce.auth.exceptions import InvalidToken
from commerce.models import AccessTokenScope, ApiClient
from tests.auth.conftest import INTEGRATION_ID, SALES_CHANNEL_ID

pytestmark = pytest.mark.django_db

INVALID_TOKEN = {
    "title": "Invalid token",
    "detail": "The access token you provided is invalid.",
    "code": "INVALID_TOKEN",
    "status": "401",
}


def authenticate(header: str | None):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    request = APIRequestFactory().get("/api/skus", **extra)
    return BearerTokenAuthentication().authenticate(request)


def tamper(token: str, **changes) -> str:
    """Re-sign the token's claims with `changes`, with the server's own key."""
    claims = tokens.decode(token, verify_exp=False)
    claims.update(changes)
    return tokens.encode(claims)


def test_sales_channel_context(sales_channel_token, usa):
    token = sales_channel_token("market:code:usa stock_location:code:wh-usa-2")
    user, context = authenticate(f"Bearer {token}")
    assert user is None
    api_client = ApiClient.objects.get(application__client_id=SALES_CHANNEL_ID)
    wh2 = usa.inventory_model.inventory_stock_locations.get(priority=2).stock_location
    row = AccessToken.objects.get()
    assert context == TokenContext(
        kind="sales_channel",
        application_id=api_client.application_id,
        client_id=SALES_CHANNEL_ID,
        scope="market:code:usa stock_location:code:wh-usa-2",
        market_ids=(usa.pk,),
        stock_location_ids=(wh2.pk,),
        customer_id=None,
        token_id=row.pk,
    )
    assert context.market_id == usa.pk
    assert context.is_sales_channel


def test_integration_context_sees_every_market(integration_token, usa):
    _, context = authenticate(f"Bearer {integration_token()}")
    assert context.kind == "integration"
    assert context.client_id == INTEGRATION_ID
    assert context.market_ids is None
    assert context.can_see_market(usa.pk)


def test_integration_scoped_to_markets(integration_token, usa, eu):
    _, context = authenticate(f"Bearer {integration_token(scope='market:code:eu')}")
    assert context.market_ids == (eu.pk,)
    assert not context.can_see_market(usa.pk)


def test_the_jwt_is_not_stored(sales_channel_token):
    token = sales_channel_token()
    row = AccessToken.objects.get()
    assert token not in row.token
    assert row.token == tokens.decode(token)["jti"] or row.token == ""


def test_one_query_per_request(sales_channel_token, django_assert_max_num_queries):
    header = f"Bearer {sales_channel_token()}"
    with django_assert_max_num_queries(1):
        _, context = authenticate(header)
    assert context.kind == "sales_channel"


@pytest.mark.parametrize("header", [None, "", "Basic Zm9vOmJhcg==", "Token abc"])
def test_no_bearer_token_is_anonymous(header):
    assert authenticate(header) is None


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer not-a-jwt", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"]
)
def test_malformed_token_is_rejected(header):
    with pytest.raises(InvalidToken):
        authenticate(header)


def test_tampered_signature_is_rejected(sales_channel_token):
    token = sales_channel_token()
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {head}.{payload}.{flipped}")


def test_tampered_payload_is_rejected(sales_channel_token):
    import base64
    import json

    token = sales_channel_token()
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["application"]["kind"] = "integration"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {head}.{forged}.{signature}")


def test_token_signed_with_another_key_is_rejected(sales_channel_token):
    claims = tokens.decode(sales_channel_token())
    forged = jwt.encode(claims, "some-other-key-of-sufficient-length-1234", algorithm="HS256")
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {forged}")


def test_unsigned_token_is_rejected(sales_channel_token):
    claims = tokens.decode(sales_channel_token())
    forged = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {forged}")


def test_other_issuer_is_rejected(sales_channel_token):
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {tamper(sales_channel_token(), iss='https://auth.evil.test')}")


def test_expired_jwt_is_rejected(sales_channel_token):
    expired = tamper(sales_channel_token(), exp=int(time.time()) - 10)
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {expired}")


def test_a_token_used_before_still_expires(sales_channel_token):
    # A token's signature is verified once per process (tokens.decode_verified), its expiry on
    # every request: one valid for one more second is accepted twice, then refused.
    token = tamper(sales_channel_token(), exp=int(time.time()) + 2)
    assert authenticate(f"Bearer {token}")[1].is_sales_channel
    assert authenticate(f"Bearer {token}")[1].is_sales_channel
    time.sleep(max(0.0, tokens.decode(token)["exp"] - time.time()) + 0.05)
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {token}")


def test_a_token_used_before_is_verified_again_under_another_key_or_issuer(
    sales_channel_token, settings
):
    token = sales_channel_token()
    domain = settings.API_DOMAIN
    assert authenticate(f"Bearer {token}")[1].is_sales_channel
    settings.API_DOMAIN = "elsewhere.test"
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {token}")
    settings.API_DOMAIN = domain
    assert authenticate(f"Bearer {token}")[1].is_sales_channel
    settings.JWT_SIGNING_KEY = "another signing key, after a key rotation"
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {token}")


def test_expired_row_is_rejected(sales_channel_token):
    token = sales_channel_token()
    AccessToken.objects.update(expires=timezone.now() - timezone.timedelta(seconds=1))
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {token}")


def test_revoked_token_is_rejected(sales_channel_token):
    token = sales_channel_token()
    AccessToken.objects.get().revoke()
    assert not AccessTokenScope.objects.exists()
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {token}")


def test_unknown_jti_is_rejected(sales_channel_token):
    with pytest.raises(InvalidToken):
        authenticate(f"Bearer {tamper(sales_channel_token(), jti='made-up')}")


# Through DRF and the kernel's exception handler (a bare view, none of the resource routes).


@pytest.mark.urls("tests.auth.urls")
def test_api_answers_the_context(client, sales_channel_token, usa):
    response = client.get("/whoami", HTTP_AUTHORIZATION=f"Bearer {sales_channel_token()}")
    assert response.status_code == 200, response.content
    assert response.json()["market_ids"] == [usa.pk]


@pytest.mark.urls("tests.auth.urls")
@pytest.mark.parametrize("header", [None, "Bearer nope"], ids=["missing", "invalid"])
def test_api_answers_401_invalid_token(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/whoami", **extra)
    assert response.status_code == 401
    assert response.json() == {"errors": [INVALID_TOKEN]}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.urls("tests.auth.urls")
def test_api_answers_401_for_a_revoked_token(client, sales_channel_token):
    token = sales_channel_token()
    AccessToken.objects.get().revoke()
    response = client.get("/whoami", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {"errors": [INVALID_TOKEN]}
