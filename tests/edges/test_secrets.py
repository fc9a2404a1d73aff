"""Secrets are never filtered, sorted, matched or returned (limits.md §5), whatever the path,
whatever the token: passwords (hashes), shared secrets, lease tokens. The denial comes from each
model's `secret_fields` declaration; the walk below covers every registered resource and every
secret reachable from it through relationships, as deep as the filter resolver goes."""

from itertools import cycle

import pytest
from django.apps import apps

from commerce.jsonapi.registry import registry
from commerce.jsonapi.secrets import secret_fields
from tests import factories as f

pytestmark = pytest.mark.django_db

RESOLVER_HOPS = 4  # resolve_filter_path walks relationships at depths 0..3
# Columns named like a secret that are not: resources.md returns them to every reader of the
# record (an order's shareable id substitute, a transaction's gateway reference).
PROXIES_OF_GATEWAYS = ("PaymentGateway", "ManualGateway", "StripeGateway", "ExternalGateway")
NOT_SECRETS = {
    ("Order", "token"),
    ("Transaction", "token"),
    # An external payment's token from the PSP, returned to who reads the payment (resources.md:
    # not write-only), useless without the merchant's own PSP credentials.
    ("PaymentSource", "payment_source_token"),
    # A wallet entry's gateway tokens (a Stripe Customer and PaymentMethod, a PSP's), returned
    # to its owner (resources.md), useless without the merchant's gateway credentials; and the
    # customer's Stripe Customer id, in no resource.
    ("CustomerPaymentSource", "customer_token"),
    ("CustomerPaymentSource", "payment_source_token"),
    ("GatewayCustomer", "token"),
    # When a password reset was used: a timestamp (aftersale.md §5).
    ("CustomerPasswordReset", "reset_password_at"),
    # A gateway's URL for customer tokens (payments.md), on every kind of gateway row.
    *((model, "token_url") for model in PROXIES_OF_GATEWAYS),
}
# Predicate families: each secret path is tried with `start` and the next of these in turn.
FAMILIES = [
    "eq",
    "matches",
    "cont",
    "present",
    "null",
    "not_eq",
    "in",
    "end",
    "does_not_match",
    "eq_any",
    "lt",
    "blank",
    "not_null",
    "i_cont",
    "matches_any",
    "not_start",
    "eq_or_null",
    "cont_all",
]


def secret_paths(resource_cls, hops=RESOLVER_HOPS, prefix=""):
    """Every filter name leading to a secret: the resource's own, then through each declared
    relationship (single-typed, not computed: the ones the resolver walks)."""
    for name in sorted(secret_fields(resource_cls.model)):
        yield prefix + name
    if hops == 0:
        return
    for rel_name, rel in resource_cls.relationships().items():
        if rel.getter is not None or len(rel.types) != 1 or rel.types[0] not in registry:
            continue
        yield from secret_paths(registry[rel.types[0]], hops - 1, f"{prefix}{rel_name}_")


@pytest.fixture
def customer(customer_token, market, sales_channel):
    return customer_token(market, "ada@example.com")


def assert_filter_refused(api, url, key, what=""):
    response = api.get(f"{url}?filter[q][{key}]=pbkdf2")
    assert response.status_code == 400, (what, url, key, response.status_code)
    (error,) = response.json()["errors"]
    assert error["code"] == "FILTER_NOT_ALLOWED", (what, url, key, error)
    assert error["source"] == {"parameter": f"filter[q][{key}]"}, (what, url, key)


def _walk_filters(api, lists, what):
    families = cycle(FAMILIES)
    checked = 0
    for url, resource_cls in lists:
        for path in secret_paths(resource_cls):
            for predicate in ("start", next(families)):
                assert_filter_refused(api, url, f"{path}_{predicate}", what)
                checked += 1
        for name in sorted(secret_fields(resource_cls.model)):
            for sort in (name, f"-{name}", f"id,{name}"):
                response = api.get(f"{url}?sort={sort}")
                assert response.status_code == 400, (what, url, sort)
                assert response.json()["errors"][0]["code"] == "INVALID_SORT_CRITERIA"
    return checked


