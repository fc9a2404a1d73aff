"""Scope parsing and JWT encoding: no database."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from commerce.auth import tokens
from commerce.auth.exceptions import InvalidScope
from commerce.auth.scopes import ParsedScope, ResolvedScope, ScopeItem, parse_scope, resolve_scope

pytestmark = pytest.mark.sqlite


# --- scopes ----------------------------------------------------------------------------------


def test_parse_scope_items():
    parsed = parse_scope("  market:code:usa  stock_location:id:AbCdEfGhIj market:id:XyZxYzXyZx ")
    assert parsed.items == (
        ScopeItem("market", "code", "usa"),
        ScopeItem("stock_location", "id", "AbCdEfGhIj"),
        ScopeItem("market", "id", "XyZxYzXyZx"),
    )
    assert [str(i) for i in parsed.markets] == ["market:code:usa", "market:id:XyZxYzXyZx"]
    assert [str(i) for i in parsed.stock_locations] == ["stock_location:id:AbCdEfGhIj"]
    assert str(parsed) == "market:code:usa stock_location:id:AbCdEfGhIj market:id:XyZxYzXyZx"


def test_parse_scope_empty_and_all():
    assert parse_scope("") == ParsedScope()
    assert parse_scope(None) == ParsedScope()
    assert parse_scope("market:all") == ParsedScope(all_markets=True)
    assert str(parse_scope("market:all")) == "market:all"


def test_parse_scope_drops_duplicates():
    assert str(parse_scope("market:code:usa market:code:usa")) == "market:code:usa"


def test_parse_scope_keeps_colons_in_values():
    assert parse_scope("market:code:a:b").items == (ScopeItem("market", "code", "a:b"),)


@pytest.mark.parametrize(
    "scope",
    [
        "market",
        "market:usa",
        "market:code:",
        "market:name:usa",
        "store:code:usa",
        "stock_location:usa",
        "market:all market:code:usa",
        "openid",
    ],
)
def test_parse_scope_rejects(scope):
    with pytest.raises(InvalidScope) as info:
        parse_scope(scope)
    assert info.value.status == 400
    assert info.value.as_json()["errors"][0]["title"] == "invalid_scope"


@pytest.mark.parametrize(
    ("scope", "kind"),
    [
        ("", "sales_channel"),
        ("market:all", "sales_channel"),
        ("", "customer"),
        ("stock_location:code:wh", "integration"),
        ("stock_location:code:wh", "sales_channel"),
    ],
)
def test_resolve_scope_rejects_without_touching_the_database(scope, kind):
    with pytest.raises(InvalidScope):
        resolve_scope(scope, kind=kind)


@pytest.mark.parametrize("scope", ["", "market:all", "  "])
def test_integration_without_scope_is_every_market(scope):
    resolved = resolve_scope(scope, kind="integration")
    assert resolved == ResolvedScope("market:all", None)
    assert resolved.market_ids is None
    assert resolved.stock_location_ids == ()


# --- JWT -------------------------------------------------------------------------------------


def claims(**extra):
    return {"sub": "x", "iat": 1, "exp": 4_000_000_000, "jti": "j", "iss": tokens.issuer(), **extra}


def test_hs256_round_trip(settings):
    settings.JWT_SIGNING_KEY = "k" * 40
    settings.JWT_PRIVATE_KEY = ""
    token = tokens.encode(claims())
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert "kid" not in jwt.get_unverified_header(token)
    assert tokens.decode(token)["sub"] == "x"
    settings.JWT_SIGNING_KEY = "q" * 40
    with pytest.raises(jwt.InvalidSignatureError):
        tokens.decode(token)


def test_decode_requires_exp_iat_jti(settings):
    settings.JWT_SIGNING_KEY = "k" * 40
    for name in ("exp", "iat", "jti"):
        bare = claims()
        del bare[name]
        with pytest.raises(jwt.MissingRequiredClaimError):
            tokens.decode(jwt.encode(bare, "k" * 40, algorithm="HS256"))


def test_decode_checks_expiry_unless_told(settings):
    settings.JWT_SIGNING_KEY = "k" * 40
    token = tokens.encode(claims(exp=2))
    with pytest.raises(jwt.ExpiredSignatureError):
        tokens.decode(token)
    assert tokens.decode(token, verify_exp=False)["exp"] == 2


def rsa_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_rs256_with_kid(settings):
    private, public = rsa_pem()
    settings.JWT_PRIVATE_KEY = private
    settings.JWT_PUBLIC_KEY = ""
    token = tokens.encode(claims())
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["kid"]
    assert tokens.decode(token)["sub"] == "x"
    # Anyone holding the public key can verify it.
    assert jwt.decode(token, public, algorithms=["RS256"], issuer=tokens.issuer())["sub"] == "x"
    # The same key given with its public half: same kid.
    settings.JWT_PUBLIC_KEY = public.replace("\n", "\\n")
    assert jwt.get_unverified_header(tokens.encode(claims()))["kid"] == header["kid"]


def test_rs256_refuses_an_hs256_token(settings):
    """No algorithm confusion: with RS256 configured, an HMAC token is refused."""
    private, public = rsa_pem()
    settings.JWT_SIGNING_KEY = "k" * 40
    settings.JWT_PRIVATE_KEY = ""
    hs_token = tokens.encode(claims())
    settings.JWT_PRIVATE_KEY = private
    with pytest.raises(jwt.InvalidAlgorithmError):
        tokens.decode(hs_token)
