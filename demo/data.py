"""The demo data of demo.md, built idempotently (`python manage.py seed_demo`, `make run`).

The data is declared in the constants below and written by one small function per part
(`seed_catalog`, `seed_markets`, `seed_stock` ...), run in order by `seed_demo()` inside one
transaction. Every record is looked up by its natural key (a code, a name within its parent,
the pair it links) and created when missing, or brought back to the demo's values when they
drifted; an unchanged record is not written at all, so a second run changes nothing.

To extend the demo (taxes, promotions, customers ...), add constants and a `seed_<part>(demo)`
function and append it to `STEPS`; look records made by earlier steps up in `demo` (e.g.
`demo.markets["usa"]`, `demo.skus["24-WB01"]`) and write through `demo.ensure(...)`.

This module builds data only; the DEBUG guard lives in the management command, so tests may
build the same demo (they run with DEBUG off).
"""

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.db import models, transaction

from commerce.auth.exceptions import InvalidClient
from commerce.auth.services import authenticate_client, create_api_client
from commerce.models import Address, ApiClient
from commerce.services import save_record
from inventory.models import (
    InventoryModel,
    InventoryStockLocation,
    ShippingCategory,
    Sku,
    StockItem,
    StockLocation,
)
from inventory.services import create_stock_location
from markets.models import (
    Coupon,
    CouponCodesPromotionRule,
    DeliveryLeadTime,
    ExternalGateway,
    ManualGateway,
    ManualTaxCalculator,
    Market,
    Merchant,
    PaymentMethod,
    Price,
    PriceList,
    Promotion,
    ShippingMethod,
    ShippingWeightTier,
    ShippingZone,
    StripeGateway,
    TaxRule,
)
from markets.services import create_market
from orders.models import Customer
from orders.services.customers import create_customer
from orders.services.gateways import create_stripe_gateway
from returns.models import InventoryReturnLocation

# --- the data (demo.md) -------------------------------------------------------------------------

MERCHANT = {
    "name": "Demo Store",
    "address": {
        "company": "Demo Store",
        "line_1": "1 Main Street",
        "city": "Boston",
        "zip_code": "02108",
        "state_code": "MA",
        "country_code": "US",
        "phone": "+1 617 555 0100",
        "email": "store@example.com",
    },
}

SHIPPING_CATEGORIES = [{"code": "merchandise", "name": "Merchandise"}]

# Weights in grams (demo.md gives kilograms; `unit_of_weight` has gr, oz, lb).
SKUS = [
    {
        "code": "24-WB01",
        "name": "Voyage Yoga Bag",
        "weight": 500.0,
        "unit_of_weight": "gr",
        "shipping_category": "merchandise",
    },
    {
        "code": "24-WB03",
        "name": "Driven Backpack",
        "weight": 1000.0,
        "unit_of_weight": "gr",
        "shipping_category": "merchandise",
    },
    {
        "code": "240-LV06",
        "name": "Quest Lumaflex Band",
        "weight": 200.0,
        "unit_of_weight": "gr",
        "shipping_category": "merchandise",
    },
    # Issue 23 (the drop-in.js storefront): a SKU priced in the USD list with no stock item at
    # all (demo.md's stock table stays as it is), so a shopper in usa sees "out of stock" and a
    # disabled button. Not "24-...": the CLI tests count the demo's `24-` SKUs.
    {
        "code": "25-UB02",
        "name": "Impulse Duffle",
        "weight": 1300.0,
        "unit_of_weight": "gr",
        "shipping_category": "merchandise",
    },
    {
        "code": "GIFTCARD-50",
        "name": "Gift card",
        "do_not_ship": True,
        "do_not_track": True,
        "shipping_category": None,
    },
]

STOCK_LOCATIONS = [
    {
        "code": "ne_wh",
        "name": "New England warehouse",
        "address": {
            "company": "New England warehouse",
            "line_1": "100 Summer Street",
            "city": "Boston",
            "zip_code": "02110",
            "state_code": "MA",
            "country_code": "US",
            "phone": "+1 617 555 0101",
        },
    },
    {
        "code": "brooklyn",
        "name": "Brooklyn store",
        "address": {
            "company": "Brooklyn store",
            "line_1": "200 Bedford Avenue",
            "city": "New York",
            "zip_code": "11249",
            "state_code": "NY",
            "country_code": "US",
            "phone": "+1 718 555 0102",
        },
    },
    {
        "code": "milan",
        "name": "Milan warehouse",
        "address": {
            "company": "Milan warehouse",
            "line_1": "Via Tortona 31",
            "city": "Milano",
            "zip_code": "20144",
            "state_code": "MI",
            "country_code": "IT",
            "phone": "+39 02 555 0103",
        },
    },
]

