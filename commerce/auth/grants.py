"""Grant types of `/oauth/token`, one handler each.

A handler receives the request's parameters and the already authenticated API client, and
returns an IssuedToken or raises an OAuthError. Customers signing in through a sales channel
(`grant_type=password`) arrive with the orders app, which plugs its handler in with
`register_grant(PASSWORD, handler)` (from its AppConfig.ready); until then the password grant
answers 400 unsupported_grant_type like any unknown grant.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.http import HttpRequest

from commerce.auth.context import SALES_CHANNEL
from commerce.auth.exceptions import InvalidRequest, InvalidScope
from commerce.auth.scopes import resolve_client_scope
from commerce.auth.services import IssuedToken, issue_token, refresh_access_token
from commerce.models import ApiClient

CLIENT_CREDENTIALS = "client_credentials"
REFRESH_TOKEN = "refresh_token"
PASSWORD = "password"  # extension point: see register_grant


@dataclass(frozen=True)
class TokenRequest:
    params: Mapping[str, str]
    client: ApiClient
    http_request: HttpRequest | None = None

    def require(self, name: str) -> str:
        value = self.params.get(name)
        if not value:
            raise InvalidRequest(f"The request is missing the required parameter {name}.")
        return value


GrantHandler = Callable[[TokenRequest], IssuedToken]


def client_credentials_grant(request: TokenRequest) -> IssuedToken:
    """Integration (with its secret) or sales channel (public): the scope asked for, within the
    client's scope when it has one, else the client's scope. A sales channel must end up with a
    market in scope, and not a private one: a guest can't buy there (auth.md)."""
    scope = resolve_client_scope(
        request.params.get("scope"), request.client.scope, kind=request.client.kind
    )
    if request.client.kind == SALES_CHANNEL and any(m.private for m in scope.markets or ()):
        raise InvalidScope(
            "The requested scope is invalid: the market is private, only its customer group's "
            "customers may sign in to it."
        )
    return issue_token(request.client, scope)


def refresh_token_grant(request: TokenRequest) -> IssuedToken:
    return refresh_access_token(request.client, request.require("refresh_token"))


GRANT_HANDLERS: dict[str, GrantHandler] = {
    CLIENT_CREDENTIALS: client_credentials_grant,
    REFRESH_TOKEN: refresh_token_grant,
}


def register_grant(grant_type: str, handler: GrantHandler) -> None:
    """Serve `grant_type` with `handler` (e.g. register_grant(PASSWORD, password_grant))."""
    GRANT_HANDLERS[grant_type] = handler
