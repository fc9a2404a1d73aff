"""Contract fuzzing: schemathesis drives every operation of /api/schema in-process (WSGI).

With an integration token and, separately, a sales-channel token, hypothesis generates
path/query parameters and bodies (valid and invalid ones) for each operation. Every answer must
be no 5xx, conform to the schema (schemathesis' response checks) and be a JSON:API document in
our dialect: top-level `data` or `errors`, each error with status, code, title and detail,
served as application/vnd.api+json.

Records exist to be found: a whole guest checkout is run first (a placed order with its line
items, shipments, stock line items, reservations and authorization, plus a pending cart with a
line item option), and every other example of an operation with an `{id}` asks for a real record
of its resource type (the others keep hypothesis' ids, mostly 404s), so PATCH bodies and
triggers meet real rows.

Hostile inputs (limits.md section 8): besides hypothesis' own values, each positive example is
sent again once per applicable mutation of `HOSTILE`: NUL characters and lone surrogates in the
path, the query and the body (attribute values, metadata keys and values), integers beyond 64
bits in filters and attributes, JSON nested deeper than the parser takes, include paths that
loop back on themselves (at the depth limit and one past it) and huge page numbers. They must
meet the same checks: never a 5xx, always a JSON:API document.

Bounded and deterministic: FUZZ_EXAMPLES examples per operation and generation mode (small
default; `make fuzz` raises it), derandomized, no shrinking. All failures are collected and
reported together, one per operation and check.
"""

import copy
import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.models import SkuListItem
from commerce.jsonapi.registry import registry
from commerce.wsgi import application
from inventory.models import Sku
from markets.models import Bundle, SkuOption
from orders.models import Shipment
from tests import factories as f
from tests.checkout import run_checkout, seed_checkout_market
from tests.conftest import rel

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

MEDIA_TYPE = "application/vnd.api+json"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))  # per operation and mode
ONLY = os.environ.get("FUZZ_PATHS", "")  # a regex: fuzz only the matching paths (debugging)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def jsonapi_problems(response: Response) -> list[str]:
    """What makes this answer not a JSON:API document of our dialect (empty when it is one)."""
    if response.status_code == 204:
        return [] if not response.content else ["204 with a body"]
    content_type = response.headers.get("content-type", [""])[0]
    if not content_type.startswith(MEDIA_TYPE):
        return [f"content type {content_type!r}"]
    try:
        document = json.loads(response.content)
    except ValueError:
        return ["body is not JSON"]
    if not isinstance(document, dict) or not ({"data", "errors"} & set(document)):
        return ["no top-level data or errors"]
    if "errors" in document:
        errors = document["errors"]
        if not isinstance(errors, list) or not errors:
            return ["errors is not a non-empty list"]
        for error in errors:
            missing = {"status", "code", "title", "detail"} - set(error)
            if missing:
                return [f"error without {sorted(missing)}: {error}"]
            if error["status"] != str(response.status_code):
                return [f"error status {error['status']!r} on a {response.status_code}"]
    elif response.status_code >= 400:
        return [f"{response.status_code} with data"]
    return []