# Quantity on hand per location and SKU.
STOCK = {
    "ne_wh": {"24-WB01": 35, "24-WB03": 100, "240-LV06": 0},
    "brooklyn": {"24-WB01": 100, "24-WB03": 0, "240-LV06": 100},
    "milan": {"24-WB01": 50, "24-WB03": 50, "240-LV06": 50},
}

MARKETS = [
    {
        "code": "usa",
        "name": "USA",
        "price_list": {
            "code": "usd-list",
            "name": "USD list",
            "currency_code": "USD",
            "tax_included": False,
        },
        "prices": {
            "24-WB01": 3200,
            "24-WB03": 3600,
            "240-LV06": 2200,
            "25-UB02": 7400,
            "GIFTCARD-50": 5000,
        },
        # Issue 23: a price with a compare-at amount (drop-in.js shows it struck through).
        "compare_at": {"24-WB03": 4500},
        "inventory_model": {
            "name": "US stock",
            "strategy": "split_shipments",
            "stock_locations_cutoff": 2,
        },
        "stock_locations": {"ne_wh": 1, "brooklyn": 2},
        # Where returns go back (aftersale.md §3), so that a return works out of the box.
        "return_locations": {"ne_wh": 1},
    },
    {
        "code": "eu",
        "name": "Europe",
        "price_list": {
            "code": "eur-list",
            "name": "EUR list",
            "currency_code": "EUR",
            "tax_included": True,
        },
        "prices": {"24-WB01": 3000, "24-WB03": 3500, "240-LV06": 2000, "GIFTCARD-50": 5000},
        "inventory_model": {
            "name": "EU stock",
            "strategy": "no_split",
            "stock_locations_cutoff": None,
        },
        "stock_locations": {"milan": 1},
        "return_locations": {"milan": 1},
    },
]

# Zones (shipping.md "Shipping zones": unanchored searches, so each pattern anchors itself).
# "US mainland" is the 48 contiguous states and DC: the US without Hawaii and Alaska, which
# "Hawaii and Alaska" holds (the US territories have country codes of their own).
SHIPPING_ZONES = [
    {
        "name": "US mainland",
        "country_code_regex": "^US$",
        "not_state_code_regex": "^(HI|AK)$",
    },
    {"name": "Hawaii and Alaska", "country_code_regex": "^US$", "state_code_regex": "^(HI|AK)$"},
]

# Issue 21: "Standard" stays a flat $7.00 free over $100 (the README's walkthrough, $69.93,
# ships from Boston to a mainland address), "Express" stays $20.00; both now ship to the
# mainland only. "Heavy" (weight tiers in lb) is what Hawaii and Alaska get; "Corriere" has no
# zone.
SHIPPING_METHODS = [
    {
        "market": "usa",
        "name": "Standard",
        "price_amount_cents": 700,
        "free_over_amount_cents": 10000,
        "shipping_category": "merchandise",
        "shipping_zone": "US mainland",
    },
    {
        "market": "usa",
        "name": "Express",
        "price_amount_cents": 2000,
        "free_over_amount_cents": None,
        "shipping_category": "merchandise",
        "shipping_zone": "US mainland",
    },
    {
        "market": "usa",
        "name": "Heavy",
        "scheme": "weight_tiered",
        "unit_of_weight": "lb",
        "price_amount_cents": 2500,
        "free_over_amount_cents": None,
        "shipping_category": "merchandise",
        "shipping_zone": "Hawaii and Alaska",
        # (name, up_to in lb, price in cents): a weight equal to up_to takes that tier.
        "tiers": [("Up to 2 lb", 2, 2500), ("Up to 10 lb", 10, 4500), ("Over 10 lb", None, 8000)],
    },
    {
        "market": "eu",
        "name": "Corriere",
        "price_amount_cents": 1200,
        "free_over_amount_cents": None,
        "shipping_category": "merchandise",
        "shipping_zone": None,
    },
]

