"""A stateful fake of the Stripe API that the test suite owns: a loopback HTTP server answering
the calls a card gateway makes (PaymentIntents with separate authorisation and capture, refunds,
Customers and saved cards, webhook endpoints, balance) in Stripe's shapes, driven by the
official `stripe` library.
Standard library only; no Django.

Pointing a client at it (stripe 16.x; `client.v1.<resource>` is the spelling there, the bare
`client.payment_intents` still works but warns that it is deprecated)::

    import requests
    import stripe

    from tests.payments.fake_stripe import FakeStripe

    with FakeStripe() as fake:
        session = requests.Session()
        session.trust_env = False  # no HTTP(S)_PROXY from the environment for 127.0.0.1
        client = stripe.StripeClient(
            fake.key,  # or any key of FakeStripe(keys={...})
            base_addresses={"api": fake.url},
            max_network_retries=0,  # the StripeClient default; 2 retries the same key
            http_client=stripe.RequestsClient(timeout=5, session=session),
        )
        intent = client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "usd", "capture_method": "manual"},
            options={"idempotency_key": "order-1-authorize"},  # also "stripe_account": "acct_.."
        )
        fake.confirm(intent.id, card="visa")  # what Stripe.js does in the shopper's browser
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 700})

How the library behaves against it (read from stripe 16.1's source):

- HTTP client: `requests` when it imports (it is a dependency of `stripe`, so in practice
  always), else pycurl, else urllib. The per-request timeout is `RequestsClient(timeout=...)`
  (seconds; default 80; a `(connect, read)` tuple works too); `UrllibClient` has no timeout at
  all. A read timeout raises `stripe.APIConnectionError` with `should_retry=True`.
- Retries: `StripeClient(max_network_retries=None)` means no retries (the global
  `stripe.max_network_retries = 2` applies only to the legacy global-key API). With retries,
  connection errors, timeouts, 409s and 5xx are retried (sleeping 0.5 s, then 0.5-1 s, 1-2 s,
  ... up to 5 s: `stripe.HTTPClient.INITIAL_DELAY` / `MAX_DELAY`) unless the answer says
  `Stripe-Should-Retry: false`, which this fake sends with its 500s (the library expects it
  on 500s Stripe's idempotency layer would only replay).
- Idempotency keys: the library adds a random `Idempotency-Key` to every POST that has none, and
  its retries reuse the same headers, so a retried POST is replayed here, never done twice;
  `options={"idempotency_key": ...}` sets it.

The fake:

- `fake.url`, `fake.key`, `fake.stop()` (a context manager too); `FakeStripe(keys={...})`.
- `fake.confirm(pi_id, card="visa"|"mastercard"|"amex"|"declined"|"insufficient_funds")` does
  what Stripe.js would; through the API, `payment_method` takes those cards' test tokens
  (`pm_card_visa`, `pm_card_chargeDeclined`, ... see TEST_PAYMENT_METHODS) or a `pm_...` id.
- Customers (`POST /v1/customers`, `GET /v1/customers/:id`) and saved cards, with Stripe's
  rules: an intent's `customer` must exist; a PaymentMethod charged for an intent with a
  `customer` and `setup_future_usage` is attached to that customer (its `customer`), and pays
  again only with that `customer` (e.g. `confirm=true, off_session=true`); one charged (or
  declined) without being attached is spent and refused thereafter.
- `fake.fail_next(target, mode, delay=None, times=1)`: the next request(s) matching `target`
  (an operation name such as "payment_intents.capture", or a path prefix starting with "/")
  fail with `mode`: "decline" (402 card_error; a confirm declines the card for real), "500"
  (Stripe's api_error, nothing done, stored under the idempotency key), "timeout" (the work is
  done and stored, the answer waits `delay` seconds, `fake.timeout_delay` by default) or
  "timeout_before" (waits, does nothing, closes the connection without an answer). `stop()`
  ends the waits at once.
- `fake.requests`: every request as a LoggedRequest (method, path, params, headers, operation,
  status, replayed, injected); `fake.calls("payment_intents.capture")` filters it.
- `fake.get(id)`, `fake.all("payment_intent")`: copies of the state.
- `fake.event(type, object_id)` -> the raw body of a Stripe Event; `fake.sign(body, secret)` ->
  its `Stripe-Signature` header; `fake.webhook_secret(we_id)` -> an endpoint's `whsec_...`.

Deliberate simplifications: a charge's `amount_refunded` counts refunds only (a partial capture
or a cancel releases the rest of the authorisation without showing it there); metadata and a few
descriptive fields may be updated in any status, like Stripe, but amount, currency and the
payment method only before the authorisation; validation errors (missing, unknown or malformed
parameters) are not stored under the idempotency key, like Stripe; objects are scoped to the
`Stripe-Account` they were created under.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import http.server
import json
import random
import re
import string
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

DEFAULT_KEY = "sk_test_fake4eC39HqLyjWDarjtT1zdp7dc"

# Cards a test can pay with: the PaymentMethod's `card` details, and the decline they cause.
CARDS: dict[str, dict[str, Any]] = {
    "visa": {"brand": "visa", "last4": "4242", "funding": "credit", "decline_code": None},
    "mastercard": {
        "brand": "mastercard",
        "last4": "4444",
        "funding": "credit",
        "decline_code": None,
    },
    "amex": {"brand": "amex", "last4": "8431", "funding": "credit", "decline_code": None},
    "declined": {
        "brand": "visa",
        "last4": "0002",
        "funding": "credit",
        "decline_code": "generic_decline",
    },
    "insufficient_funds": {
        "brand": "visa",
        "last4": "9995",
        "funding": "credit",
        "decline_code": "insufficient_funds",
    },
}

# Stripe's test PaymentMethod tokens, accepted wherever a `payment_method` is.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "visa",
    "pm_card_mastercard": "mastercard",
    "pm_card_amex": "amex",
    "pm_card_chargeDeclined": "declined",
    "pm_card_visa_chargeDeclined": "declined",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "insufficient_funds",
}

FAILURE_MODES = ("decline", "500", "timeout", "timeout_before")

CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
# Fields that change what is authorised: refused once an authorisation exists.
AMOUNT_FIELDS = (
    "amount",
    "currency",
    "payment_method",
    "payment_method_types",
    "capture_method",
    "setup_future_usage",
)
REUSED_PAYMENT_METHOD = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer "
    "attachment, shared with a connected account without Customer attachment, or was detached "
    "from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must "
    "attach it to a Customer first."
)
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}

_ALNUM = string.ascii_letters + string.digits


class LoggedRequest(NamedTuple):
    method: str
    path: str
    params: dict
    headers: dict  # Idempotency-Key, Stripe-Account, Stripe-Version, Authorization, Content-Type
    operation: str | None  # "payment_intents.capture", ...; None for an unknown route
    status: int | None  # None: no answer (timeout_before)
    replayed: bool  # answered from the idempotency store
    injected: str | None  # the fail_next mode applied to it


class FakeStripeError(Exception):
    """An error answer in Stripe's shape. `store`: kept under the idempotency key (False for
    validation errors, which Stripe does not store)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        store: bool = True,
        headers: dict | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.store = store
        self.headers = headers or {}
        self.extra = extra

    def error(self) -> dict:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return error


