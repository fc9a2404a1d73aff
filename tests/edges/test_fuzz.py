"""Contract fuzzing: schemathesis drives every operation of /api/schema in-process (WSGI).

With an integration token and, separately, a sales-channel token, hypothesis generates
path/query parameters and bodies (valid and invalid ones) for each operation. Every answer must
be no 5xx, conform to the schema (schemathesis' response checks) and be a JSON:API document in
our dialect: top-level `data` or `errors`, each error with status, code, title and detail,
served as application/vnd.api+json.

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

from commerce.wsgi import application

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


def fuzz_operation(operation, token: str, failures: dict) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}

    def exercise(case):
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


def test_fuzz_with_an_integration_token(integration):
    failures = fuzz_all(integration.token)
    assert not failures, report(failures)


def test_fuzz_with_a_sales_channel_token(sales_channel):
    failures = fuzz_all(sales_channel.token)
    assert not failures, report(failures)
