"""The `external` shipping scheme (shipping.md "The `external` scheme"): the merchant's own URL
asked for a shipment's price, during a refresh of the order's figures (orders.services.
shipping_costs calls `external_price_cents` for each shipment whose method has this scheme;
listing available methods never does).

The call
- POSTs the shipment's JSON:API document, rendered as webhooks render theirs
  (commerce.webhooks.services.render_resource, an integration's reach, links to the public API),
  with `shipping_method` and `order` included, and also `shipping_address` and
  `stock_line_items`: what the price depends on (our addition: a merchant prices what ships and
  where without calling back). The method's `external_includes` add relationships of the
  shipment (`stock_line_items.sku`, `order.line_items` ...): each path our shipment resource
  serves is included, any other is ignored (not an error: the price still gets asked), and the
  whole is cut at the API's limit of include paths. The `shared_secret` attributes the
  integration reach would render are left out of the body: the key that signs it must not
  travel with it.
- is signed as webhooks are (`X-CommerceLayer-Signature` = base64 HMAC-SHA256 of the exact body
  with the method's `shared_secret`), goes through their SSRF guard (public addresses only,
  unless `WEBHOOK_ALLOW_PRIVATE_URLS`; no redirects) with their timeout
  (`WEBHOOK_TIMEOUT_SECONDS`).
- expects a 2xx with `{"success": true, "data": {"price_amount_cents": n}}`, n an integer
  (not a bool, not a float, not a string) from 0 to CENTS_MAX. `success` must be the JSON
  `true` (unlike external gateways, which also take `"true"`).

Anything else (no URL, a refused URL, a timeout, no connection, a non-2xx, an unreadable or
malformed answer, an open circuit) is the method's `price_amount_cents`, and the request goes
on: logged at warning level with the method's id, never the URL or a secret. Each call without
a good answer adds one to the method's `circuit_failure_count` (an F() increment, so concurrent
refreshes don't lose one); at `WEBHOOK_CIRCUIT_THRESHOLD` the circuit opens and the URL is not
called until `_reset_circuit` (markets.services.reset_circuit). A good answer resets the count.
The counting is kept should the request be refused (commerce.kept, as gateway calls are): the
merchant's URL failed whatever became of the request.

What it is asked again for: the answer is stored on the shipment (`external_price_cents`) with a
digest of what it depended on (`external_price_key`: the method's id and URL, the shipment's
stock line items' SKU codes and quantities, the order's shipping address fields). While the
digest is the same the stored answer is the price, without a call; a failed call stores
nothing, so the next refresh asks again.

When: any refresh of an editable order. shipping.md says draft or pending; an order being edited
is refreshed as a cart is (aftersale.md "Prices": shipping is recomputed by the ordinary refresh
on every change), so it asks too. A frozen order (placed and later) is never refreshed; asked
anyway, it answers its stored price (else the method's) without a call.

Queries: none for an order without an external method (this module is not called). Per external
shipment and refresh: its stock line items, unless the refresh has just planned them
(`current_stock_line_items`, planning.build_shipments) or they came prefetched, and the order's
shipping address unless it came with the order (the API's write path reads it). An unchanged
shipment stops there. A call costs its document's rendering, the answer's UPDATE of the shipment
and the circuit's count (one UPDATE). The call is made under
the order's row lock, so a slow URL holds that order (never others) for up to the timeout.
"""

import hashlib
import http.client
import json
import logging
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Case, F, Value, When

from commerce.exceptions import CommerceError
from commerce.jsonapi.query import INCLUDE_PATHS_MAX, parse_include
from commerce.jsonapi.registry import registry
from commerce.jsonapi.serializers import CENTS_MAX
from commerce.kept import keep_if_refused
from commerce.models import Address
from commerce.webhooks import ssrf
from commerce.webhooks.services import render_resource
from commerce.webhooks.signing import commercelayer_signature
from markets.models import ShippingMethod
from orders.models import Order, Shipment, StockLineItem
from orders.transitions import is_editable