def _invalid(message, *, code=None, param=None, store=False, status=400) -> FakeStripeError:
    return FakeStripeError(status, message, code=code, param=param, store=store)


def _unexpected_state(message: str) -> FakeStripeError:
    return FakeStripeError(400, message, code="payment_intent_unexpected_state")


def _missing(kind: str, object_id: str, *, param: str | None = None, status: int = 404):
    return FakeStripeError(
        status,
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param or "id",
    )


# --- form bodies ------------------------------------------------------------------------------

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_FREE_FORM = ("metadata",)  # hashes whose keys are the caller's (digits stay keys)


def parse_form(text: str) -> dict:
    """A form body (or query string) in Stripe's bracket notation as nested dicts and lists:
    `metadata[order_id]=1` -> {"metadata": {"order_id": "1"}}, `types[0]=card` and
    `types[]=card` -> {"types": ["card"]}. Values stay strings, as Stripe receives them."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _FORM_KEY.match(key)
        parts = [match.group(1), *_BRACKETS.findall(match.group(2))] if match else [key]
        node = root
        for i, part in enumerate(parts):
            if part == "":
                part = str(len(node))  # `[]` appends
            if i == len(parts) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return _listify(root)


def _listify(node, free_form=False):
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value, key in _FREE_FORM) for key, value in node.items()}
    if node and not free_form and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def mask_key(key: str) -> str:
    """`sk_test_abcdef1234` -> `sk_test_******1234`, as Stripe quotes a key it refuses."""
    match = re.match(r"^((?:sk|rk|pk)_(?:test|live)_)?(.*)$", key, re.S)
    prefix, rest = match.group(1) or "", match.group(2)
    if len(rest) <= 4:
        return prefix + rest
    return prefix + "*" * (len(rest) - 4) + rest[-4:]


# --- parameter checks -------------------------------------------------------------------------


def _allow(params: dict, allowed: Iterable[str]) -> None:
    allowed = {*allowed, "expand"}
    for name in params:
        if name not in allowed:
            raise _invalid(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )


def _integer(params: dict, name: str, *, required=False, minimum: int | None = None):
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise _invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)
        return None
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise _invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=name)
    number = int(value)
    if minimum is not None and number < minimum:
        raise _invalid(
            f"This value must be greater than or equal to {minimum}.",
            code="parameter_invalid_integer",
            param=name,
        )
    return number


def _boolean(params: dict, name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise _invalid(f"Invalid boolean: {value}", param=name)
    return value == "true"


def _string(params: dict, name: str, *, required=False, choices=None):
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise _invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)
        return None
    if not isinstance(value, str):
        raise _invalid(f"Invalid string: {value!r}", param=name)
    if choices is not None and value not in choices:
        raise _invalid(f"Invalid {name}: must be one of {', '.join(choices)}", param=name)
    return value


def _currency(params: dict, *, required=False):
    value = _string(params, "currency", required=required)
    if value is not None and not re.fullmatch(r"[A-Za-z]{3}", value):
        raise _invalid(f"Invalid currency: {value}.", param="currency")
    return value.lower() if value is not None else None


def _string_list(params: dict, name: str):
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(f"Invalid array: {name}", param=name)
    return value


def _merge_metadata(current: dict, value) -> dict:
    """Stripe's metadata update: keys set, a key sent blank removed, `metadata=""` clears."""
    if value is None:
        return current
    if value == "":
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _invalid("Invalid hash", param="metadata")
    merged = dict(current)
    for key, item in value.items():
        if len(key) > 40 or len(item) > 500:
            raise _invalid(
                "Metadata keys can be up to 40 characters and values up to 500.",
                param=f"metadata[{key}]",
            )
        if item == "":
            merged.pop(key, None)
        else:
            merged[key] = item
    if len(merged) > 50:
        raise _invalid("Metadata can have up to 50 keys.", param="metadata")
    return merged


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency.upper()}"


# --- the server -------------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int | None  # None: close without answering
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class _Stored:
    fingerprint: tuple
    status: int
    body: bytes
    headers: dict
    request_id: str


@dataclass
class _Injection:
    target: str
    mode: str
    delay: float | None


@dataclass
class _Context:
    account: str | None
    decline: bool = False  # an injected decline for the card this request processes


