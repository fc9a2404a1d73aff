"""Triggers of the market settings: `_disable`/`_enable` (markets, shipping methods, payment
methods, manual gateways) and `_reset_circuit` (shipping methods, integration only)."""

import pytest

from tests import factories as f
from tests.resources.cases import BY_TYPE, body

pytestmark = pytest.mark.django_db

DISABLEABLE = ["markets", "shipping_methods", "payment_methods", "manual_gateways"]


def disabled_at(response, what):
    assert response.status_code in (200, 201), (
        f"{what}: {response.status_code} {response.content!r}"
    )
    return response.json()["data"]["attributes"]["disabled_at"]


@pytest.mark.parametrize("type_name", DISABLEABLE)
def test_disable_then_enable(integration, type_name):
    record = BY_TYPE[type_name].make(0)
    stamp = disabled_at(
        integration.update(type_name, record.public_id, {"_disable": True}),
        f"{type_name}: _disable",
    )
    assert stamp is not None and stamp.endswith("Z"), f"{type_name}: disabled_at {stamp!r}"
    again = disabled_at(
        integration.update(type_name, record.public_id, {"_disable": True}),
        f"{type_name}: _disable twice",
    )
    assert again == stamp, f"{type_name}: disabling twice keeps the first time"
    read = integration.get(f"/api/{type_name}/{record.public_id}")
    assert read.json()["data"]["attributes"]["disabled_at"] == stamp, type_name
    assert (
        disabled_at(
            integration.update(type_name, record.public_id, {"_enable": True}),
            f"{type_name}: _enable",
        )
        is None
    )


@pytest.mark.parametrize("type_name", DISABLEABLE)
def test_create_disabled(integration, type_name):
    case = BY_TYPE[type_name]
    attributes, relationships = case.create()
    response = integration.post(
        f"/api/{type_name}", body(type_name, {**attributes, "_disable": True}, relationships)
    )
    assert disabled_at(response, f"{type_name}: create with _disable") is not None


@pytest.mark.parametrize("type_name", DISABLEABLE)
def test_trigger_values_are_checked(integration, type_name):
    record = BY_TYPE[type_name].make(0)
    response = integration.update(type_name, record.public_id, {"_disable": "yes"})
    assert response.status_code == 422, f"{type_name}: {response.content!r}"
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/_disable"
    unknown = integration.update(type_name, record.public_id, {"_explode": True})
    assert unknown.status_code == 400, type_name
    assert unknown.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED", type_name


def test_disable_false_does_nothing(integration):
    method = f.ShippingMethodFactory()
    assert (
        disabled_at(
            integration.update("shipping_methods", method.public_id, {"_disable": False}),
            "_disable false",
        )
        is None
    )


def test_reset_circuit_closes_the_breaker(integration):
    method = f.ShippingMethodFactory(circuit_state="open", circuit_failure_count=5)
    response = integration.update("shipping_methods", method.public_id, {"_reset_circuit": True})
    assert response.status_code == 200, response.content
    attrs = response.json()["data"]["attributes"]
    assert (attrs["circuit_state"], attrs["circuit_failure_count"]) == ("closed", 0)


def test_reset_circuit_is_not_a_create_trigger(integration):
    attributes, relationships = BY_TYPE["shipping_methods"].create()
    response = integration.post(
        "/api/shipping_methods",
        body("shipping_methods", {**attributes, "_reset_circuit": True}, relationships),
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED"


def test_sales_channel_cannot_reset_the_circuit(sales_channel, market):
    method = f.ShippingMethodFactory(market=market, circuit_state="open", circuit_failure_count=5)
    response = sales_channel.update("shipping_methods", method.public_id, {"_reset_circuit": True})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    method.refresh_from_db()
    assert method.circuit_state == "open"


@pytest.mark.parametrize("type_name", ["prices", "skus", "stock_items"])
def test_resources_without_these_triggers_refuse_them(integration, type_name):
    record = BY_TYPE[type_name].make(0)
    response = integration.update(type_name, record.public_id, {"_disable": True})
    assert response.status_code == 400, f"{type_name}: {response.content!r}"
    assert response.json()["errors"][0]["code"] == "PARAM_NOT_ALLOWED", type_name
