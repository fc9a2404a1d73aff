"""Commerce Layer's external gateway protocol (payments.md "External gateways"): any PSP a
merchant wraps in a small service of its own.

Each operation POSTs the payload (the resource as the API renders it, the order and what the
gateway's `external_includes` name, `meta` with the amount asked) to the gateway's URL for it,
signed `X-CommerceLayer-Signature` = base64(HMAC-SHA256(raw body, shared_secret)) as webhooks
are, with the `Idempotency-Key` the caller derives (payments.md rule 4). Calls time out after
`PAYMENT_GATEWAY_TIMEOUT_SECONDS`, follow no redirect and connect only to checked public
addresses (the webhooks' SSRF guard; loopback and private ones with
`WEBHOOK_ALLOW_PRIVATE_URLS=1`).

- 2xx with `success: true` (or `"true"`): an `Answer`, `data.amount_cents` (default: the
  amount asked), `data.transaction_token`, `data.metadata` (and the whole `data`: a token
  call's `customer_token` and `payment_source_token`);
- `success: false` (any status), or a 4xx with JSON: `Refused`, code and message from
  `data.error`, else the top-level `error`;
- timeout, connection error, 5xx, 202 (done later: no answer now), unreadable: `Unavailable`.

An empty URL refuses the operation (`not_supported`) without a call."""

import dataclasses
import http.client
import json

from django.conf import settings

from commerce.webhooks import ssrf
from commerce.webhooks.signing import commercelayer_signature
from orders.gateways import Refused, Unavailable

USER_AGENT = "commerce-backend-payments/1"
READ_LIMIT = 64 * 1024


@dataclasses.dataclass
class Answer:
    amount_cents: int
    token: str | None
    metadata: dict
    data: dict = dataclasses.field(default_factory=dict)  # all of it (a token call's tokens)


def call(
    url: str | None,
    operation: str,
    document: dict,
    *,
    secret: str,
    key: str,
    amount: int,
    currency: str,
) -> Answer:
    """POST `document`, with `meta` the amount asked, to `url`: the gateway's `Answer`, or
    `Refused` / `Unavailable`."""
    if not url:
        raise Refused(f"the gateway does not support {operation}", "not_supported")
    meta = {**document.get("meta", {}), "amount_cents": amount, "currency_code": currency}
    body = json.dumps({**document, "meta": meta}).encode()
    headers = {
        "Content-Type": "application/vnd.api+json",
        "X-CommerceLayer-Signature": commercelayer_signature(body, secret),
        "Idempotency-Key": key,
        "User-Agent": USER_AGENT,
    }
    status, text = _post(url, body, headers)
    return _outcome(status, text, amount)


def _post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    try:
        status, _, text = ssrf.post(
            url,
            body,
            headers,
            timeout=settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS,
            read_limit=READ_LIMIT,
        )
    except ssrf.UnsafeURL as exc:
        raise Unavailable(f"refused URL: {exc}") from None
    except TimeoutError:
        raise Unavailable("timeout") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise Unavailable(f"connection: {exc or exc.__class__.__name__}") from None
    return status, text


def _outcome(status: int, text: bytes, amount: int) -> Answer:
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        if 400 <= status < 500 and answer is not None:
            raise Refused(f"the gateway refused it (http {status})", f"http_{status}")
        raise Unavailable(f"http {status}" if status >= 300 else "unreadable answer")
    success = answer.get("success") in (True, "true")
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    if 200 <= status < 300 and status != 202 and success:
        granted = data.get("amount_cents", amount)
        return Answer(
            amount_cents=granted if isinstance(granted, int) and granted > 0 else amount,
            token=_text(data.get("transaction_token")),
            metadata=data.get("metadata") if isinstance(data.get("metadata"), dict) else {},
            data=data,
        )
    if answer.get("success") in (False, "false") or 400 <= status < 500:
        error = data.get("error") if isinstance(data.get("error"), dict) else answer.get("error")
        error = error if isinstance(error, dict) else {}
        message = _text(error.get("message")) or "the gateway refused it"
        raise Refused(message, _text(error.get("code")) or "refused")
    raise Unavailable(f"http {status}")


def _text(value) -> str | None:
    return str(value)[:255] if value not in (None, "") else None