ROUTES: list[tuple[str, re.Pattern, str]] = [
    (method, re.compile(f"^{pattern}$"), operation)
    for method, pattern, operation in [
        ("GET", r"/v1/balance", "balance.retrieve"),
        ("POST", r"/v1/customers", "customers.create"),
        ("GET", r"/v1/customers/([^/]+)", "customers.retrieve"),
        ("POST", r"/v1/payment_intents", "payment_intents.create"),
        ("GET", r"/v1/payment_intents/([^/]+)", "payment_intents.retrieve"),
        ("POST", r"/v1/payment_intents/([^/]+)", "payment_intents.update"),
        ("POST", r"/v1/payment_intents/([^/]+)/confirm", "payment_intents.confirm"),
        ("POST", r"/v1/payment_intents/([^/]+)/capture", "payment_intents.capture"),
        ("POST", r"/v1/payment_intents/([^/]+)/cancel", "payment_intents.cancel"),
        ("GET", r"/v1/charges/([^/]+)", "charges.retrieve"),
        ("GET", r"/v1/payment_methods/([^/]+)", "payment_methods.retrieve"),
        ("POST", r"/v1/refunds", "refunds.create"),
        ("GET", r"/v1/refunds/([^/]+)", "refunds.retrieve"),
        ("POST", r"/v1/webhook_endpoints", "webhook_endpoints.create"),
        ("GET", r"/v1/webhook_endpoints/([^/]+)", "webhook_endpoints.retrieve"),
        ("DELETE", r"/v1/webhook_endpoints/([^/]+)", "webhook_endpoints.delete"),
        ("GET", r"/v1/events/([^/]+)", "events.retrieve"),
    ]
]
OPERATIONS = frozenset(operation for _, _, operation in ROUTES)

# Object kinds by id prefix: (object name, the name Stripe's "No such ..." uses).
KINDS = {
    "cus": ("customer", "customer"),
    "pi": ("payment_intent", "payment_intent"),
    "ch": ("charge", "charge"),
    "pm": ("payment_method", "PaymentMethod"),
    "re": ("refund", "refund"),
    "we": ("webhook_endpoint", "webhook endpoint"),
    "evt": ("event", "event"),
}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):  # a client that gave up: not an error
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "nginx"
    timeout = 30  # seconds a client may take to send its request

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        fake: FakeStripe = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = fake._handle(method, self.path, self.headers, body)
        if answer.delay and fake._stopping.wait(answer.delay):
            self.close_connection = True
            return
        if answer.status is None:
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:  # the client timed out and left
            self.close_connection = True


