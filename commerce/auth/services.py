"""API clients and tokens on top of django-oauth-toolkit's models.

DOT's Application holds a client's credentials (confidential for integrations, public for sales
channels), AccessToken and RefreshToken rows make tokens revocable and expiring. The bearer
string is a JWT (commerce.auth.tokens); the AccessToken row's `token` column holds its `jti`
(redacted to its checksum when DOT's RFC 9700 storage is on), so a request finds its row by
`token_checksum`.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
    set_token_value,
)

from commerce.auth import tokens
from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL
from commerce.auth.exceptions import (
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    RevocationForbidden,
)
from commerce.auth.scopes import ResolvedScope, parse_scope, resolve_scope
from commerce.auth.tokens import Owner
from commerce.models import AccessTokenScope, ApiClient

API_CLIENT_KINDS = (INTEGRATION, SALES_CHANNEL)


def token_checksum(raw: str) -> str:
    """What DOT's TokenChecksumField stores for a raw token value."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- API clients -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiClientCredentials:
    """What creating an API client prints once. `client_secret` is the plaintext (DOT keeps
    only its hash); None for a sales channel, or for an existing integration whose secret was
    kept."""

    client_id: str
    client_secret: str | None
    kind: str
    name: str
    scope: str
    api_client: ApiClient

    def as_json(self) -> dict:
        data = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "kind": self.kind,
            "name": self.name,
            "scope": self.scope,
        }
        if self.kind != INTEGRATION:
            del data["client_secret"]
        return data


@transaction.atomic
def create_api_client(
    *,
    kind: str,
    name: str,
    scope: str = "",
    client_id: str | None = None,
    client_secret: str | None = None,
) -> ApiClientCredentials:
    """Create an API client, or update the one with this `client_id` (idempotent seeding).

    `scope` is the client's default scope, used when a token request names none; only its
    syntax is checked here (markets may be created later). An integration gets `client_secret`
    or a generated secret; re-running for an existing integration without a secret keeps its
    secret (and reports None). Raises ValueError on bad input.
    """
    if kind not in API_CLIENT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(API_CLIENT_KINDS)}, not {kind!r}")
    if not name:
        raise ValueError("name is required")
    if kind == SALES_CHANNEL and client_secret:
        raise ValueError("a sales channel is a public client: it has no secret")
    try:
        scope = str(parse_scope(scope))
    except InvalidScope as exc:
        raise ValueError(exc.detail) from None
    application_model = get_application_model()

    application = None
    if client_id:
        application = application_model.objects.filter(client_id=client_id).first()
    was_confidential = (
        application is not None and application.client_type == application_model.CLIENT_CONFIDENTIAL
    )
    if application is None:
        application = application_model(client_id=client_id or generate_client_id())

    plaintext = None
    if kind == INTEGRATION:
        application.client_type = application_model.CLIENT_CONFIDENTIAL
        if client_secret or not was_confidential:
            plaintext = client_secret or generate_client_secret()
            application.client_secret = plaintext  # hashed by DOT's ClientSecretField on save
            application.hash_client_secret = True
    else:
        application.client_type = application_model.CLIENT_PUBLIC
        application.client_secret = ""
        application.hash_client_secret = False
    application.name = name
    application.authorization_grant_type = application_model.GRANT_CLIENT_CREDENTIALS
    application.save()

    api_client, _ = ApiClient.objects.update_or_create(
        application=application, defaults={"kind": kind, "scope": scope}
    )
    return ApiClientCredentials(
        client_id=application.client_id,
        client_secret=plaintext,
        kind=kind,
        name=name,
        scope=scope,
        api_client=api_client,
    )


def authenticate_client(client_id: str | None, client_secret: str | None) -> ApiClient:
    """The API client these credentials name, or InvalidClient (401).

    An integration (confidential) must present its secret; a sales channel (public) is
    identified by its client id alone.
    """
    if not client_id:
        raise InvalidClient()
    api_client = (
        ApiClient.objects.select_related("application")
        .filter(application__client_id=client_id)
        .first()
    )
    if api_client is None:
        raise InvalidClient()
    application = api_client.application
    if application.client_type == application.CLIENT_CONFIDENTIAL:
        if not client_secret or not _check_secret(client_secret, application):
            raise InvalidClient()
    return api_client


def _check_secret(provided: str, application) -> bool:
    # As DOT's OAuth2Validator._check_secret: hashed secrets by default, plaintext if opted out.
    try:
        return check_password(provided, application.client_secret)
    except ValueError:
        return constant_time_compare(provided, application.client_secret)


