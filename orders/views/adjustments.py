"""Adjustments (aftersale.md §2): operators' manual amounts, added to orders as line items."""

from commerce.jsonapi.registry import register
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from orders import serializers as s
from orders.models import Adjustment


@register
class AdjustmentResource(ResourceView):
    resource_type = "adjustments"
    model = Adjustment
    serializer_class = s.AdjustmentSerializer
    access = dict.fromkeys(("list", "retrieve", "create", "update", "delete"), INTEGRATION_ONLY)
    # A line of a placed order holds it: 423 (the line keeps the amount, not a copy of it).