# Issue 23: how long each usa method takes from each usa location, in hours (a SKU's `inventory`
# lists them per stock level; drop-in.js's cl-availability shows the cheapest method's days):
# Boston ships Standard in 3-5 days, Brooklyn in 2-4.
DELIVERY_LEAD_TIMES = [
    # (stock location, market, shipping method, min hours, max hours)
    ("ne_wh", "usa", "Standard", 72, 120),
    ("ne_wh", "usa", "Express", 24, 48),
    ("ne_wh", "usa", "Heavy", 120, 240),
    ("brooklyn", "usa", "Standard", 48, 96),
    ("brooklyn", "usa", "Express", 24, 48),
    ("brooklyn", "usa", "Heavy", 120, 240),
]

MANUAL_GATEWAY = {"name": "Manual gateway"}

PAYMENT_METHODS = [
    {
        "market": "usa",
        "name": "Wire transfer",
        "payment_source_type": "wire_transfers",
        "price_amount_cents": 0,
    },
    {
        "market": "eu",
        "name": "Bonifico bancario",
        "payment_source_type": "wire_transfers",
        "price_amount_cents": 0,
    },
]

# Rates are fractions (demo.md); one rule per market, applying to every address.
TAX_CALCULATORS = [
    {
        "market": "usa",
        "name": "US sales tax",
        "rule": {"name": "US 8.25%", "tax_rate": Decimal("0.0825"), "freight_taxable": True},
    },
    {
        "market": "eu",
        "name": "IVA Italia",
        "rule": {"name": "Italy 22%", "tax_rate": Decimal("0.22"), "freight_taxable": True},
    },
]

# Fixed dates keep the demo idempotent; "active now" for any plausible now.
PROMOTION_WINDOW = {
    "starts_at": datetime(2024, 1, 1, tzinfo=UTC),
    "expires_at": datetime(2099, 12, 31, tzinfo=UTC),
}

PROMOTIONS = [
    {
        "market": "usa",
        "kind": "percentage_discount_promotions",
        "name": "Welcome 10% off",
        "percentage": Decimal("10"),
        "coupon": "WELCOME10",
    },
    {
        "market": "usa",
        "kind": "free_shipping_promotions",
        "name": "Free shipping",
        "percentage": None,
        "coupon": "FREESHIP",
    },
]

CUSTOMER = {"email": "demo@example.com", "password": "demo-password"}

# Fixed credentials (demo data only: the command refuses to run with DEBUG off).
API_CLIENTS = [
    {
        "kind": "integration",
        "name": "Demo integration",
        "client_id": "demo-integration",
        "client_secret": "demo-integration-secret",
        "scope": "",
    },
    {
        "kind": "sales_channel",
        "name": "Demo storefront (USA)",
        "client_id": "demo-sc-usa",
        "scope": "market:code:usa",
    },
    {
        "kind": "sales_channel",
        "name": "Demo storefront (Europe)",
        "client_id": "demo-sc-eu",
        "scope": "market:code:eu",
    },
]


# --- the builder ---------------------------------------------------------------------------------


@dataclass
class Demo:
    """What the steps built so far, and how many records each step created or changed."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    records: Counter = field(default_factory=Counter)
    merchant: Merchant | None = None
    shipping_categories: dict[str, ShippingCategory] = field(default_factory=dict)
    skus: dict[str, Sku] = field(default_factory=dict)
    stock_locations: dict[str, StockLocation] = field(default_factory=dict)
    markets: dict[str, Market] = field(default_factory=dict)
    manual_gateway: ManualGateway | None = None
    clients: list[dict] = field(default_factory=list)
    customer: dict | None = None

    def ensure(
        self,
        model: type[models.Model],
        lookup: dict,
        values: dict | None = None,
        *,
        create: Callable | None = None,
        label: str | None = None,
    ):
        """The record matching `lookup`, created with `values` when missing, else updated to
        them when they differ (validated by save_record); unchanged records are not saved.
        `create(**fields)` replaces the plain constructor (e.g. services numbering records)."""
        values = values or {}
        label = label or _label(model)
        self.records[label] += 1
        record = model._default_manager.filter(**lookup).first()
        if record is None:
            fields = {**lookup, **values}
            record = create(**fields) if create else save_record(model(**fields))
            self.created[label] += 1
            return record
        changed = False
        for name, value in values.items():
            if _differs(record, name, value):
                setattr(record, name, value)
                changed = True
        if changed:
            save_record(record)
            self.updated[label] += 1
        return record

    def ensure_address(self, current: Address | None, values: dict) -> Address:
        """The address a record already points at, updated in place, or a new one."""
        if current is not None:
            return self.ensure(Address, {"pk": current.pk}, values)
        self.records["addresses"] += 1
        self.created["addresses"] += 1
        return save_record(Address(**values))

    def summary(self) -> dict:
        return {
            "records": dict(sorted(self.records.items())),
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "clients": self.clients,
            "customer": self.customer,
        }


def _label(model) -> str:
    """`stock_items` for StockItem: the model's resource type."""
    return str(model._meta.verbose_name_plural).lower().replace(" ", "_")