@pytest.fixture
def records(market, sales_channel):
    """A placed order (and all that hangs off it) and a pending cart, in the storefront's
    market."""
    ids = seed_checkout_market(market)
    run_checkout(sales_channel, ids["shipping_method"].public_id, ids["payment_method"].public_id)
    cart = sales_channel.create("orders", {"customer_email": "cart@example.com"}).json()
    line = sales_channel.create(
        "line_items",
        {"sku_code": "SKU-A", "quantity": 1},
        {"order": rel("orders", cart["data"]["id"])},
    ).json()
    wrap = SkuOption.objects.create(name="Gift wrap", price_amount_cents=300)
    # A customer group with a member, in no market (the storefront's market stays public).
    f.CustomerFactory(email="member@example.com", customer_group=f.CustomerGroupFactory())
    sales_channel.create(
        "line_item_options",
        {"quantity": 1, "options": {"paper": "red"}},
        {
            "line_item": rel("line_items", line["data"]["id"]),
            "sku_option": rel("sku_options", wrap.public_id),
        },
    )
    # A bundle of the market (catalog.md "Bundles"), on the cart too.
    kit = f.SkuListFactory(name="Kit")
    for position, (code, quantity) in enumerate((("SKU-A", 1), ("SKU-B", 2)), start=1):
        SkuListItem.objects.create(
            sku_list=kit, sku=Sku.objects.get(code=code), position=position, quantity=quantity
        )
    Bundle.objects.create(
        market=market,
        sku_list=kit,
        code="KIT",
        name="Kit",
        currency_code="USD",
        price_amount_cents=9000,
    )
    sales_channel.create(
        "line_items",
        {"bundle_code": "KIT", "quantity": 1},
        {"order": rel("orders", cart["data"]["id"])},
    )
    # A draft gift card with its recipient: the gift cards' PATCH bodies and triggers meet it.
    f.GiftCardFactory(status="draft", gift_card_recipient=f.GiftCardRecipientFactory())
    # A parcel of the placed order's shipment, packing a unit (shipping.md "Parcels").
    shipment = Shipment.objects.order_by("pk").first()
    package = f.PackageFactory(stock_location=shipment.stock_location)
    f.ParcelLineItemFactory(
        parcel=f.ParcelFactory(shipment=shipment, package=package),
        stock_line_item=shipment.stock_line_items.first(),
    )


def real_id(path: str) -> str | None:
    """A public id of the resource type `path` starts with (`/api/orders/{id}/...`), if any."""
    type_name = path.split("/")[2]
    resource = registry.get(type_name)
    if resource is None:
        return None
    return resource.base_queryset().order_by("pk").values_list("public_id", flat=True).first()


HUGE = 2**70  # beyond any 64-bit column
DEEP = 64  # levels of nesting, twice what the parser takes


def _nested(depth: int):
    value: object = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def include_loop(type_name: str) -> list[str]:
    """Include paths from `type_name` that loop back to it (`line_items.order.line_items`): one
    at the depth limit and one past it; empty when no relationship leads back."""
    resource = registry.get(type_name)
    for name, relationship in (resource.relationships() if resource else {}).items():
        for target in relationship.types:
            back = registry.get(target)
            for back_name, back_rel in (back.relationships() if back else {}).items():
                if type_name in back_rel.types:
                    return [f"{name}.{back_name}.{name}", f"{name}.{back_name}.{name}.{back_name}"]
    return []


def _integer_filter(type_name: str) -> str | None:
    resource = registry.get(type_name)
    if resource is None:
        return None
    fields = {f.name: f for f in resource.model._meta.concrete_fields}
    for name, orm_path in sorted(resource.filterable_fields().items()):
        field = fields.get(orm_path)
        if field is not None and field.get_internal_type().endswith("IntegerField"):
            return name
    return None


def _attributes(case) -> dict | None:
    body = case.body if isinstance(case.body, dict) else None
    data = body.get("data") if body else None
    if isinstance(data, dict):
        attributes = data.get("attributes")
        if not isinstance(attributes, dict):
            attributes = data["attributes"] = {}
        return attributes
    return None


