"""The `packages` resource (shipping.md "Packages"), registered on import (inventory/apps.py).

Integration tokens list, read and write them. Sales channels and customers reach a package only
as the package of a parcel they may read (`parcels/<id>/package`, `include=parcels.package` on
a shipment of an order within their reach: orders.views.parcels); listing or reading
`/api/packages` is a 401, as for the stock locations the packages belong to.
"""

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import ResourceView
from inventory import package_services as services
from inventory.models import Package
from inventory.package_serializers import PackageSerializer


@register
class PackageResource(ResourceView):
    resource_type = "packages"
    model = Package
    serializer_class = PackageSerializer
    relationships_map = {
        "stock_location": Rel("stock_locations", create="required", update=True),
        # The orders app's resource, by type (it sits above this one); scoped: a storefront
        # including a package's parcels sees only those of orders it reaches.
        "parcels": Rel("parcels", many=True),
    }

    def create_resource(self, values, ctx):
        return services.create_package(**values)

    def update_resource(self, instance, values, ctx):
        return services.update_package(instance, values) if values else instance

    def delete_resource(self, instance, ctx):
        services.delete_package(instance)