class FakeStripe:
    """Stripe's API on http://127.0.0.1:<ephemeral port> (see the module's docstring)."""

    def __init__(
        self,
        keys: Iterable[str] | None = None,
        *,
        timeout_delay: float = 10.0,
        seed: int | None = None,
    ):
        self.keys = set(keys) if keys is not None else {DEFAULT_KEY}
        for key in self.keys:
            if not key.startswith(("sk_", "rk_")):
                raise ValueError(f"a secret (sk_) or restricted (rk_) key, not {key!r}")
        self.key = DEFAULT_KEY if DEFAULT_KEY in self.keys else sorted(self.keys)[0]
        self.timeout_delay = timeout_delay
        self.requests: list[LoggedRequest] = []
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._objects: dict[str, dict] = {}  # id -> object, in creation order
        self._owners: dict[str, str | None] = {}  # id -> Stripe-Account it was created under
        self._declines: dict[str, str | None] = {}  # payment method id -> its decline code
        self._used: set[str] = set()  # payment methods charged without being attached: spent
        self._secrets: dict[str, str] = {}  # webhook endpoint id -> its signing secret
        self._idempotency: dict[tuple, _Stored] = {}
        self._injections: list[_Injection] = []
        self._api_version: str | None = None

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-stripe",
            daemon=True,
        )
        self._thread.start()

    # --- lifecycle ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop serving; requests held by an injected timeout are dropped at once."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FakeStripe:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- test-side helpers --------------------------------------------------------------------

    def fail_next(
        self, target: str, mode: str, *, delay: float | None = None, times: int = 1
    ) -> None:
        """The next `times` requests matching `target` (an operation name, or a path prefix
        starting with "/") fail with `mode` (see the module's docstring). Consumed in order,
        one per matching request; a replay from the idempotency store consumes none."""
        if mode not in FAILURE_MODES:
            raise ValueError(f"mode must be one of {FAILURE_MODES}, not {mode!r}")
        if not target.startswith("/") and target not in OPERATIONS:
            raise ValueError(f"unknown operation {target!r}: one of {sorted(OPERATIONS)}")
        with self._lock:
            self._injections.extend(_Injection(target, mode, delay) for _ in range(times))

    def confirm(self, intent_id: str, card: str = "visa") -> dict:
        """Confirm a PaymentIntent with a card, as Stripe.js does in the shopper's browser
        (not logged in `requests`). Returns the intent: `requires_capture` (manual capture) or
        `succeeded`, or after a decline `requires_payment_method` with `last_payment_error`.
        Raises FakeStripeError when the intent cannot be confirmed."""
        if card not in CARDS:
            raise ValueError(f"card must be one of {sorted(CARDS)}, not {card!r}")
        with self._lock:
            intent = self._objects.get(intent_id)
            if intent is None or intent["object"] != "payment_intent":
                raise _missing("payment_intent", intent_id)
            self._check_confirmable(intent)
            method = self._new_payment_method(card, self._owners[intent_id])
            try:
                self._authorise(intent, method, _Context(self._owners[intent_id]))
            except FakeStripeError as error:
                if error.type != "card_error":
                    raise
            return copy.deepcopy(intent)

    def get(self, object_id: str) -> dict:
        """A copy of any object the fake holds (KeyError if none)."""
        with self._lock:
            return copy.deepcopy(self._objects[object_id])

    def all(self, object_name: str) -> list[dict]:
        """Copies of the objects of one kind ("payment_intent", "refund", ...), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(obj) for obj in self._objects.values() if obj["object"] == object_name
            ]

    def calls(self, target: str) -> list[LoggedRequest]:
        """The logged requests of an operation name, or under a path prefix ("/...")."""
        with self._lock:
            return [
                request
                for request in self.requests
                if request.operation == target
                or (target.startswith("/") and request.path.startswith(target))
            ]

    def event(self, type: str, object_id: str) -> bytes:
        """The raw body Stripe would POST to a webhook endpoint: an Event of `type` whose
        `data.object` is the object's current state (also retrievable at /v1/events/:id)."""
        with self._lock:
            obj = copy.deepcopy(self._objects[object_id])
            event = {
                "id": self._id("evt"),
                "object": "event",
                "api_version": self._api_version,
                "created": int(time.time()),
                "data": {"object": obj},
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": type,
            }
            account = self._owners[object_id]
            if account:
                event["account"] = account
            self._store(event, account)
            return json.dumps(event, indent=2).encode()

    @staticmethod
    def sign(body: bytes | str, secret: str, timestamp: int | None = None) -> str:
        """A `Stripe-Signature` header for `body`: t=<ts>,v1=<HMAC-SHA256 of "<ts>.<body>">."""
        if isinstance(body, str):
            body = body.encode()
        timestamp = int(time.time()) if timestamp is None else int(timestamp)
        signed = f"{timestamp}.".encode() + body
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    # --- requests -----------------------------------------------------------------------------

    def _handle(self, method: str, target: str, headers, body: bytes) -> _Answer:
        request_id = self._id("req", 14)
        split = urlsplit(target)
        path = split.path
        params = parse_form(split.query)
        if method == "POST":
            params.update(parse_form(body.decode("utf-8", "replace")))
        account = headers.get("Stripe-Account") or None
        idempotency_key = headers.get("Idempotency-Key") if method == "POST" else None
        logged_headers = {
            name: headers[name]
            for name in (
                "Idempotency-Key",
                "Stripe-Account",
                "Stripe-Version",
                "Authorization",
                "Content-Type",
            )
            if headers.get(name) is not None
        }
        operation, args = None, ()
        for route_method, pattern, route_operation in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                operation, args = route_operation, match.groups()
                break

        with self._lock:

            def log(status, *, replayed=False, injected=None):
                self.requests.append(
                    LoggedRequest(
                        method, path, params, logged_headers, operation, status, replayed, injected
                    )
                )

            answer_headers = {"Request-Id": request_id}
            if headers.get("Stripe-Version"):
                self._api_version = headers["Stripe-Version"]
                answer_headers["Stripe-Version"] = headers["Stripe-Version"]
            if idempotency_key:
                answer_headers["Idempotency-Key"] = idempotency_key

            try:
                api_key = self._authenticate(headers.get("Authorization"))
            except FakeStripeError as error:
                log(error.status)
                return self._error_answer(error, answer_headers, request_id)

            scope = (api_key, account, idempotency_key)
            stored = self._idempotency.get(scope) if idempotency_key else None
            if stored is not None:
                if stored.fingerprint != (method, path, params):
                    error = FakeStripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with. Try using a key other than "
                        f"'{idempotency_key}' if you meant to execute a different request.",
                        type="idempotency_error",
                        store=False,
                    )
                    log(400)
                    return self._error_answer(error, answer_headers, request_id)
                log(stored.status, replayed=True)
                return _Answer(
                    stored.status,
                    stored.body,
                    {
                        **answer_headers,
                        **stored.headers,
                        "Idempotent-Replayed": "true",
                        "Original-Request": stored.request_id,
                    },
                )

            injection = self._take_injection(operation, path)
            mode = injection.mode if injection else None
            delay = (
                injection.delay if injection and injection.delay is not None else self.timeout_delay
            )
            if mode == "timeout_before":
                log(None, injected=mode)
                return _Answer(None, delay=delay)

            context = _Context(account)
            try:
                if operation is None:
                    raise FakeStripeError(
                        404,
                        f"Unrecognized request URL ({method}: {path}). Please see "
                        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
                        store=False,
                    )
                if mode == "500":
                    raise FakeStripeError(
                        500,
                        "An unknown error occurred",
                        type="api_error",
                        headers={"Stripe-Should-Retry": "false"},
                    )
                if mode == "decline":
                    if self._processes_card(operation, params):
                        context.decline = True
                    else:
                        raise self._card_error("generic_decline")
                handler = getattr(self, "_op_" + operation.replace(".", "_"))
                payload = handler(context, params, *args)
                status, store, extra_headers = 200, True, {}
            except FakeStripeError as error:
                status, payload, store = error.status, {"error": error.error()}, error.store
                extra_headers = error.headers
            if status >= 400 and "error" in payload and payload["error"]["type"] != "api_error":
                payload["error"]["request_log_url"] = (
                    f"https://dashboard.stripe.com/test/logs/{request_id}?t={int(time.time())}"
                )
            body = json.dumps(payload, indent=2).encode()
            if idempotency_key and store:
                self._idempotency[scope] = _Stored(
                    (method, path, params), status, body, extra_headers, request_id
                )
            log(status, injected=mode)
            return _Answer(
                status,
                body,
                {**answer_headers, **extra_headers},
                delay=delay if mode == "timeout" else 0.0,
            )

    def _error_answer(self, error: FakeStripeError, headers: dict, request_id: str) -> _Answer:
        extra = {"WWW-Authenticate": 'Basic realm="Stripe"'} if error.status == 401 else {}
        body = json.dumps({"error": error.error()}, indent=2).encode()
        return _Answer(error.status, body, {**headers, **error.headers, **extra})

    def _authenticate(self, authorization: str | None) -> str:
        key = None
        if authorization:
            scheme, _, credentials = authorization.partition(" ")
            if scheme.lower() == "bearer":
                key = credentials.strip()
            elif scheme.lower() == "basic":
                try:
                    key = base64.b64decode(credentials).decode().partition(":")[0]
                except ValueError:
                    key = credentials
        if not key:
            raise FakeStripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        if key not in self.keys:
            raise FakeStripeError(401, f"Invalid API Key provided: {mask_key(key)}")
        return key

    def _take_injection(self, operation: str | None, path: str) -> _Injection | None:
        for i, injection in enumerate(self._injections):
            if injection.target == operation or (
                injection.target.startswith("/") and path.startswith(injection.target)
            ):
                return self._injections.pop(i)
        return None

    @staticmethod
    def _processes_card(operation: str, params: dict) -> bool:
        if operation == "payment_intents.confirm":
            return True
        return (
            operation == "payment_intents.create"
            and params.get("confirm") == "true"
            and bool(params.get("payment_method"))
        )

    # --- state --------------------------------------------------------------------------------

    def _id(self, prefix: str, length: int = 24) -> str:
        return f"{prefix}_" + "".join(self._random.choice(_ALNUM) for _ in range(length))

    def _store(self, obj: dict, account: str | None) -> dict:
        self._objects[obj["id"]] = obj
        self._owners[obj["id"]] = account
        return obj

    def _find(self, object_id: str, account: str | None, *, param: str | None = None) -> dict:
        """The object with that id under that account, else Stripe's resource_missing (404 for
        an id in the path, 400 for one in a parameter)."""
        label = KINDS.get(object_id.partition("_")[0], ("object", "object"))[1]
        obj = self._objects.get(object_id)
        if obj is None or self._owners[object_id] != account:
            raise _missing(label, object_id, param=param, status=400 if param else 404)
        return obj

    def _find_kind(self, object_id: str, account, object_name: str, **kwargs) -> dict:
        obj = self._find(object_id, account, **kwargs)
        if obj["object"] != object_name:
            label = next((lb for name, lb in KINDS.values() if name == object_name), object_name)
            raise _missing(label, object_id, **kwargs)
        return obj

    def _render(self, obj: dict, params: dict, account: str | None) -> dict:
        """A copy of `obj` with `expand[]` paths (`latest_charge`, `latest_charge.
        payment_method`, ...) replaced by the objects they name."""
        rendered = copy.deepcopy(obj)
        expand = params.get("expand") or []
        if isinstance(expand, str):
            expand = [expand]
        for path in expand:
            self._expand(rendered, path.split("."), account)
        return rendered

    def _expand(self, node: dict, parts: list[str], account) -> None:
        if not isinstance(node, dict) or parts[0] not in node:
            raise _invalid(f"This property cannot be expanded ({parts[0]}).", param="expand")
        value = node[parts[0]]
        if isinstance(value, str) and value in self._objects:
            value = node[parts[0]] = copy.deepcopy(self._find(value, account))
        if len(parts) > 1 and value is not None:
            self._expand(value, parts[1:], account)

    def _new_payment_method(self, card: str, account: str | None) -> dict:
        details = CARDS[card]
        method = {
            "id": self._id("pm"),
            "object": "payment_method",
            "billing_details": {
                "address": None,
                "email": None,
                "name": None,
                "phone": None,
            },
            "card": {
                "brand": details["brand"],
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "US",
                "exp_month": 12,
                "exp_year": time.gmtime().tm_year + 3,
                "fingerprint": "".join(self._random.choice(_ALNUM) for _ in range(16)),
                "funding": details["funding"],
                "last4": details["last4"],
                "networks": {"available": [details["brand"]], "preferred": None},
            },
            "created": int(time.time()),
            "customer": None,
            "livemode": False,
            "metadata": {},
            "type": "card",
        }
        self._declines[method["id"]] = details["decline_code"]
        return self._store(method, account)

    def _payment_method(self, value: str, account: str | None) -> dict:
        """A `payment_method` parameter: a test token makes a new PaymentMethod, like Stripe."""
        if value in TEST_PAYMENT_METHODS:
            return self._new_payment_method(TEST_PAYMENT_METHODS[value], account)
        return self._find_kind(value, account, "payment_method", param="payment_method")

    def _customer(self, value: str | None, account: str | None) -> str | None:
        """A `customer` parameter: the id of a Customer of that account, else Stripe's 400."""
        if value is None:
            return None
        customer = self._objects.get(value)
        if customer is None or customer["object"] != "customer" or self._owners[value] != account:
            raise _missing("customer", value, param="customer", status=400)
        return value

    def _check_usable(self, method: dict, customer: str | None) -> None:
        """Stripe's reuse rules: a PaymentMethod attached to a Customer pays only with that
        `customer`; one charged without being attached is spent."""
        owner = method["customer"]
        if owner is not None and customer is None:
            raise FakeStripeError(
                400,
                f"The `payment_method` parameter supplied {method['id']} belongs to the Customer "
                f"{owner}. Please include the Customer in the `customer` parameter on the "
                "PaymentIntent.",
                param="payment_method",
            )
        if owner is not None and owner != customer:
            raise FakeStripeError(
                400,
                f"The customer does not have a payment method with the ID {method['id']}. The "
                "payment method must be attached to the customer.",
                param="payment_method",
            )
        if owner is None and method["id"] in self._used:
            raise FakeStripeError(400, REUSED_PAYMENT_METHOD, param="payment_method")

    def _card_error(self, decline_code: str, **extra) -> FakeStripeError:
        return FakeStripeError(
            402,
            DECLINE_MESSAGES.get(decline_code, "Your card was declined."),
            type="card_error",
            code="card_declined",
            decline_code=decline_code,
            **extra,
        )

    @staticmethod
    def _check_confirmable(intent: dict) -> None:
        if intent["status"] not in CONFIRMABLE:
            raise _unexpected_state(
                "You cannot confirm this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be confirmed: {', '.join(CONFIRMABLE)}."
            )

    def _authorise(self, intent: dict, method: dict, context: _Context) -> None:
        """Charge `method` for `intent`: authorised (requires_capture) or captured (succeeded),
        or declined (a failed charge; the intent back to requires_payment_method, 402). A method
        not attached to a Customer is then spent, unless the intent has a `customer` and
        `setup_future_usage` and succeeds: then it is attached to that customer."""
        now = int(time.time())
        decline_code = self._declines.get(method["id"])
        if context.decline and decline_code is None:
            decline_code = "generic_decline"
        manual = intent["capture_method"] == "manual"
        charge = {
            "id": self._id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": 0,
            "amount_refunded": 0,
            "billing_details": method["billing_details"],
            "captured": False,
            "created": now,
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "outcome": {
                "network_status": "approved_by_network",
                "reason": None,
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            },
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": method["id"],
            "payment_method_details": {
                "card": {
                    key: method["card"][key]
                    for key in ("brand", "country", "exp_month", "exp_year", "funding", "last4")
                },
                "type": "card",
            },
            "receipt_email": intent["receipt_email"],
            "refunded": False,
            "status": "succeeded",
        }
        self._store(charge, self._owners[intent["id"]])
        intent["latest_charge"] = charge["id"]
        if method["customer"] is None:
            if decline_code is None and intent["customer"] and intent["setup_future_usage"]:
                method["customer"] = intent["customer"]  # saved for the customer's next payment
            else:
                self._used.add(method["id"])
        if decline_code is not None:
            message = DECLINE_MESSAGES.get(decline_code, "Your card was declined.")
            charge.update(
                paid=False,
                status="failed",
                failure_code="card_declined",
                failure_message=message,
                outcome={
                    "network_status": "declined_by_network",
                    "reason": decline_code,
                    "risk_level": "normal",
                    "seller_message": "The bank did not return any further details.",
                    "type": "issuer_declined",
                },
            )
            last_error = self._card_error(
                decline_code, charge=charge["id"], payment_method=copy.deepcopy(method)
            ).error()
            intent.update(
                status="requires_payment_method",
                payment_method=None,
                amount_capturable=0,
                last_payment_error=last_error,
            )
            raise self._card_error(
                decline_code,
                charge=charge["id"],
                payment_method=copy.deepcopy(method),
                payment_intent=copy.deepcopy(intent),
            )
        intent.update(payment_method=method["id"], last_payment_error=None)
        if manual:
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
        else:
            charge.update(captured=True, amount_captured=intent["amount"])
            intent.update(status="succeeded", amount_received=intent["amount"])

    # --- operations: (context, params, *path ids) -> object -----------------------------------

    def _op_balance_retrieve(self, context, params):
        _allow(params, ())
        available: dict[str, int] = {}
        for obj in self._objects.values():
            if obj["object"] == "charge" and self._owners[obj["id"]] == context.account:
                net = obj["amount_captured"] - obj["amount_refunded"]
                available[obj["currency"]] = available.get(obj["currency"], 0) + net
        funds = [
            {"amount": amount, "currency": currency, "source_types": {"card": amount}}
            for currency, amount in sorted((available or {"usd": 0}).items())
        ]
        return {
            "object": "balance",
            "available": funds,
            "livemode": False,
            "pending": [{**fund, "amount": 0, "source_types": {"card": 0}} for fund in funds],
        }

    def _op_customers_create(self, context, params):
        _allow(params, ("email", "name", "description", "phone", "metadata"))
        customer = {
            "id": self._id("cus", 14),
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": int(time.time()),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": _string(params, "description"),
            "discount": None,
            "email": _string(params, "email"),
            "invoice_prefix": "".join(
                self._random.choice(string.ascii_uppercase + string.digits) for _ in range(8)
            ),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": _merge_metadata({}, params.get("metadata")),
            "name": _string(params, "name"),
            "next_invoice_sequence": 1,
            "phone": _string(params, "phone"),
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        self._store(customer, context.account)
        return self._render(customer, params, context.account)

    def _op_customers_retrieve(self, context, params, customer_id):
        _allow(params, ())
        customer = self._find_kind(customer_id, context.account, "customer")
        return self._render(customer, params, context.account)

    def _op_payment_intents_create(self, context, params):
        _allow(
            params,
            (
                "amount",
                "currency",
                "capture_method",
                "metadata",
                "payment_method_types",
                "automatic_payment_methods",
                "receipt_email",
                "customer",
                "payment_method",
                "confirm",
                "setup_future_usage",
                "description",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "return_url",
                "off_session",
                "payment_method_options",
                "shipping",
                "transfer_group",
            ),
        )
        amount = _integer(params, "amount", required=True, minimum=1)
        currency = _currency(params, required=True)
        capture_method = (
            _string(params, "capture_method", choices=("automatic", "automatic_async", "manual"))
            or "automatic_async"
        )
        confirm = _boolean(params, "confirm")
        _boolean(params, "off_session")
        metadata = _merge_metadata({}, params.get("metadata"))
        types = _string_list(params, "payment_method_types")
        automatic = params.get("automatic_payment_methods")
        if automatic is not None:
            if not isinstance(automatic, dict):
                raise _invalid("Invalid hash", param="automatic_payment_methods")
            _allow(automatic, ("enabled", "allow_redirects"))
            enabled = _boolean(automatic, "enabled")
            if enabled and types is not None:
                raise _invalid(
                    "You may only specify one of these parameters: automatic_payment_methods, "
                    "payment_method_types.",
                    code="parameters_exclusive",
                    param="automatic_payment_methods",
                )
            automatic = {
                "enabled": enabled,
                "allow_redirects": automatic.get("allow_redirects") or "always",
            }
        elif types is None:
            automatic = {"enabled": True, "allow_redirects": "always"}
        setup_future_usage = _string(
            params, "setup_future_usage", choices=("on_session", "off_session")
        )
        if confirm and not params.get("payment_method"):
            raise _invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "To confirm the PaymentIntent with cus_..., specify a payment method attached "
                "to this customer along with the customer ID.",
                code="payment_intent_unexpected_state",
            )
        customer = self._customer(_string(params, "customer"), context.account)
        method = (
            self._payment_method(params["payment_method"], context.account)
            if params.get("payment_method")
            else None
        )
        if method:
            self._check_usable(method, customer)
        intent_id = self._id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": automatic,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture_method,
            "client_secret": f"{intent_id}_secret_"
            + "".join(self._random.choice(_ALNUM) for _ in range(25)),
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency,
            "customer": customer,
            "description": _string(params, "description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata,
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": method["id"] if method else None,
            "payment_method_options": params.get("payment_method_options") or {},
            "payment_method_types": types if types is not None else ["card"],
            "processing": None,
            "receipt_email": _string(params, "receipt_email"),
            "setup_future_usage": setup_future_usage,
            "shipping": params.get("shipping") or None,
            "statement_descriptor": _string(params, "statement_descriptor"),
            "statement_descriptor_suffix": _string(params, "statement_descriptor_suffix"),
            "status": "requires_confirmation" if method else "requires_payment_method",
            "transfer_data": None,
            "transfer_group": _string(params, "transfer_group"),
        }
        self._store(intent, context.account)
        if confirm:
            self._authorise(intent, method, context)
        return self._render(intent, params, context.account)

    def _op_payment_intents_retrieve(self, context, params, intent_id):
        _allow(params, ("client_secret",))
        intent = self._find_kind(intent_id, context.account, "payment_intent")
        return self._render(intent, params, context.account)

    def _op_payment_intents_update(self, context, params, intent_id):
        _allow(
            params,
            (
                "amount",
                "currency",
                "metadata",
                "description",
                "receipt_email",
                "customer",
                "payment_method",
                "payment_method_types",
                "capture_method",
                "setup_future_usage",
                "shipping",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "transfer_group",
            ),
        )
        intent = self._find_kind(intent_id, context.account, "payment_intent")
        changing = [name for name in AMOUNT_FIELDS if name in params]
        updatable = ("requires_payment_method", "requires_confirmation", "requires_action")
        if changing and intent["status"] not in updatable:
            raise _unexpected_state(
                f"This PaymentIntent's {changing[0]} could not be updated because it has a "
                f"status of {intent['status']}. You may only update the {changing[0]} of a "
                f"PaymentIntent with one of the following statuses: {', '.join(updatable)}."
            )
        changes: dict[str, Any] = {}
        if "amount" in params:
            changes["amount"] = _integer(params, "amount", required=True, minimum=1)
        if "currency" in params:
            changes["currency"] = _currency(params, required=True)
        if "capture_method" in params:
            changes["capture_method"] = _string(
                params,
                "capture_method",
                required=True,
                choices=("automatic", "automatic_async", "manual"),
            )
        if "payment_method_types" in params:
            changes["payment_method_types"] = _string_list(params, "payment_method_types")
            changes["automatic_payment_methods"] = None
        if "setup_future_usage" in params:
            changes["setup_future_usage"] = _string(
                params, "setup_future_usage", choices=("on_session", "off_session")
            )
        if "customer" in params:
            customer = _string(params, "customer")
            if intent["customer"] and customer != intent["customer"]:
                raise FakeStripeError(
                    400,
                    "You cannot modify `customer` on a PaymentIntent once it already has been "
                    "set. To fulfill a payment with a different Customer, cancel this "
                    "PaymentIntent and create a new one.",
                    param="customer",
                )
            changes["customer"] = self._customer(customer, context.account)
        for name in (
            "description",
            "receipt_email",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "transfer_group",
        ):
            if name in params:
                changes[name] = _string(params, name)
        if "shipping" in params:
            changes["shipping"] = params["shipping"] or None
        changes["metadata"] = _merge_metadata(intent["metadata"], params.get("metadata"))
        if params.get("payment_method"):
            method = self._payment_method(params["payment_method"], context.account)
            self._check_usable(method, changes.get("customer", intent["customer"]))
            changes["payment_method"] = method["id"]
            changes["status"] = "requires_confirmation"
        intent.update(changes)
        return self._render(intent, params, context.account)

    def _op_payment_intents_confirm(self, context, params, intent_id):
        _allow(
            params,
            (
                "payment_method",
                "return_url",
                "receipt_email",
                "setup_future_usage",
                "off_session",
                "payment_method_options",
                "use_stripe_sdk",
                "capture_method",
                "shipping",
                "mandate_data",
            ),
        )
        intent = self._find_kind(intent_id, context.account, "payment_intent")
        self._check_confirmable(intent)
        if "capture_method" in params:
            intent["capture_method"] = _string(
                params,
                "capture_method",
                required=True,
                choices=("automatic", "automatic_async", "manual"),
            )
        if params.get("payment_method"):
            method = self._payment_method(params["payment_method"], context.account)
        elif intent["payment_method"]:
            method = self._objects[intent["payment_method"]]
        else:
            raise _invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "You can either update the PaymentIntent with a payment method and then "
                "confirm it again, or confirm it again directly with a payment method.",
                code="payment_intent_unexpected_state",
            )
        self._check_usable(method, intent["customer"])
        if "setup_future_usage" in params:
            intent["setup_future_usage"] = _string(
                params, "setup_future_usage", choices=("on_session", "off_session")
            )
        if params.get("receipt_email"):
            intent["receipt_email"] = params["receipt_email"]
        self._authorise(intent, method, context)
        return self._render(intent, params, context.account)

    def _op_payment_intents_capture(self, context, params, intent_id):
        _allow(
            params,
            (
                "amount_to_capture",
                "metadata",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "final_capture",
            ),
        )
        intent = self._find_kind(intent_id, context.account, "payment_intent")
        if intent["status"] != "requires_capture":
            raise _unexpected_state(
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                "may be captured: requires_capture."
            )
        amount = _integer(params, "amount_to_capture", minimum=1)
        if amount is None:
            amount = intent["amount_capturable"]
        if amount > intent["amount_capturable"]:
            raise FakeStripeError(
                400,
                "The amount to capture must be less than or equal to the amount capturable "
                f"({intent['amount_capturable']}).",
                code="amount_too_large",
                param="amount_to_capture",
            )
        metadata = _merge_metadata(intent["metadata"], params.get("metadata"))
        charge = self._objects[intent["latest_charge"]]
        charge.update(captured=True, amount_captured=amount)
        intent.update(
            status="succeeded", amount_received=amount, amount_capturable=0, metadata=metadata
        )
        return self._render(intent, params, context.account)

    def _op_payment_intents_cancel(self, context, params, intent_id):
        _allow(params, ("cancellation_reason",))
        intent = self._find_kind(intent_id, context.account, "payment_intent")
        reason = _string(
            params,
            "cancellation_reason",
            choices=("duplicate", "fraudulent", "requested_by_customer", "abandoned"),
        )
        if intent["status"] not in CANCELABLE:
            raise _unexpected_state(
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be canceled: {', '.join(CANCELABLE)}."
            )
        intent.update(
            status="canceled",
            canceled_at=int(time.time()),
            cancellation_reason=reason,
            amount_capturable=0,
        )
        return self._render(intent, params, context.account)

    def _op_charges_retrieve(self, context, params, charge_id):
        _allow(params, ())
        charge = self._find_kind(charge_id, context.account, "charge")
        return self._render(charge, params, context.account)

    def _op_payment_methods_retrieve(self, context, params, method_id):
        _allow(params, ())
        method = self._find_kind(method_id, context.account, "payment_method")
        return self._render(method, params, context.account)

    def _op_refunds_create(self, context, params):
        _allow(
            params,
            ("payment_intent", "charge", "amount", "reason", "metadata", "instructions_email"),
        )
        amount = _integer(params, "amount", minimum=1)
        reason = _string(
            params, "reason", choices=("duplicate", "fraudulent", "requested_by_customer")
        )
        metadata = _merge_metadata({}, params.get("metadata"))
        if params.get("charge"):
            charge = self._find_kind(params["charge"], context.account, "charge", param="charge")
            intent = self._objects[charge["payment_intent"]]
        elif params.get("payment_intent"):
            intent = self._find_kind(
                params["payment_intent"], context.account, "payment_intent", param="payment_intent"
            )
            charge = self._objects.get(intent["latest_charge"] or "")
        else:
            raise _invalid(
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        if intent["status"] != "succeeded" or charge is None or not charge["captured"]:
            raise _unexpected_state(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund."
            )
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise FakeStripeError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        if amount is None:
            amount = remaining
        if amount > remaining:
            raise FakeStripeError(
                400,
                f"Refund amount ({_money(amount, charge['currency'])}) is greater than "
                f"unrefunded amount on charge ({_money(remaining, charge['currency'])})",
                code="amount_too_large",
                param="amount",
            )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "destination_details": {"card": {"type": "refund"}, "type": "card"},
            "metadata": metadata,
            "payment_intent": intent["id"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
        self._store(refund, context.account)
        return self._render(refund, params, context.account)

    def _op_refunds_retrieve(self, context, params, refund_id):
        _allow(params, ())
        refund = self._find_kind(refund_id, context.account, "refund")
        return self._render(refund, params, context.account)

    def _op_webhook_endpoints_create(self, context, params):
        _allow(
            params,
            ("url", "enabled_events", "description", "metadata", "api_version", "connect"),
        )
        url = _string(params, "url", required=True)
        if not re.match(r"^https?://[^/\s]+", url):
            raise _invalid(f"Invalid URL: {url}", code="url_invalid", param="url")
        events = _string_list(params, "enabled_events")
        if not events:
            raise _invalid(
                "Missing required param: enabled_events.",
                code="parameter_missing",
                param="enabled_events",
            )
        endpoint = {
            "id": self._id("we"),
            "object": "webhook_endpoint",
            "api_version": _string(params, "api_version"),
            "application": None,
            "created": int(time.time()),
            "description": _string(params, "description"),
            "enabled_events": events,
            "livemode": False,
            "metadata": _merge_metadata({}, params.get("metadata")),
            "status": "enabled",
            "url": url,
        }
        self._store(endpoint, context.account)
        secret = "whsec_" + "".join(self._random.choice(_ALNUM) for _ in range(32))
        self._secrets[endpoint["id"]] = secret
        return {**self._render(endpoint, params, context.account), "secret": secret}

    def _op_webhook_endpoints_retrieve(self, context, params, endpoint_id):
        _allow(params, ())
        endpoint = self._find_kind(endpoint_id, context.account, "webhook_endpoint")
        return self._render(endpoint, params, context.account)

    def _op_webhook_endpoints_delete(self, context, params, endpoint_id):
        _allow(params, ())
        self._find_kind(endpoint_id, context.account, "webhook_endpoint")
        del self._objects[endpoint_id]
        del self._owners[endpoint_id]
        return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}

    def _op_events_retrieve(self, context, params, event_id):
        _allow(params, ())
        event = self._find_kind(event_id, context.account, "event")
        return self._render(event, params, context.account)

    def snapshot(self):
        """Everything Stripe holds now, for `restore` (a test that undoes its database work
        undoes Stripe's with it)."""
        with self._lock:
            return copy.deepcopy(
                (
                    self._objects,
                    self._owners,
                    self._declines,
                    self._used,
                    self._secrets,
                    self._idempotency,
                )
            )

    def restore(self, state) -> None:
        with self._lock:
            (
                self._objects,
                self._owners,
                self._declines,
                self._used,
                self._secrets,
                self._idempotency,
            ) = copy.deepcopy(state)

    def webhook_secret(self, endpoint_id: str) -> str:
        """The signing secret of a webhook endpoint created through the API."""
        with self._lock:
            return self._secrets[endpoint_id]


def main(info_file: str) -> None:
    """`python -m tests.payments.fake_stripe INFO_FILE` (scripts/sdk-tests.sh): serve until
    SIGTERM or SIGINT, having written `{"url": ..., "key": ...}` to INFO_FILE once listening."""
    import os
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with FakeStripe() as fake:
        partial = f"{info_file}.partial"
        with open(partial, "w") as out:
            json.dump({"url": fake.url, "key": fake.key}, out)
        os.replace(partial, info_file)  # whole, or not there yet
        stop.wait()


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
