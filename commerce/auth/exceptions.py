"""Authentication errors.

Two families: `InvalidToken` is raised by the API's authentication class (DRF renders it through
the kernel's handler as 401 INVALID_TOKEN); `OAuthError` and its subclasses are the answers of
`/oauth/token` and `/oauth/revoke`, in Commerce Layer's `errors` envelope with OAuth2's error
name as the title and a numeric `status` (api.md section 7).
"""

from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed


class InvalidToken(AuthenticationFailed):
    """Missing, malformed, tampered, expired or revoked access token: 401 INVALID_TOKEN."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "INVALID_TOKEN"
    default_detail = "The access token you provided is invalid."
    title = "Invalid token"


class OAuthError(Exception):
    """An answer of the token or revocation endpoint other than success."""

    status = 400
    error = "invalid_request"
    code = "BAD_REQUEST"
    default_detail = (
        "The request is missing a required parameter, includes an unsupported parameter value, "
        "or is otherwise malformed."
    )

    def __init__(self, detail: str | None = None, *, source: dict | None = None):
        self.detail = detail or self.default_detail
        self.source = source  # {"pointer": ...} in a JSON body, {"parameter": ...} in a form
        super().__init__(self.detail)

    def as_json(self) -> dict:
        error = {"title": self.error, "detail": self.detail, "code": self.code}
        error["status"] = self.status
        if self.source:
            error["source"] = self.source
        return {"errors": [error]}


class InvalidRequest(OAuthError):
    pass


class InvalidClient(OAuthError):
    status = 401
    error = "invalid_client"
    code = "UNAUTHORIZED"
    default_detail = (
        "Client authentication failed due to unknown client, no client authentication "
        "included, or unsupported authentication method."
    )

    def __init__(self):
        # Always the same words: the answer must not tell which part was wrong.
        super().__init__()


class InvalidGrant(OAuthError):
    error = "invalid_grant"
    default_detail = (
        "The provided authorization grant is invalid, expired, revoked, does not match the "
        "redirection URI used in the authorization request, or was issued to another client."
    )


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"
    default_detail = "The client is not authorized to perform this request using this method."


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    default_detail = "The authorization grant type is not supported by the authorization server."


class InvalidScope(OAuthError):
    error = "invalid_scope"
    default_detail = "The requested scope is invalid, unknown, or malformed."


class RevocationForbidden(OAuthError):
    """Revoking a token issued to another client (Commerce Layer answers 403 FORBIDDEN)."""

    status = 403
    error = "unauthorized_client"
    code = "FORBIDDEN"
    default_detail = "You are not authorized to revoke this token."


class TooManyRequests(OAuthError):
    """A token-endpoint rate limit (limits.md §6): 429 with Retry-After, in the same envelope."""

    status = 429
    error = "too_many_requests"
    code = "TOO_MANY_REQUESTS"
    default_detail = "Too many requests. Slow down and retry later."

    def __init__(self, retry_after: int):
        super().__init__()
        self.headers = {"Retry-After": str(retry_after)}
