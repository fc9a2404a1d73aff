from commerce import codes
from commerce.jsonapi.serializers import ResourceSerializer
from commerce.models import Address


class AddressSerializer(ResourceSerializer):
    class Meta:
        model = Address
        fields = [
            "business",
            "first_name",
            "last_name",
            "company",
            "full_name",
            "line_1",
            "line_2",
            "city",
            "zip_code",
            "state_code",
            "country_code",
            "phone",
            "full_address",
            "name",
            "email",
            "notes",
            "lat",
            "lng",
            "is_localized",
            "is_geocoded",
            "provider_name",
            "map_url",
            "static_map_url",
            "billing_info",
        ]

    def validate_country_code(self, value):
        return codes.country_code(value)
