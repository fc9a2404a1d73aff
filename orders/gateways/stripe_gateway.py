"""Stripe through its official library only (payments.md "Stripe"): one client per call with
the gateway's own secret key (never the library's global key), at `STRIPE_API_BASE`.

An operation's whole budget is `PAYMENT_GATEWAY_TIMEOUT_SECONDS` (payments.md): an attempt
whose connection fails without an answer is retried with the same idempotency key while the
budget lasts (`MAX_ATTEMPTS` at most, `RETRY_PAUSE` apart), each attempt given what is left of
it; a timeout has used the budget up, and a 5xx is not retried (Stripe replays it under the same
key). The library's own retries are off: it knows no budget. Stripe's answers come back as
the library's objects; its errors are sorted here into the two kinds the services tell apart:
`Refused` (Stripe answered no: a bad key, a decline, an invalid request) and `Unavailable` (no
usable answer: timeout, connection error, 5xx)."""

import time

import stripe
from django.conf import settings

from orders.gateways import Refused, Unavailable

# The events a gateway's webhook endpoint is registered for (payments.md "Webhooks").
WEBHOOK_EVENTS = (
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.canceled",
    "charge.refunded",
)


MAX_ATTEMPTS = 3
RETRY_PAUSE = 0.25  # seconds
MIN_ATTEMPT = 0.5  # seconds: less budget than this left, no new attempt


def _client(gateway, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        gateway.login,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def _options(gateway, **options) -> dict:
    if gateway.connected_account:
        options["stripe_account"] = gateway.connected_account
    return options


def _call(gateway, operation):
    """`operation(client)` within the budget, turning the library's errors into `Refused` or
    `Unavailable`."""
    deadline = time.monotonic() + settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return operation(_client(gateway, max(deadline - time.monotonic(), MIN_ATTEMPT)))
        except stripe.AuthenticationError as error:
            raise Refused(error.user_message or str(error), error.code, bad_key=True) from None
        except stripe.APIConnectionError as error:
            if "timed out" in str(error).lower():
                raise Unavailable("timeout") from None
            left = deadline - time.monotonic() - RETRY_PAUSE
            if attempt == MAX_ATTEMPTS or left < MIN_ATTEMPT:
                raise Unavailable("connection") from None
            time.sleep(RETRY_PAUSE)
        except stripe.StripeError as error:
            status = error.http_status or 0
            if status >= 500 or status == 0:
                raise Unavailable(f"http {status}" if status else "unreadable answer") from None
            decline = getattr(error.error, "decline_code", None) if error.error else None
            raise Refused(error.user_message or str(error), error.code, detail=decline) from None


def check_key(gateway) -> None:
    """The secret key works (`GET /v1/balance`)."""
    _call(gateway, lambda client: client.v1.balance.retrieve(options=_options(gateway)))


def register_webhook_endpoint(gateway) -> None:
    """Register the gateway's `webhook_endpoint_url` with Stripe for `WEBHOOK_EVENTS`, keeping
    the endpoint's id and signing secret on the gateway (not saved here)."""
    params = {"url": gateway.webhook_endpoint_url, "enabled_events": list(WEBHOOK_EVENTS)}
    endpoint = _call(
        gateway,
        lambda client: client.v1.webhook_endpoints.create(params=params, options=_options(gateway)),
    )
    gateway.webhook_endpoint_id = endpoint.id
    gateway.webhook_endpoint_secret = endpoint.secret


def create_customer(gateway, params: dict, *, idempotency_key: str):
    """`POST /v1/customers` (the Stripe Customer a wallet's cards are saved to)."""
    options = _options(gateway, idempotency_key=idempotency_key)
    return _call(gateway, lambda client: client.v1.customers.create(params=params, options=options))


def create_intent(gateway, params: dict, *, idempotency_key: str):
    """`POST /v1/payment_intents` (a manual-capture PaymentIntent)."""
    options = _options(gateway, idempotency_key=idempotency_key)
    return _call(
        gateway, lambda client: client.v1.payment_intents.create(params=params, options=options)
    )


def retrieve_intent(gateway, intent_id: str, *, expand=()):
    """`GET /v1/payment_intents/:id` (with `expand[]`, e.g. the payment method's card)."""
    params = {"expand": list(expand)} if expand else {}
    return _call(
        gateway,
        lambda client: client.v1.payment_intents.retrieve(
            intent_id, params=params, options=_options(gateway)
        ),
    )


def update_intent(gateway, intent_id: str, params: dict):
    """`POST /v1/payment_intents/:id` (an update needs no idempotency key: payments.md)."""
    return _call(
        gateway,
        lambda client: client.v1.payment_intents.update(
            intent_id, params=params, options=_options(gateway)
        ),
    )


def cancel_intent(gateway, intent_id: str, *, idempotency_key: str):
    """`POST /v1/payment_intents/:id/cancel`."""
    options = _options(gateway, idempotency_key=idempotency_key)
    return _call(
        gateway, lambda client: client.v1.payment_intents.cancel(intent_id, options=options)
    )


def capture_intent(gateway, intent_id: str, params: dict, *, idempotency_key: str):
    """`POST /v1/payment_intents/:id/capture` (`amount_to_capture` for part of it)."""
    options = _options(gateway, idempotency_key=idempotency_key)
    return _call(
        gateway,
        lambda client: client.v1.payment_intents.capture(intent_id, params=params, options=options),
    )


def create_refund(gateway, params: dict, *, idempotency_key: str):
    """`POST /v1/refunds`."""
    options = _options(gateway, idempotency_key=idempotency_key)
    return _call(gateway, lambda client: client.v1.refunds.create(params=params, options=options))


class BadSignature(Exception):
    """A webhook body whose `Stripe-Signature` does not verify (or is older than 300 s)."""


def verify_event(body: bytes, signature: str, secret: str):
    """The Stripe Event in a webhook's raw `body`, verified against its `Stripe-Signature` with
    the endpoint's signing secret (`stripe.Webhook.construct_event`, 300 s tolerance)."""
    try:
        return stripe.Webhook.construct_event(body, signature, secret, tolerance=300)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from None