def _differs(record, name: str, value) -> bool:
    field_ = record._meta.get_field(name)
    if field_.is_relation:
        return getattr(record, field_.attname) != (value.pk if value is not None else None)
    return getattr(record, name) != value


# --- the steps -----------------------------------------------------------------------------------


def seed_merchant(demo: Demo) -> None:
    merchant = Merchant.objects.filter(name=MERCHANT["name"]).select_related("address").first()
    address = demo.ensure_address(merchant.address if merchant else None, MERCHANT["address"])
    demo.merchant = demo.ensure(Merchant, {"name": MERCHANT["name"]}, {"address": address})


def seed_catalog(demo: Demo) -> None:
    for category in SHIPPING_CATEGORIES:
        demo.shipping_categories[category["code"]] = demo.ensure(
            ShippingCategory, {"code": category["code"]}, {"name": category["name"]}
        )
    for sku in SKUS:
        values = {
            "name": sku["name"],
            "weight": sku.get("weight"),
            "unit_of_weight": sku.get("unit_of_weight"),
            "do_not_ship": sku.get("do_not_ship", False),
            "do_not_track": sku.get("do_not_track", False),
            "shipping_category": demo.shipping_categories.get(sku["shipping_category"]),
        }
        demo.skus[sku["code"]] = demo.ensure(Sku, {"code": sku["code"]}, values)


def seed_stock_locations(demo: Demo) -> None:
    for location in STOCK_LOCATIONS:
        current = (
            StockLocation.objects.filter(code=location["code"]).select_related("address").first()
        )
        address = demo.ensure_address(current.address if current else None, location["address"])
        demo.stock_locations[location["code"]] = demo.ensure(
            StockLocation,
            {"code": location["code"]},
            {"name": location["name"], "address": address},
            create=create_stock_location,
        )


def seed_stock(demo: Demo) -> None:
    for location_code, quantities in STOCK.items():
        for sku_code, quantity in quantities.items():
            demo.ensure(
                StockItem,
                {"stock_location": demo.stock_locations[location_code], "sku": demo.skus[sku_code]},
                {"quantity": quantity},
            )


def seed_markets(demo: Demo) -> None:
    for spec in MARKETS:
        price_list_spec = dict(spec["price_list"])
        price_list = demo.ensure(PriceList, {"code": price_list_spec.pop("code")}, price_list_spec)
        for sku_code, cents in spec["prices"].items():
            demo.ensure(
                Price,
                {"price_list": price_list, "sku": demo.skus[sku_code]},
                {
                    "amount_cents": cents,
                    "compare_at_amount_cents": spec.get("compare_at", {}).get(sku_code),
                },
            )
        model_spec = dict(spec["inventory_model"])
        inventory_model = demo.ensure(InventoryModel, {"name": model_spec.pop("name")}, model_spec)
        for location_code, priority in spec["stock_locations"].items():
            demo.ensure(
                InventoryStockLocation,
                {
                    "inventory_model": inventory_model,
                    "stock_location": demo.stock_locations[location_code],
                },
                {"priority": priority, "on_hold": False},
            )
        for location_code, priority in spec["return_locations"].items():
            demo.ensure(
                InventoryReturnLocation,
                {
                    "inventory_model": inventory_model,
                    "stock_location": demo.stock_locations[location_code],
                },
                {"priority": priority},
            )
        demo.markets[spec["code"]] = demo.ensure(
            Market,
            {"code": spec["code"]},
            {
                "name": spec["name"],
                "merchant": demo.merchant,
                "price_list": price_list,
                "inventory_model": inventory_model,
                "disabled_at": None,
            },
            create=create_market,
        )


