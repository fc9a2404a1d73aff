"""DRF authentication: `Authorization: Bearer <jwt>` becomes `request.auth`, a TokenContext.

The JWT's signature, issuer and expiry are checked first (the signature and issuer once per
process and token: tokens.decode_verified); then one query reads the token's
AccessToken row (gone once revoked) with its resolved scope. No header: anonymous (the
permission layer answers 401 INVALID_TOKEN); anything wrong with a presented token:
InvalidToken.
"""

import jwt
from django.db import models
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from commerce.auth import tokens
from commerce.auth.context import TokenContext
from commerce.auth.exceptions import InvalidToken
from commerce.auth.services import token_checksum
from commerce.compiled import CompiledRead
from commerce.models import AccessTokenScope

# Every request's first read: its SQL is built once per process (commerce/compiled.py).
TOKEN_SCOPE = CompiledRead(
    lambda checksum: (
        AccessTokenScope.objects.select_related("access_token")
        .filter(access_token__token_checksum=checksum)
        .order_by()[:1]
    ),
    checksum=models.CharField(),
)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise InvalidToken()
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken()
        return None, authenticate_token(raw)

    def authenticate_header(self, request):
        # A value here keeps DRF's NotAuthenticated/AuthenticationFailed at 401.
        return 'Bearer realm="api"'


def authenticate_token(raw: str) -> TokenContext:
    """The TokenContext of a bearer JWT, or InvalidToken. One SQL query."""
    try:
        claims = tokens.decode_verified(raw)
    except jwt.InvalidTokenError:
        raise InvalidToken()
    jti = claims.get("jti")
    if not isinstance(jti, str):
        raise InvalidToken()
    row = TOKEN_SCOPE.first(checksum=token_checksum(jti))
    if row is None or row.access_token.is_expired():
        raise InvalidToken()
    access_token = row.access_token
    application = claims.get("application") or {}
    return TokenContext(
        kind=row.kind,
        application_id=access_token.application_id,
        client_id=str(application.get("client_id", "")),
        scope=access_token.scope,
        market_ids=None if row.market_ids is None else tuple(row.market_ids),
        stock_location_ids=tuple(row.stock_location_ids or ()),
        customer_id=row.customer_id,
        token_id=access_token.pk,
    )