def hostile_cases(case, type_name: str, collection_get: bool):
    """(label, mutated copy of case) for each hostile input that fits this operation."""

    def variant(label, change):
        mutated = case.derive(keep_auth=True)
        if isinstance(mutated.body, dict):
            mutated.body = copy.deepcopy(mutated.body)
        if change(mutated) is not False:
            yield label, mutated

    def query(**params):
        def change(c):
            c.query = {**(c.query or {}), **params}

        return change

    if "id" in (case.path_parameters or {}):

        def nul_id(c):
            c.path_parameters["id"] = f"{c.path_parameters['id']}\x00"

        yield from variant("NUL in the path", nul_id)
    yield from variant("NUL in include", query(include="line_items\x00"))
    for path in include_loop(type_name):
        yield from variant(f"include loop {path}", query(include=path))
    if collection_get:
        yield from variant("NUL in a filter", query(**{"filter[q][id_eq]": "a\x00b"}))
        yield from variant("huge page", query(**{"page[number]": str(2**63 - 1)}))
        yield from variant("huger page", query(**{"page[number]": str(HUGE)}))
        integer = _integer_filter(type_name)
        if integer:
            yield from variant(
                "huge integer filter", query(**{f"filter[q][{integer}_gt]": str(HUGE)})
            )
            yield from variant(
                "huge integer list", query(**{f"filter[q][{integer}_in]": f"1,{HUGE}"})
            )
    if _attributes(case) is None:
        return

    def nul_values(c):
        attributes = _attributes(c)
        strings = [k for k, v in attributes.items() if isinstance(v, str)]
        for name in strings:
            attributes[name] += "\x00"
        if not strings:
            attributes["metadata"] = {"note": "a\x00b"}

    def metadata(value):
        def change(c):
            _attributes(c)["metadata"] = value

        return change

    def huge_integers(c):
        attributes = _attributes(c)
        integers = [k for k, v in attributes.items() if isinstance(v, int | float)]
        for name in integers:
            attributes[name] = HUGE
        return bool(integers)

    yield from variant("NUL in attribute values", nul_values)
    yield from variant("NUL in a metadata key", metadata({"k\x00": "v"}))
    yield from variant("lone surrogates in metadata", metadata({"\ud800": "\udfff"}))
    yield from variant("deep JSON in metadata", metadata(_nested(DEEP)))
    yield from variant("integers beyond 64 bits", huge_integers)


def fuzz_operation(operation, token: str, failures: dict) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    examples = iter(range(10**9))

    type_name = operation.path.split("/")[2]
    collection_get = operation.method.upper() == "GET" and operation.path == f"/api/{type_name}"

    def exercise(case):
        if "id" in (case.path_parameters or {}) and next(examples) % 2:
            case.path_parameters["id"] = real_id(operation.path) or case.path_parameters["id"]
        mode = case.meta.generation.mode.value if case.meta else "?"
        check(case, f"{operation.label} ({mode})")
        if mode == GenerationMode.POSITIVE.value:
            for hostile, mutated in hostile_cases(case, type_name, collection_get):
                check(mutated, f"{operation.label} ({hostile})")

    def check(case, label):
        try:
            response = Response.from_any(case.call(headers=headers))
        except Exception as exc:  # the app raised: what a server answers with a 500
            curl = case.as_curl_command(headers=headers)
            failures.setdefault(f"{label} raised", f"{curl}\n-> {type(exc).__name__}: {exc}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup: keep one per op and mode
            failures.setdefault(label, f"{exc}"[:3000])
        problems = jsonapi_problems(response)
        if problems:
            failures.setdefault(
                f"{label} jsonapi",
                f"{case.as_curl_command(headers=headers)}\n-> {response.status_code}: {problems}",
            )

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception as exc:  # e.g. nothing to negate in an operation without inputs
            if mode is GenerationMode.POSITIVE:
                raise
            print(f"no negative cases for {operation.label}: {exc}")
            continue
        test = hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(case=strategy)(exercise))
        test()


def fuzz_all(token: str) -> dict:
    schema = schemathesis.openapi.from_wsgi("/api/schema", application)
    if ONLY:
        schema = schema.include(path_regex=ONLY)
    failures: dict[str, str] = {}
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz_operation(operation, token, failures)
        count += 1
    assert ONLY or count > 100  # every registered resource is in the schema (test_openapi.py)
    return failures


def report(failures: dict) -> str:
    return f"{len(failures)} failure(s):\n\n" + "\n\n".join(
        f"== {label}\n{text}" for label, text in sorted(failures.items())
    )


def test_fuzz_with_an_integration_token(integration, records):
    failures = fuzz_all(integration.token)
    assert not failures, report(failures)


def test_fuzz_with_a_sales_channel_token(sales_channel, records):
    failures = fuzz_all(sales_channel.token)
    assert not failures, report(failures)
