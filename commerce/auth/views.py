"""`POST /oauth/token` and `POST /oauth/revoke` (auth.md, api.md section 7).

Plain Django views, outside the JSON:API kernel: they take JSON bodies (what
@commercelayer/js-auth sends) or form bodies, answer `application/json`, and report failures in
Commerce Layer's `errors` envelope with OAuth2's error name as the title.
"""

import base64
import binascii
from urllib.parse import unquote

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from commerce.auth.exceptions import InvalidRequest, OAuthError, UnsupportedGrantType
from commerce.auth.grants import GRANT_HANDLERS, TokenRequest
from commerce.auth.limits import TokenRequestLimits
from commerce.auth.services import authenticate_client, revoke_token
from commerce.jsonapi import jsontext, storable

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@csrf_exempt
def token(request):
    try:
        _require_post(request)
        params = read_params(request)
        grant_type = params.get("grant_type")
        client_id, client_secret = client_credentials(request, params)
        limits = TokenRequestLimits(request, client_id, grant_type, params)
        limits.spend()
        if not grant_type:
            raise InvalidRequest("The request is missing the required parameter grant_type.")
        handler = GRANT_HANDLERS.get(grant_type)
        if handler is None:
            raise UnsupportedGrantType()
        client = authenticate_client(client_id, client_secret)
        issued = handler(TokenRequest(params, client, request))
        limits.succeeded()
    except OAuthError as error:
        return error_response(error)
    return JsonResponse(issued.as_json(), headers=NO_STORE)


@csrf_exempt
def revoke(request):
    try:
        _require_post(request)
        params = read_params(request)
        client = authenticate_client(*client_credentials(request, params))
        value = params.get("token")
        if not value:
            raise InvalidRequest("The request is missing the required parameter token.")
        revoke_token(client, value)
    except OAuthError as error:
        return error_response(error)
    return JsonResponse({}, headers=NO_STORE)


def error_response(error: OAuthError) -> JsonResponse:
    headers = dict(NO_STORE)
    headers.update(getattr(error, "headers", {}))
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return JsonResponse(error.as_json(), status=error.status, headers=headers)


class _MethodNotAllowed(OAuthError):
    status = 405
    error = "method_not_allowed"
    code = "METHOD_NOT_ALLOWED"
    default_detail = "Use POST."


def _require_post(request) -> None:
    if request.method != "POST":
        raise _MethodNotAllowed()


def read_params(request) -> dict[str, str]:
    """The body's parameters: a JSON object (nested at most jsontext.MAX_DEPTH deep) or a form.
    Values must be strings the database can store: a NUL or a lone surrogate in a name or a
    value is a 400 pointing at it (`source.pointer` in JSON, `source.parameter` in a form)."""
    is_json = "json" in (request.content_type or "")
    if is_json:
        try:
            data = jsontext.loads(request.body or b"{}")
        except ValueError:  # also UnicodeDecodeError and TooDeep
            raise InvalidRequest("The request body is not valid JSON.")
        if not isinstance(data, dict):
            raise InvalidRequest("The request body must be a JSON object.")
    else:
        data = {key: request.POST.get(key) for key in request.POST}
    params = {}
    for key, value in data.items():
        for text in (key, value):
            if isinstance(text, str) and storable.is_unstorable(text):
                where = f"/{storable.escape_pointer(key)}"
                raise InvalidRequest(
                    f"The parameter contains {storable.describe(text)}, which can't be stored.",
                    source={"pointer": where} if is_json else {"parameter": key},
                )
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidRequest(f"The parameter {key} must be a string.")
        params[key] = value.strip()
    return params


def client_credentials(request, params: dict[str, str]) -> tuple[str | None, str | None]:
    """client_id and client_secret from the body, else from HTTP Basic (RFC 6749 2.3.1)."""
    if params.get("client_id"):
        return params["client_id"], params.get("client_secret")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        client_id, secret = unquote(client_id), unquote(secret)
        if storable.is_unstorable(client_id) or storable.is_unstorable(secret):
            raise InvalidRequest(
                "The credentials contain a character that can't be stored.",
                source={"header": "Authorization"},
            )
        return client_id, secret
    return None, None