logger = logging.getLogger(__name__)

USER_AGENT = "commerce-backend-shipping/1"
READ_LIMIT = 64 * 1024
# Always included in the document (see the module's docstring).
INCLUDES = ("shipping_method", "order", "shipping_address", "stock_line_items")

# Set while a document is rendered for a call: rendering must never ask again (a price shown
# inside the document comes from what is stored).
_asking: ContextVar[bool] = ContextVar("external_shipping_asking", default=False)


class NoPrice(Exception):
    """The URL gave no usable price; the message says why (logged)."""


def external_price_cents(order: Order, shipment: Shipment, method: ShippingMethod) -> int:
    """What `method` (scheme `external`) costs for `shipment`, before free-over rules: the
    URL's answer, else the method's `price_amount_cents`."""
    if not is_editable(order.status) or _asking.get():
        return _stored_or(shipment, method.price_amount_cents)
    key = price_key(method, stock_lines(shipment), order.shipping_address)
    if shipment.external_price_key == key and shipment.external_price_cents is not None:
        return shipment.external_price_cents
    if method.circuit_state == "open":
        return method.price_amount_cents
    if not method.external_prices_url:
        logger.warning("shipping method %s: external scheme without a URL", method.public_id)
        return method.price_amount_cents
    try:
        price = ask(order, shipment, method)
    except NoPrice as failure:
        logger.warning(
            "shipping method %s: no external price for shipment %s (%s); its price is used",
            method.public_id,
            shipment.public_id,
            failure,
        )
        count_failure(method)
        return method.price_amount_cents
    count_success(method)
    store_answer(shipment, key, price)
    return price


def _stored_or(shipment: Shipment, fallback: int) -> int:
    stored = shipment.external_price_cents
    return stored if stored is not None else fallback


def stock_lines(shipment: Shipment) -> list[tuple[str, int]]:
    """(sku code, quantity) of the shipment's stock line items, sorted: those the refresh just
    planned or prefetched, else one query."""
    current = getattr(shipment, "current_stock_line_items", None)
    if current is None and shipment.is_prefetched("stock_line_items"):
        current = shipment.stock_line_items.all()
    if current is not None:
        return sorted((sli.sku_code, sli.quantity) for sli in current)
    rows = StockLineItem.objects.filter(shipment_id=shipment.pk).values_list("sku_code", "quantity")
    return sorted(rows)


