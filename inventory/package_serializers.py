"""Attributes of packages (shipping.md "Packages"): they parse what a client sends; the rules
that span rows or read other records (dimensions > 0, a code unique per stock location) are
the services' (inventory.package_services), shared with the admin."""

from commerce.jsonapi.serializers import ResourceSerializer
from inventory.models import Package


class PackageSerializer(ResourceSerializer):
    """`length`, `width` and `height` are JSON numbers; `unit_of_length` is `cm` or `in`."""

    class Meta:
        model = Package
        fields = ["name", "code", "length", "width", "height", "unit_of_length"]
