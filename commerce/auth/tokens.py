"""JWT access tokens with Commerce Layer's claims (auth.md, api.md section 7).

HS256 with settings.JWT_SIGNING_KEY by default; RS256 with settings.JWT_PRIVATE_KEY when it is
set (verified with settings.JWT_PUBLIC_KEY, or the private key's public half), with a `kid`
header: the key's RFC 7638 thumbprint. Only the configured algorithm is accepted on the way in.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.conf import settings
from jwt.algorithms import RSAAlgorithm

from commerce.auth.scopes import ResolvedScope

HS256 = "HS256"
RS256 = "RS256"


@dataclass(frozen=True)
class Owner:
    """The customer a token acts for (password grant)."""

    customer_id: int
    public_id: str
    type: str = "Customer"


@dataclass(frozen=True)
class _Keys:
    algorithm: str
    signing_key: object
    verifying_key: object
    kid: str | None


@lru_cache(maxsize=4)
def _load_keys(signing_key: str, private_pem: str, public_pem: str) -> _Keys:
    if not private_pem:
        return _Keys(HS256, signing_key, signing_key, None)
    private_key = _load_private_pem(private_pem)
    public_key = _load_public_pem(public_pem) if public_pem else private_key.public_key()
    return _Keys(RS256, private_key, public_key, _thumbprint(public_key))


def _load_private_pem(pem: str):
    return load_pem_private_key(_pem_bytes(pem), password=None)


def _load_public_pem(pem: str):
    return load_pem_public_key(_pem_bytes(pem))


def _pem_bytes(pem: str) -> bytes:
    # Environment variables often carry PEM newlines as literal "\n".
    return pem.replace("\\n", "\n").encode()


def _thumbprint(public_key) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps(
        {k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signing_keys() -> _Keys:
    return _load_keys(settings.JWT_SIGNING_KEY, settings.JWT_PRIVATE_KEY, settings.JWT_PUBLIC_KEY)


def issuer() -> str:
    return f"https://auth.{settings.API_DOMAIN}"


def new_jti() -> str:
    return secrets.token_urlsafe(24)


def build_claims(
    *,
    application_public_id: str,
    client_id: str,
    kind: str,
    scope: ResolvedScope,
    jti: str,
    issued_at: int,
    expires_at: int,
    owner: Owner | None = None,
) -> dict:
    """Commerce Layer's access-token claims. `kind` is the API client's (integration or
    sales_channel); a customer token is a sales channel's with an `owner`."""
    public = kind != "integration"
    claims = {
        "organization": {
            "id": settings.ORGANIZATION_ID,
            "slug": settings.ORGANIZATION_SLUG,
            "enterprise": False,
            "region": "eu-west-1",
        },
        "application": {
            "id": application_public_id,
            "client_id": client_id,
            "kind": kind,
            "public": public,
            "confidential": not public,
        },
        "scope": scope.scope,
        "exp": expires_at,
        "test": settings.COMMERCE_MODE == "test",
        "rand": secrets.randbelow(10**16) / 10**16,
        "iat": issued_at,
        "iss": issuer(),
        "jti": jti,
    }
    if scope.markets:
        claims["market"] = _market_claim(scope)
    if owner is not None:
        claims["owner"] = {"id": owner.public_id, "type": owner.type}
    return claims


def _market_claim(scope: ResolvedScope) -> dict:
    markets = scope.markets
    single = markets[0] if len(markets) == 1 else None
    if scope.stock_locations:
        location_ids = [s.public_id for s in scope.stock_locations]
    else:
        location_ids = list(
            dict.fromkeys(public_id for m in markets for public_id in m.stock_location_public_ids)
        )
    return {
        "id": [m.public_id for m in markets],
        "code": single.code if single else None,
        "price_list_id": single.price_list_id if single else None,
        "stock_location_ids": location_ids,
        "geocoder_id": None,
        "allows_external_prices": False,
    }


def encode(claims: dict) -> str:
    keys = signing_keys()
    headers = {"kid": keys.kid} if keys.kid else None
    return jwt.encode(claims, keys.signing_key, algorithm=keys.algorithm, headers=headers)


def decode(token: str, *, verify_exp: bool = True) -> dict:
    """Verify signature, issuer and (unless told not to) expiry. Raises jwt.InvalidTokenError."""
    keys = signing_keys()
    return jwt.decode(
        token,
        keys.verifying_key,
        algorithms=[keys.algorithm],
        issuer=issuer(),
        options={"require": ["exp", "iat", "jti"], "verify_exp": verify_exp},
    )


# Tokens this process verified: token -> (claims, keys, issuer). A signature and an issuer are
# properties of the token's text, checked once (each request decoded its token again: some
# 0.2 ms, the largest piece of authenticating); the expiry is checked on every use. Cleared
# when full; a change of keys or issuer (settings) verifies again.
_verified: dict[str, tuple[dict, _Keys, str]] = {}
VERIFIED_TOKENS_KEPT = 2048


def decode_verified(token: str) -> dict:
    """`decode(token)` for a token seen before without verifying its signature again; the
    claims returned are shared: read them, never change them. Raises jwt.InvalidTokenError."""
    keys, iss = signing_keys(), issuer()
    seen = _verified.get(token)
    if seen is not None and seen[1] is keys and seen[2] == iss:
        claims = seen[0]
        # As PyJWT with no leeway: expired once `exp` is not after now.
        if int(claims["exp"]) <= time.time():
            raise jwt.ExpiredSignatureError("Signature has expired")
        return claims
    claims = decode(token)
    if len(_verified) >= VERIFIED_TOKENS_KEPT:
        _verified.clear()
    _verified[token] = (claims, keys, iss)
    return claims
