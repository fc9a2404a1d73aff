"""Payment gateways that call out (payments.md): creating and checking a Stripe gateway.

A Stripe gateway is created with its webhook endpoint registered at Stripe (the endpoint's
id and signing secret kept on it). Stripe refusing the secret key is a 422 on `login` and
nothing is saved; any other failure to register (Stripe unreachable, a URL Stripe won't take,
such as a loopback `WEBHOOK_API_BASE_URL` in development) saves the gateway with empty webhook
fields, for `_check` to register once it can."""

from commerce.exceptions import ValidationError
from commerce.services import save_record
from markets.models import StripeGateway
from orders.gateways import stripe_gateway as stripe_api


def create_stripe_gateway(values: dict) -> StripeGateway:
    gateway = StripeGateway(kind="stripe_gateways", **values)
    try:
        stripe_api.register_webhook_endpoint(gateway)
    except stripe_api.Refused as refusal:
        if refusal.bad_key:
            raise ValidationError("login", refusal.message, error="invalid") from None
    except stripe_api.Unavailable:
        pass
    return save_record(gateway)


def check_stripe_gateway(gateway: StripeGateway, value=True, *, ctx=None) -> StripeGateway:
    """`_check`: the secret key works (`GET /v1/balance`), and the webhook endpoint is
    registered if it was not yet. A refusal or no answer is a 422 on `_check` saying which."""
    try:
        stripe_api.check_key(gateway)
        if not gateway.webhook_endpoint_id:
            stripe_api.register_webhook_endpoint(gateway)
            save_record(gateway, validate=())
    except stripe_api.Refused as refusal:
        raise ValidationError("_check", refusal.message, error="invalid") from None
    except stripe_api.Unavailable as failure:
        raise ValidationError("_check", str(failure), error="gateway_unavailable") from None
    return gateway
