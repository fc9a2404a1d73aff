"""The calls to payment gateways (payments.md): one module per gateway kind that calls out
(`stripe_gateway`), used by the services in orders/services, never by views."""
