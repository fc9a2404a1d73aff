"""Attributes of customer groups (catalog.md "Customer groups and private markets")."""

from commerce.jsonapi.serializers import ResourceSerializer
from markets.models import CustomerGroup


class CustomerGroupSerializer(ResourceSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["name", "code"]