# --- Tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    created_at: int
    token_id: int
    refresh_token: str | None = None
    owner: Owner | None = None

    def as_json(self) -> dict:
        body = {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
            "created_at": self.created_at,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        if self.owner is not None:
            body["owner_id"] = self.owner.public_id
            body["owner_type"] = self.owner.type.lower()
        return body


@transaction.atomic
def issue_token(
    api_client: ApiClient,
    scope: ResolvedScope,
    *,
    owner: Owner | None = None,
    user_id: int | None = None,
    with_refresh_token: bool = False,
    source_refresh_token=None,
    token_family: uuid.UUID | None = None,
) -> IssuedToken:
    """Store an AccessToken (+ its resolved scope) and sign the JWT for it.

    `owner` makes it a customer token. A refresh token needs `user_id` (DOT's RefreshToken
    requires a user): the password grant passes the customer's user.
    """
    if with_refresh_token and user_id is None:
        raise ValueError("a refresh token needs a user (DOT's RefreshToken.user is required)")
    application = api_client.application
    ttl = settings.ACCESS_TOKEN_EXPIRE_SECONDS
    issued_at = int(timezone.now().timestamp())
    expires_at = issued_at + ttl
    jti = tokens.new_jti()

    access_token = get_access_token_model()(
        application=application,
        user_id=user_id,
        expires=datetime.fromtimestamp(expires_at, tz=UTC),
        scope=scope.scope,
        source_refresh_token=source_refresh_token,
    )
    set_token_value(access_token, jti)
    access_token.save()
    AccessTokenScope.objects.create(
        access_token=access_token,
        kind=CUSTOMER if owner is not None else api_client.kind,
        market_ids=None if scope.market_ids is None else list(scope.market_ids),
        stock_location_ids=list(scope.stock_location_ids),
        customer_id=owner.customer_id if owner else None,
        customer_public_id=owner.public_id if owner else None,
    )

    raw_refresh = None
    if with_refresh_token:
        raw_refresh = tokens.new_jti()
        refresh = get_refresh_token_model()(
            user_id=user_id,
            application=application,
            access_token=access_token,
            token_family=token_family or uuid.uuid4(),
        )
        set_token_value(refresh, raw_refresh)
        refresh.save()

    claims = tokens.build_claims(
        application_public_id=api_client.public_id,
        client_id=application.client_id,
        kind=api_client.kind,
        scope=scope,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
        owner=owner,
    )
    return IssuedToken(
        access_token=tokens.encode(claims),
        expires_in=ttl,
        scope=scope.scope,
        created_at=issued_at,
        token_id=access_token.pk,
        refresh_token=raw_refresh,
        owner=owner,
    )


def refresh_access_token(api_client: ApiClient, raw_refresh_token: str) -> IssuedToken:
    """Rotate a refresh token: revoke it (and its access token), issue a new pair with the
    original scope and owner. A refresh token presented again after rotation revokes its whole
    family (DOT's reuse protection). Raises InvalidGrant."""
    refresh_model = get_refresh_token_model()
    replayed_family = None
    with transaction.atomic():
        refresh = (
            refresh_model.objects.select_for_update()
            .filter(token_checksum=token_checksum(raw_refresh_token or ""))
            .order_by(F("revoked").asc(nulls_first=True))
            .first()
        )
        if refresh is None or refresh.application_id != api_client.application_id:
            raise InvalidGrant()
        if refresh.revoked is not None:
            replayed_family = refresh.token_family
        else:
            lifetime = timedelta(seconds=settings.REFRESH_TOKEN_EXPIRE_SECONDS)
            if refresh.created + lifetime <= timezone.now():
                raise InvalidGrant()
            previous = (
                AccessTokenScope.objects.select_related("access_token")
                .filter(access_token_id=refresh.access_token_id)
                .first()
                if refresh.access_token_id
                else None
            )
            if previous is None:  # its access token was revoked: signed out
                raise InvalidGrant()
            owner = (
                Owner(previous.customer_id, previous.customer_public_id)
                if previous.customer_id is not None
                else None
            )
            scope = resolve_scope(previous.access_token.scope, kind=previous.kind)
            refresh.revoke()
            return issue_token(
                api_client,
                scope,
                owner=owner,
                user_id=refresh.user_id,
                with_refresh_token=True,
                source_refresh_token=refresh,
                token_family=refresh.token_family,
            )
    # Outside the transaction, so the family stays revoked although the answer is an error.
    refresh_model.revoke_family(replayed_family)
    raise InvalidGrant()


def revoke_customer_tokens(customer_id: int) -> None:
    """Every access token of a customer deleted, and the refresh tokens issued with them
    revoked (a refresh token without its access token is dead anyway: signed out)."""
    access_ids = list(
        AccessTokenScope.objects.filter(customer_id=customer_id).values_list(
            "access_token_id", flat=True
        )
    )
    if not access_ids:
        return
    get_refresh_token_model().objects.filter(
        access_token_id__in=access_ids, revoked__isnull=True
    ).update(revoked=timezone.now())
    get_access_token_model().objects.filter(pk__in=access_ids).delete()


def revoke_token(api_client: ApiClient, token: str) -> None:
    """Revoke an access token (a JWT of ours, expired or not) or a refresh token of this client.

    Unknown tokens are ignored (RFC 7009); another client's token is RevocationForbidden (403).
    """
    try:
        claims = tokens.decode(token, verify_exp=False)
    except jwt.InvalidTokenError:
        claims = None
    if claims is not None:
        row = (
            get_access_token_model()
            .objects.filter(token_checksum=token_checksum(claims["jti"]))
            .first()
        )
    else:
        row = (
            get_refresh_token_model()
            .objects.filter(token_checksum=token_checksum(token), revoked__isnull=True)
            .first()
        )
    if row is None:
        return
    if row.application_id != api_client.application_id:
        raise RevocationForbidden()
    row.revoke()