def seed_shipping(demo: Demo) -> None:
    zones = {
        spec["name"]: demo.ensure(
            ShippingZone,
            {"name": spec["name"]},
            {field: spec.get(field) for field in ShippingZone.PATTERNS},
        )
        for spec in SHIPPING_ZONES
    }
    for spec in SHIPPING_METHODS:
        values = {k: v for k, v in spec.items() if k not in ("market", "name", "tiers")}
        values["shipping_category"] = demo.shipping_categories[spec["shipping_category"]]
        values["shipping_zone"] = zones.get(spec["shipping_zone"])
        values.setdefault("scheme", "flat")
        values.setdefault("unit_of_weight", None)
        values["disabled_at"] = None
        method = demo.ensure(
            ShippingMethod, {"market": demo.markets[spec["market"]], "name": spec["name"]}, values
        )
        for name, up_to, cents in spec.get("tiers", ()):
            demo.ensure(
                ShippingWeightTier,
                {"shipping_method": method, "up_to": up_to},
                {"name": name, "price_amount_cents": cents},
            )
    for location, market, method, low, high in DELIVERY_LEAD_TIMES:
        demo.ensure(
            DeliveryLeadTime,
            {
                "stock_location": demo.stock_locations[location],
                "shipping_method": ShippingMethod.objects.get(
                    market=demo.markets[market], name=method
                ),
            },
            {"min_hours": low, "max_hours": high},
        )


def seed_payments(demo: Demo) -> None:
    demo.manual_gateway = demo.ensure(
        ManualGateway, {"name": MANUAL_GATEWAY["name"]}, {"disabled_at": None}
    )
    for spec in PAYMENT_METHODS:
        demo.ensure(
            PaymentMethod,
            {
                "market": demo.markets[spec["market"]],
                "payment_source_type": spec["payment_source_type"],
            },
            {
                "name": spec["name"],
                "price_amount_cents": spec["price_amount_cents"],
                "payment_gateway": demo.manual_gateway,
                "disabled_at": None,
            },
        )


# A Stripe gateway and a card method in these markets, only when the keys are given
# (payments.md "Settings and demo data"): DEMO_STRIPE_SECRET_KEY, DEMO_STRIPE_PUBLISHABLE_KEY.
STRIPE_GATEWAY = {"name": "Stripe"}
STRIPE_METHODS = [
    {"market": "usa", "name": "Card (Stripe)"},
    {"market": "eu", "name": "Carta (Stripe)"},
]


def seed_stripe(demo: Demo) -> None:
    """Created through the service that registers its webhook endpoint at Stripe (a key Stripe
    refuses stops the seeding with its message); the keys of an existing one follow the
    environment."""
    secret = os.environ.get("DEMO_STRIPE_SECRET_KEY", "")
    publishable = os.environ.get("DEMO_STRIPE_PUBLISHABLE_KEY", "")
    if not (secret and publishable):
        return
    gateway = demo.ensure(
        StripeGateway,
        {"name": STRIPE_GATEWAY["name"]},
        {"login": secret, "publishable_key": publishable, "disabled_at": None},
        create=lambda **fields: create_stripe_gateway(fields),
        label="stripe_gateways",
    )
    for spec in STRIPE_METHODS:
        demo.ensure(
            PaymentMethod,
            {"market": demo.markets[spec["market"]], "payment_source_type": "stripe_payments"},
            {
                "name": spec["name"],
                "price_amount_cents": 0,
                "payment_gateway": gateway,
                "disabled_at": None,
            },
        )


# An external gateway and a method in these markets, only when DEMO_EXTERNAL_GATEWAY_URL is
# given (payments.md): its operations at <URL>/authorize, /capture, /void, /refund, /token.
EXTERNAL_GATEWAY = {"name": "External"}
EXTERNAL_METHODS = [
    {"market": "usa", "name": "External PSP"},
    {"market": "eu", "name": "External PSP"},
]


