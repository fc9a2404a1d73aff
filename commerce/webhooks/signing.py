"""Signatures of a webhook POST, in two schemes over the same body bytes.

- Commerce Layer's: `X-CommerceLayer-Signature` = base64(HMAC-SHA256(body, shared_secret)).
  A receiver recomputes it with the webhook's `shared_secret` and compares in constant time.
- Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
  `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`). The key is the bytes
  of the same shared secret; as a Standard Webhooks secret string it is
  `"whsec_" + base64(shared_secret)` (`standard_webhooks_secret`). A receiver verifies with
      from standardwebhooks import Webhook
      Webhook(standard_webhooks_secret(shared_secret)).verify(body, headers)
  which also rejects a timestamp more than 5 minutes old (replays); `webhook-id` stays the same
  on every attempt of one delivery, so a receiver that remembers it processes an event once.
"""

import base64
import hashlib
import hmac
from datetime import datetime

from standardwebhooks import Webhook


def commercelayer_signature(body: bytes, shared_secret: str) -> str:
    digest = hmac.new(shared_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def standard_webhooks_secret(shared_secret: str) -> str:
    return "whsec_" + base64.b64encode(shared_secret.encode()).decode()


def signed_headers(
    body: bytes, *, shared_secret: str, message_id: str, topic: str, now: datetime
) -> dict[str, str]:
    signature = Webhook(shared_secret.encode()).sign(message_id, now, body.decode())
    return {
        "Content-Type": "application/vnd.api+json",
        "X-CommerceLayer-Topic": topic,
        "X-CommerceLayer-Signature": commercelayer_signature(body, shared_secret),
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
