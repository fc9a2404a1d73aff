"""JSON:API resource of customer groups (catalog.md "Customer groups and private markets").
Registered on import (markets/apps.py).

A group is a back-office record: integration tokens do everything with it; auth.md gives the
other kinds no access, so a storefront's `include=customer_group` of its market (or a
customer's own record) comes back empty and `/api/customer_groups` answers them 401.
A group's `markets` make those markets private (`markets.private`, derived); its `customers`
are set on each customer (`customers.customer_group`, integration only).

Deleting a group that a market still uses is refused (423 LOCKED, api.md: a record others
depend on), since the market would silently turn public; deleting one with customers only
leaves them without a group.
"""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ResourceView
from markets.customer_group_serializers import CustomerGroupSerializer
from markets.models import CustomerGroup


@register
class CustomerGroupResource(ResourceView):
    resource_type = "customer_groups"
    model = CustomerGroup
    serializer_class = CustomerGroupSerializer
    relationships_map = {
        "customers": Rel("customers", many=True),  # the orders app's resource, by type
        "markets": Rel("markets", many=True),
    }