def seed_external_gateway(demo: Demo) -> None:
    base = os.environ.get("DEMO_EXTERNAL_GATEWAY_URL", "").rstrip("/")
    if not base:
        return
    urls = {
        f"{op}_url": f"{base}/{op}" for op in ("authorize", "capture", "void", "refund", "token")
    }
    gateway = demo.ensure(
        ExternalGateway,
        {"name": EXTERNAL_GATEWAY["name"]},
        {**urls, "disabled_at": None},
        label="external_gateways",
    )
    for spec in EXTERNAL_METHODS:
        demo.ensure(
            PaymentMethod,
            {"market": demo.markets[spec["market"]], "payment_source_type": "external_payments"},
            {
                "name": spec["name"],
                "price_amount_cents": 0,
                "payment_gateway": gateway,
                "disabled_at": None,
            },
        )


def seed_taxes(demo: Demo) -> None:
    for spec in TAX_CALCULATORS:
        calculator = demo.ensure(ManualTaxCalculator, {"name": spec["name"]})
        rule = dict(spec["rule"])
        demo.ensure(TaxRule, {"manual_tax_calculator": calculator, "name": rule.pop("name")}, rule)
        market = demo.markets[spec["market"]]
        demo.markets[spec["market"]] = demo.ensure(
            Market, {"pk": market.pk}, {"tax_calculator": calculator}
        )


def seed_promotions(demo: Demo) -> None:
    for spec in PROMOTIONS:
        market = demo.markets[spec["market"]]
        values = {
            "kind": spec["kind"],
            "percentage": spec["percentage"],
            "disabled_at": None,
            "total_usage_limit": None,
            **PROMOTION_WINDOW,
        }
        promotion = demo.ensure(
            Promotion, {"market": market, "name": spec["name"]}, values, label="promotions"
        )
        rule = demo.ensure(CouponCodesPromotionRule, {"promotion": promotion})
        demo.ensure(
            Coupon,
            {"code": spec["coupon"]},
            {"promotion_rule": rule, "usage_limit": None, "expires_at": None},
        )


def seed_customer(demo: Demo) -> None:
    demo.records["customers"] += 1
    customer = Customer.objects.filter(email=CUSTOMER["email"]).first()
    if customer is None:
        create_customer(**CUSTOMER)
        demo.created["customers"] += 1
    elif not customer.check_password(CUSTOMER["password"]):
        customer.set_password(CUSTOMER["password"])
        save_record(customer)
        demo.updated["customers"] += 1
    demo.customer = dict(CUSTOMER)


def seed_api_clients(demo: Demo) -> None:
    for spec in API_CLIENTS:
        secret = spec.get("client_secret")
        existing = ApiClient.objects.filter(application__client_id=spec["client_id"]).first()
        if existing is not None and secret:
            try:
                authenticate_client(spec["client_id"], secret)
            except InvalidClient:
                pass
            else:
                secret = None  # already this secret: keep its hash, write nothing new
        unchanged = (
            existing is not None
            and existing.kind == spec["kind"]
            and existing.scope == spec["scope"]
            and secret is None
            and existing.application.name == spec["name"]
        )
        if not unchanged:
            create_api_client(
                kind=spec["kind"],
                name=spec["name"],
                scope=spec["scope"],
                client_id=spec["client_id"],
                client_secret=secret,
            )
            (demo.updated if existing else demo.created)["api_clients"] += 1
        demo.records["api_clients"] += 1
        client = {
            "client_id": spec["client_id"],
            "kind": spec["kind"],
            "name": spec["name"],
            "scope": spec["scope"],
        }
        if spec.get("client_secret"):
            client["client_secret"] = spec["client_secret"]
        demo.clients.append(client)


STEPS: list[Callable[[Demo], None]] = [
    seed_merchant,
    seed_catalog,
    seed_stock_locations,
    seed_stock,
    seed_markets,
    seed_shipping,
    seed_payments,
    seed_stripe,
    seed_external_gateway,
    seed_taxes,
    seed_promotions,
    seed_customer,
    seed_api_clients,
]


def seed_demo() -> dict:
    """Build (or restore) the demo data in one transaction; returns a summary:
    `{"records": {label: count}, "created": n, "updated": n, "clients": [...]}`."""
    demo = Demo()
    with transaction.atomic():
        for step in STEPS:
            step(demo)
    return demo.summary()
