"""What an authenticated API request carries: `request.auth` is a TokenContext."""

from dataclasses import dataclass, field

INTEGRATION = "integration"
SALES_CHANNEL = "sales_channel"
CUSTOMER = "customer"


@dataclass(frozen=True)
class TokenContext:
    """The caller, as the access token describes it.

    `kind` is integration, sales_channel or customer (a customer token is issued to a sales
    channel through the password grant). `market_ids` are internal primary keys of the markets in
    scope; None means every market (an integration token without scope: `market:all`).
    """

    kind: str
    application_id: int
    client_id: str
    scope: str = ""
    market_ids: tuple[int, ...] | None = None
    stock_location_ids: tuple[int, ...] = field(default_factory=tuple)
    customer_id: int | None = None
    token_id: int | None = None

    @property
    def is_integration(self) -> bool:
        return self.kind == INTEGRATION

    @property
    def is_sales_channel(self) -> bool:
        return self.kind == SALES_CHANNEL

    @property
    def is_customer(self) -> bool:
        return self.kind == CUSTOMER

    @property
    def market_id(self) -> int | None:
        """The single market in scope (what storefront requests act in), else None."""
        if self.market_ids and len(self.market_ids) == 1:
            return self.market_ids[0]
        return None

    def can_see_market(self, market_id: int | None) -> bool:
        return self.market_ids is None or market_id in self.market_ids
