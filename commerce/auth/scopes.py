"""Token scopes: `market:code:<code>`, `market:id:<id>`, `stock_location:code:<code>`,
`stock_location:id:<id>`, space-separated (api.md section 7), and `market:all` for an integration.

`parse_scope` checks the syntax (no database); `resolve_scope` looks the markets and stock
locations up through the finders their apps register at start-up (`register_scope_finder`, from
markets' and inventory's AppConfig.ready), so the kernel never imports or names those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass

from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL
from commerce.auth.exceptions import InvalidScope

MARKET = "market"
STOCK_LOCATION = "stock_location"
ALL_MARKETS = "market:all"
_RESOURCES = (MARKET, STOCK_LOCATION)
_KEYS = ("code", "id")


@dataclass(frozen=True)
class ScopeItem:
    resource: str  # market or stock_location
    key: str  # code or id (the public id)
    value: str

    def __str__(self) -> str:
        return f"{self.resource}:{self.key}:{self.value}"


@dataclass(frozen=True)
class ParsedScope:
    items: tuple[ScopeItem, ...] = ()
    all_markets: bool = False

    @property
    def markets(self) -> tuple[ScopeItem, ...]:
        return tuple(i for i in self.items if i.resource == MARKET)

    @property
    def stock_locations(self) -> tuple[ScopeItem, ...]:
        return tuple(i for i in self.items if i.resource == STOCK_LOCATION)

    def __str__(self) -> str:
        if self.all_markets:
            return ALL_MARKETS
        return " ".join(str(i) for i in self.items)


# market -> finder(item, *, enabled_only) -> ScopedMarket;
# stock_location -> finder(item, markets) -> ScopedStockLocation. Both raise InvalidScope.
_FINDERS: dict[str, Callable] = {}


def register_scope_finder(resource: str, finder: Callable) -> None:
    """The app that owns `resource` (market or stock_location) says how to find one by code or
    id: called from its AppConfig.ready."""
    if resource not in _RESOURCES:
        raise ValueError(f"unknown scope resource {resource!r}")
    _FINDERS[resource] = finder


def parse_scope(scope: str | None) -> ParsedScope:
    """Split and check a scope string. Duplicates are dropped; order is kept."""
    items: list[ScopeItem] = []
    all_markets = False
    for word in (scope or "").split():
        if word == ALL_MARKETS:
            all_markets = True
            continue
        resource, _, rest = word.partition(":")
        key, _, value = rest.partition(":")
        if resource not in _RESOURCES or key not in _KEYS or not value:
            raise InvalidScope(
                f"The requested scope is invalid, unknown, or malformed: {word!r} is not one of "
                "market:code:<code>, market:id:<id>, stock_location:code:<code>, "
                "stock_location:id:<id>."
            )
        item = ScopeItem(resource, key, value)
        if item not in items:
            items.append(item)
    if all_markets and items:
        raise InvalidScope(f"{ALL_MARKETS} cannot be combined with other scopes.")
    return ParsedScope(tuple(items), all_markets)


@dataclass(frozen=True)
class ScopedMarket:
    id: int
    public_id: str
    code: str | None
    price_list_id: str | None  # public id
    stock_location_ids: tuple[int, ...]  # the market's inventory model's, by priority
    stock_location_public_ids: tuple[str, ...]
    # A private market's customer group (internal id): only its customers get its tokens.
    customer_group_id: int | None = None

    @property
    def private(self) -> bool:
        return self.customer_group_id is not None


@dataclass(frozen=True)
class ScopedStockLocation:
    id: int
    public_id: str
    code: str | None


@dataclass(frozen=True)
class ResolvedScope:
    """A scope checked against the database. `markets` None: every market (`market:all`)."""

    scope: str
    markets: tuple[ScopedMarket, ...] | None
    stock_locations: tuple[ScopedStockLocation, ...] = ()

    @property
    def market_ids(self) -> tuple[int, ...] | None:
        return None if self.markets is None else tuple(m.id for m in self.markets)

    @property
    def stock_location_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.stock_locations)


def resolve_scope(scope: str | None, *, kind: str) -> ResolvedScope:
    """Resolve a scope for a token of `kind` (integration, sales_channel or customer).

    Integration: no scope (or `market:all`) is every market; any number of markets otherwise.
    Sales channel and customer: exactly one enabled market. A stock location must belong to
    the inventory model of a market in scope. Anything else: InvalidScope (400).
    """
    parsed = parse_scope(scope)
    if kind not in (INTEGRATION, SALES_CHANNEL, CUSTOMER):
        raise ValueError(f"unknown token kind {kind!r}")
    if not parsed.markets:
        if parsed.stock_locations:
            raise InvalidScope("A stock location in scope requires its market in scope.")
        if kind == INTEGRATION:
            return ResolvedScope(ALL_MARKETS, None)
        raise InvalidScope("A sales channel needs a market in scope (market:code:<code>).")
    if kind != INTEGRATION and len(parsed.markets) > 1:
        raise InvalidScope("A sales channel token is scoped to one market.")

    find_market, find_stock_location = _FINDERS[MARKET], _FINDERS[STOCK_LOCATION]
    markets = tuple(find_market(item, enabled_only=kind != INTEGRATION) for item in parsed.markets)
    locations = tuple(find_stock_location(item, markets) for item in parsed.stock_locations)
    return ResolvedScope(str(parsed), _unique(markets), _unique(locations))


def resolve_client_scope(requested: str | None, client_scope: str, *, kind: str) -> ResolvedScope:
    """The scope of a token an API client asks for: `requested`, else the client's own scope.

    A client created with a scope may ask only within it (an allow-list, limits.md §7): every
    market it asks for must be one of the client's, and when the client's scope names stock
    locations, the request must name stock locations among them. Asking for a market without
    naming the client's stock locations would widen the token, so it is refused too. A client
    created without a scope (or with `market:all`) may ask for any market. Outside the list:
    InvalidScope (400 `invalid_scope`), as for a market that does not exist.
    """
    resolved = resolve_scope(requested or client_scope, kind=kind)
    allowed = parse_scope(client_scope)
    if not requested or allowed.all_markets or not allowed.items:
        return resolved
    markets_allowed = resolved.markets is not None and all(
        _named(market, allowed.markets) for market in resolved.markets
    )
    locations_allowed = not allowed.stock_locations or (
        bool(resolved.stock_locations)
        and all(_named(location, allowed.stock_locations) for location in resolved.stock_locations)
    )
    if not (markets_allowed and locations_allowed):
        raise InvalidScope(
            f"The requested scope is invalid: {requested} is not within this API client's scope."
        )
    return resolved


def _named(record: ScopedMarket | ScopedStockLocation, items: tuple[ScopeItem, ...]) -> bool:
    """Whether one of `items` names `record`, by code or by id."""
    return any(
        item.value == (record.public_id if item.key == "id" else record.code) for item in items
    )


def _unique(values: tuple) -> tuple:
    # market:code:usa and market:id:<usa's id> name the same market: keep it once.
    seen, out = set(), []
    for value in values:
        if value.id not in seen:
            seen.add(value.id)
            out.append(value)
    return tuple(out)
