"""Payment gateways that call out (payments.md): served from orders, whose services make the
calls (markets holds the rows and the plain gateways)."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from markets.models import ExternalGateway, StripeGateway
from markets.serializers import ExternalGatewaySerializer, StripeGatewaySerializer
from markets.services import reset_circuit
from markets.views import DISABLE_TRIGGERS
from orders.services import gateways


@register
class StripeGatewayResource(ResourceView):
    resource_type = "stripe_gateways"
    model = StripeGateway
    serializer_class = StripeGatewaySerializer
    triggers = TriggerSet(
        *DISABLE_TRIGGERS.triggers.values(),
        Trigger("_check", gateways.check_stripe_gateway),
    )
    relationships_map = {"payment_methods": Rel("payment_methods", many=True)}

    def create_resource(self, values, ctx):
        return gateways.create_stripe_gateway(values)


@register
class ExternalGatewayResource(ResourceView):
    resource_type = "external_gateways"
    model = ExternalGateway
    serializer_class = ExternalGatewaySerializer
    triggers = TriggerSet(
        *DISABLE_TRIGGERS.triggers.values(),
        Trigger("_reset_circuit", reset_circuit, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {"payment_methods": Rel("payment_methods", many=True)}