def price_key(method: ShippingMethod, lines, address) -> str:
    """The digest of what the URL's answer depends on (`external_price_key`)."""
    facts = {
        "method": [method.pk, method.external_prices_url],
        "lines": [list(line) for line in lines],
        "address": None
        if address is None
        else [getattr(address, name) for name in Address.DETAILS],
    }
    text = json.dumps(facts, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def ask(order: Order, shipment: Shipment, method: ShippingMethod) -> int:
    """POST the shipment's signed document to the method's URL: the price it answers, or
    NoPrice."""
    body = json.dumps(document(order, shipment, method), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/vnd.api+json",
        "X-CommerceLayer-Signature": commercelayer_signature(body, method.shared_secret),
        "User-Agent": USER_AGENT,
    }
    try:
        status, _, text = ssrf.post(
            method.external_prices_url,
            body,
            headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            read_limit=READ_LIMIT,
        )
    except ssrf.UnsafeURL as exc:
        raise NoPrice(f"refused URL: {exc}") from None
    except TimeoutError:
        raise NoPrice("timeout") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise NoPrice(f"connection: {exc.__class__.__name__}") from None
    return answered_price(status, text)


def answered_price(status: int, text: bytes) -> int:
    """The price of a good answer, else NoPrice."""
    if not 200 <= status < 300:
        raise NoPrice(f"http {status}")
    try:
        answer = json.loads(text)
    except ValueError:
        raise NoPrice("unreadable answer") from None
    if not isinstance(answer, dict) or answer.get("success") is not True:
        raise NoPrice("no success")
    data = answer.get("data")
    price = data.get("price_amount_cents") if isinstance(data, dict) else None
    # type() and not isinstance(): a JSON true is a Python bool, an int.
    if type(price) is not int or not 0 <= price <= CENTS_MAX:
        raise NoPrice("no integer price_amount_cents >= 0")
    return price


def document(order: Order, shipment: Shipment, method: ShippingMethod) -> dict:
    """The shipment's JSON:API document as sent, without shared secrets. The order in it is the
    order as the refresh holds it (a new shipping address, an email), not as last written: the
    refresh writes it once its figures are done. A failure to render it (a bug of ours) is
    NoPrice; a database error is not caught (the transaction is lost)."""
    token = _asking.set(True)
    try:
        rendered = render_resource(
            "shipments", shipment.public_id, includes(method), known={"order": _as_held(order)}
        )
    except DatabaseError:
        raise
    except Exception as exc:
        logger.warning("shipping method %s: the document failed", method.public_id, exc_info=True)
        raise NoPrice(f"document: {exc.__class__.__name__}") from None
    finally:
        _asking.reset(token)
    for resource in [rendered.get("data"), *rendered.get("included", ())]:
        if isinstance(resource, dict):
            resource.get("attributes", {}).pop("shared_secret", None)
    return rendered


def _as_held(order: Order) -> Order:
    """A copy of `order`'s columns as the refresh holds them, without what it has read along
    (its related records are read again by id): rendering reads its includes into the copy,
    never into the order the request goes on with."""
    names = [field.attname for field in Order._meta.concrete_fields]
    return Order.from_db(order._state.db, names, [getattr(order, name) for name in names])


def includes(method: ShippingMethod) -> list[str]:
    """INCLUDES, then each of the method's `external_includes` that the shipments resource
    serves, up to the API's limit of include paths."""
    paths = list(INCLUDES)
    extra = method.external_includes if isinstance(method.external_includes, list) else []
    for path in extra:
        if len(paths) >= INCLUDE_PATHS_MAX:
            break
        if not isinstance(path, str) or path in paths:
            continue
        try:
            parse_include(path, registry, "shipments")
        except CommerceError:
            continue
        paths.append(path)
    return paths


def store_answer(shipment: Shipment, key: str, price: int) -> None:
    """Keep the answer and its digest: one UPDATE, none when both are already stored."""
    if (shipment.external_price_key, shipment.external_price_cents) == (key, price):
        return
    shipment.external_price_key, shipment.external_price_cents = key, price
    Shipment.objects.filter(pk=shipment.pk).update(
        external_price_key=key, external_price_cents=price
    )


def count_failure(method: ShippingMethod) -> None:
    """One more call without an answer, and the circuit open once the count reaches the
    webhooks' threshold: one UPDATE (its right-hand sides read the row as it was, so a
    concurrent count is never lost)."""
    threshold = settings.WEBHOOK_CIRCUIT_THRESHOLD

    def write():
        ShippingMethod.objects.filter(pk=method.pk).update(
            circuit_failure_count=F("circuit_failure_count") + 1,
            circuit_state=Case(
                When(circuit_failure_count__gte=threshold - 1, then=Value("open")),
                default=F("circuit_state"),
            ),
        )

    write()
    keep_if_refused(write)
    # As the row now is, unless another request counted too.
    method.circuit_failure_count += 1
    if method.circuit_failure_count >= threshold:
        method.circuit_state = "open"


def count_success(method: ShippingMethod) -> None:
    """A good answer: the failures so far are forgotten (one UPDATE, matching no row when there
    were none)."""
    method.circuit_failure_count = 0
    rows = ShippingMethod.objects.filter(pk=method.pk, circuit_failure_count__gt=0)

    def write():
        rows.update(circuit_failure_count=0)

    write()
    keep_if_refused(write)