def test_every_column_named_like_a_secret_is_declared_one():
    """The declaration is the list: a new password, secret or token column must join it."""
    undeclared = []
    for model in apps.get_models():
        if model._meta.app_label not in ("commerce", "markets", "orders", "inventory", "webhooks"):
            continue
        for field in model._meta.concrete_fields:
            named = any(w in field.name for w in ("password", "secret", "token"))
            if not named or field.is_relation or (model.__name__, field.name) in NOT_SECRETS:
                continue
            if field.name not in secret_fields(model):
                undeclared.append(f"{model.__name__}.{field.name}")
    assert undeclared == []
    assert secret_fields(apps.get_model("orders", "Customer")) == {"password"}
    for model in ("markets.Market", "markets.ShippingMethod", "webhooks.Webhook"):
        assert "shared_secret" in secret_fields(apps.get_model(model))


@pytest.mark.sqlite
def test_no_resource_filters_or_sorts_by_a_secret_for_integration_tokens(integration):
    lists = [
        (f"/api/{name}", cls)
        for name, cls in sorted(registry.items())
        if "list" in cls.ops and "integration" in cls.access.get("list", ())
    ]
    assert len(lists) == len(registry)
    assert _walk_filters(integration, lists, "integration") > 500
    # The issue's own example, and a key naming it beside an attribute that is allowed.
    assert_filter_refused(integration, "/api/customers", "password_start")
    assert_filter_refused(integration, "/api/customers", "email_or_password_cont")
    assert integration.get("/api/customers?filter[q][email_cont]=x").status_code == 200


@pytest.mark.sqlite
def test_no_storefront_list_filters_or_sorts_by_a_secret(
    sales_channel, customer, market, integration
):
    order = customer.create("orders", {}).json()["data"]["id"]
    customer_id = customer.get("/api/orders/" + order + "?include=customer").json()["included"][0][
        "id"
    ]
    for kind, api in (("sales_channel", sales_channel), ("customer", customer)):
        lists = [
            (f"/api/{name}", cls)
            for name, cls in sorted(registry.items())
            if kind in cls.access.get("list", ())
        ]
        if kind == "customer":
            lists += [
                (f"/api/customers/{customer_id}/orders", registry["orders"]),
                (f"/api/orders/{order}/line_items", registry["line_items"]),
            ]
        assert _walk_filters(api, lists, kind) > 50
    # The examples.
    assert_filter_refused(customer, "/api/orders", "customer_password_start")
    mine = f"/api/customers/{customer_id}/orders"
    assert_filter_refused(customer, mine, "customer_password_start")
    assert (
        customer.get("/api/orders?filter[q][customer_email_start]=ada").json()["meta"][
            "record_count"
        ]
        == 1
    )


def _attribute_names(document) -> set[str]:
    data = document["data"]
    resources = (data if isinstance(data, list) else [data]) + document.get("included", [])
    return {name for r in resources for name in r["attributes"]}


@pytest.mark.sqlite
def test_secrets_are_returned_to_integration_tokens_only(
    sales_channel, customer, market, integration
):
    method = f.ShippingMethodFactory(market=market)
    order = customer.create("orders", {}).json()["data"]["id"]
    urls = [
        f"/api/markets/{market.public_id}",
        f"/api/shipping_methods/{method.public_id}",
        f"/api/markets/{market.public_id}?fields[markets]=name,shared_secret",
        f"/api/markets/{market.public_id}?include=default_shipping_method",
    ]
    for api in (sales_channel, customer):
        for url in urls:
            response = api.get(url)
            assert response.status_code == 200, url
            assert "shared_secret" not in _attribute_names(response.json()), url
    included = customer.get(f"/api/orders/{order}?include=market,customer").json()
    names = _attribute_names(included)
    assert {"shared_secret", "password"}.isdisjoint(names)
    assert {"name", "email", "has_password"} <= names  # the secrets alone are missing
    for url in urls[:2]:
        attributes = integration.get(url).json()["data"]["attributes"]
        assert len(attributes["shared_secret"]) >= 32, url
    customers = integration.get("/api/customers").json()
    assert customers["data"] and "password" not in _attribute_names(customers)
