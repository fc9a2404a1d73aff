"""What a shipping method and a shipping zone must be to be written (shipping.md "Shipping
zones", "Weight", "The `external` scheme"): each refusal a 422 on its attribute."""

import pytest

from markets.models import ShippingZone
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ZONE_PATTERNS = ShippingZone.PATTERNS


def error(response):
    assert response.status_code == 422, response.content
    (only,) = response.json()["errors"]
    return only


def method_create(api, **attributes):
    return api.create(
        "shipping_methods", {"name": "Method", "price_amount_cents": 700, **attributes}
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"min_weight": 1},
        {"max_weight": 5},
        {"scheme": "weight_tiered"},
        {"min_weight": 1, "max_weight": 5, "unit_of_weight": None},
    ],
)
def test_unit_of_weight_is_required_with_bounds_or_tiers(integration, attributes):
    problem = error(method_create(integration, **attributes))
    assert problem["source"]["pointer"] == "/data/attributes/unit_of_weight"
    assert problem["detail"] == "unit_of_weight - can't be blank"
    assert problem["meta"]["error"] == "blank"


def test_unit_of_weight_is_required_on_update_too(integration):
    method = f.ShippingMethodFactory()
    problem = error(integration.update("shipping_methods", method.public_id, {"max_weight": 3}))
    assert problem["source"]["pointer"] == "/data/attributes/unit_of_weight"
    weighed = f.ShippingMethodFactory(max_weight=3, unit_of_weight="lb")
    response = integration.update("shipping_methods", weighed.public_id, {"unit_of_weight": None})
    assert error(response)["source"]["pointer"] == "/data/attributes/unit_of_weight"
    assert (
        integration.update(
            "shipping_methods", weighed.public_id, {"scheme": "weight_tiered"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"min_weight": 1, "max_weight": 5, "unit_of_weight": "lb"},
        {"min_weight": 2.5, "max_weight": 2.5, "unit_of_weight": "oz"},
        {"scheme": "weight_tiered", "unit_of_weight": "gr"},
        {"scheme": "flat"},
    ],
)
def test_valid_weights(integration, attributes):
    response = method_create(integration, **attributes)
    assert response.status_code == 201, response.content


def test_min_weight_above_max_weight_is_refused_on_max_weight(integration):
    problem = error(method_create(integration, min_weight=5, max_weight=1.5, unit_of_weight="lb"))
    assert problem["source"]["pointer"] == "/data/attributes/max_weight"
    assert problem["detail"] == "max_weight - must be greater than or equal to 5"
    method = f.ShippingMethodFactory(min_weight=2, unit_of_weight="lb")
    response = integration.update("shipping_methods", method.public_id, {"max_weight": 1})
    assert error(response)["source"]["pointer"] == "/data/attributes/max_weight"


def test_an_external_method_needs_its_url(integration):
    problem = error(method_create(integration, scheme="external"))
    assert problem["source"]["pointer"] == "/data/attributes/external_prices_url"
    assert problem["detail"] == "external_prices_url - can't be blank"
    method = f.ShippingMethodFactory()
    response = integration.update("shipping_methods", method.public_id, {"scheme": "external"})
    assert error(response)["source"]["pointer"] == "/data/attributes/external_prices_url"


@pytest.mark.parametrize("attribute", ZONE_PATTERNS)
@pytest.mark.parametrize("pattern", ["(US", "[A-", "*US", "a(?i)b", "(?<=a+)b"])
def test_a_zone_regex_that_does_not_compile_is_refused_on_its_attribute(
    integration, attribute, pattern
):
    problem = error(integration.create("shipping_zones", {"name": "Zone", attribute: pattern}))
    assert problem["source"]["pointer"] == f"/data/attributes/{attribute}"
    assert problem["meta"]["error"] == "invalid"
    zone = f.ShippingZoneFactory()
    problem = error(integration.update("shipping_zones", zone.public_id, {attribute: pattern}))
    assert problem["source"]["pointer"] == f"/data/attributes/{attribute}"


@pytest.mark.parametrize(
    "pattern", ["(?i)(JE1|JE2|JE3)", "^US$", "^(HI|AK)$", "^0[0-9]{4}$", "", None]
)
def test_zone_regexes_python_compiles_are_stored(integration, pattern):
    response = integration.create(
        "shipping_zones", {"name": "Zone", "zip_code_regex": pattern, "country_code_regex": "US"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["zip_code_regex"] == pattern


def test_a_zone_regex_is_5000_characters_at_most(integration):
    fits = "A" * 5000
    response = integration.create("shipping_zones", {"name": "Zone", "zip_code_regex": fits})
    assert response.status_code == 201, response.content
    problem = error(
        integration.create("shipping_zones", {"name": "Zone", "zip_code_regex": fits + "A"})
    )
    assert problem["source"]["pointer"] == "/data/attributes/zip_code_regex"
    assert problem["meta"] == {"error": "too_long", "count": 5000}


def test_an_external_url_on_a_private_address_is_refused_when_saved(integration, settings):
    """The webhooks' SSRF rule, at save time as for an external gateway's URLs."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    url = "http://127.0.0.1:9/prices"
    problem = error(method_create(integration, scheme="external", external_prices_url=url))
    assert problem["source"]["pointer"] == "/data/attributes/external_prices_url"
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    created = method_create(integration, scheme="external", external_prices_url=url)
    assert created.status_code == 201, created.content
