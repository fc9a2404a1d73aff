"""The orders app's routes outside the JSON:API (which commerce.jsonapi.routing builds)."""

from django.urls import path

from orders.views.stripe_webhooks import stripe_webhook

urlpatterns = [
    path(
        "webhook_callbacks/stripe_gateways/<str:gateway_id>",
        stripe_webhook,
        name="stripe-webhook",
    ),
]
