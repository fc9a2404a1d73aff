"""Contract fuzzing: schemathesis drives every operation of /api/schema in-process (WSGI).

With an integration token and, separately, a sales-channel token, hypothesis generates
path/query parameters and bodies (valid and invalid ones) for each operation. Every answer must
be no 5xx, conform to the schema (schemathesis' response checks) and be a JSON:API document in
our dialect: top-level `data` or `errors`, each error with status, code, title and detail,
served as application/vnd.api+json.

Records exist to be found: a whole guest checkout is run first (a placed order with its line
items, shipments, stock line items, reservations and authorization, plus a pending cart), and
every other example of an operation with an `{id}` asks for a real record of its resource type
(the others keep hypothesis' ids, mostly 404s), so PATCH bodies and triggers meet real rows.

Bounded and deterministic: FUZZ_EXAMPLES examples per operation and generation mode (small
default; `make fuzz` raises it), derandomized, no shrinking. All failures are collected and
reported together, one per operation and check.
"""

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

from commerce.jsonapi.registry import registry
from commerce.wsgi import application
from tests.checkout import run_checkout, seed_checkout_market
from tests.conftest import rel

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

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
    sales_channel.create(
        "line_items",
        {"sku_code": "SKU-A", "quantity": 1},
        {"order": rel("orders", cart["data"]["id"])},
    )


def real_id(path: str) -> str | None:
    """A public id of the resource type `path` starts with (`/api/orders/{id}/...`), if any."""
    type_name = path.split("/")[2]
    resource = registry.get(type_name)
    if resource is None:
        return None
    return resource.base_queryset().order_by("pk").values_list("public_id", flat=True).first()


def fuzz_operation(operation, token: str, failures: dict) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
    examples = iter(range(10**9))

    def exercise(case):
        if "id" in (case.path_parameters or {}) and next(examples) % 2:
            case.path_parameters["id"] = real_id(operation.path) or case.path_parameters["id"]
        label = f"{operation.label} ({case.meta.generation.mode.value if case.meta else '?'})"
        response = Response.from_any(case.call(headers=headers))
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
