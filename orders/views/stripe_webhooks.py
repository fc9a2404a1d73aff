"""`POST /webhook_callbacks/stripe_gateways/<gateway id>` (payments.md "Webhooks"): outside
`/api`, no token, no CSRF, no per-token throttle; Stripe's signature is the authentication.
Unknown gateway 404, a bad or stale signature 400, else 200 `{"received": true}` (for events
it ignores too)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from markets.models import StripeGateway
from orders.gateways import stripe_gateway as stripe_api
from orders.services import stripe_webhooks


def _error(status: int, code: str, title: str, detail: str) -> JsonResponse:
    error = {"title": title, "detail": detail, "code": code, "status": str(status)}
    return JsonResponse({"errors": [error]}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request, gateway_id: str):
    gateway = StripeGateway.objects.filter(public_id=gateway_id).first()
    if gateway is None:
        return _error(404, "NOT_FOUND", "Not found", "No Stripe gateway has this id.")
    try:
        event = stripe_api.verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            gateway.webhook_endpoint_secret or "",
        )
    except stripe_api.BadSignature:
        return _error(400, "BAD_REQUEST", "Invalid signature", "Stripe-Signature does not verify.")
    stripe_webhooks.receive(gateway, event)
    return JsonResponse({"received": True})
