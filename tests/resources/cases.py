"""One row per resource: how to build records of it, what to send, what a client gets back.

The tests in this package are parametrized over `CASES`; each row names its resource so a
failure says which resource (and which step) broke.

- `make(i)` builds one record through the factories; `i` (0, 1, ...) varies the values that
  filters and sorts look at, so two records differ on them.
- `related(record)` gives the record something behind each of its to-many relationships (for
  include and to-many filter paths).
- `create()` is the body of a POST: attributes, and relationships as `(type, record)` pairs.
- `update(record)` is the body of a PATCH, in the same shape.
- `filters` maps `filter[q][...]` keys to the value matching a record (at least one walks a
  relationship); `sort` is a sortable attribute on which `make(0) < make(1)`.
- `locked_by(record)` makes another record depend on it, so deleting it answers 423.
- `attributes` and `relationships` are the members resources.md lists for the type (in-scope
  targets only); documents must carry exactly these attributes and at least these relationships.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

from commerce.models import Address
from inventory.models import StockReservation, StockTransfer
from markets.models import ManualTaxCalculator
from tests import factories as f

COMMON = ("created_at", "updated_at", "reference", "reference_origin", "metadata")
_n = count(1)


def money(name: str, *, float_member: bool = True) -> tuple[str, ...]:
    return (f"{name}_cents", *([f"{name}_float"] if float_member else []), f"formatted_{name}")


@dataclass(frozen=True)
class Case:
    type: str
    make: Callable
    create: Callable
    update: Callable
    filters: dict
    sort: str
    attributes: tuple[str, ...]
    relationships: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # relationships whose linkage a create must carry
    related: Callable | None = None
    locked_by: Callable | None = None
    writable: bool = True
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return self.type


def _export(i):
    from bulk.models import Export

    return Export.objects.create(
        resource_type=("prices", "skus")[i % 2],
        records_count=i + 1,
        reference=f"{chr(97 + i)}-ref-{next(_n)}",
    )


def _job(model_name, i, **values):
    from bulk import models

    return getattr(models, model_name).objects.create(
        resource_type=("prices", "skus")[i % 2], reference=f"{chr(97 + i)}-ref-{next(_n)}", **values
    )


def _order(market):
    from orders.models import Order

    return Order.objects.create(
        market=market, number=f"T{next(_n):06d}", currency_code=market.price_list.currency_code
    )


def _price_list_prices(price_list):
    f.PriceFactory(price_list=price_list)


def _customer_group_members(group):
    f.MarketFactory(customer_group=group)
    f.CustomerFactory(customer_group=group)


def _sku_children(sku):
    f.PriceFactory(sku=sku)
    f.StockItemFactory(sku=sku)


def _stock_location_children(location):
    f.StockItemFactory(stock_location=location)
    f.InventoryStockLocationFactory(stock_location=location)
    StockTransfer.objects.create(
        sku=f.SkuFactory(),
        origin_stock_location=location,
        destination_stock_location=f.StockLocationFactory(),
        quantity=1,
    )


def _market_defaults(market):
    market.default_shipping_method = f.ShippingMethodFactory(market=market)
    market.default_payment_method = f.PaymentMethodFactory(market=market)
    market.tax_calculator = ManualTaxCalculator.objects.create(name=f"Tax {next(_n)}")
    market.customer_group = f.CustomerGroupFactory()
    market.save()


def _shipping_method_targets(method):
    method.shipping_zone = f.ShippingZoneFactory()
    method.shipping_category = f.ShippingCategoryFactory()
    method.stock_location = f.StockLocationFactory()
    method.save()
    _weight_tier(method, 2)


def _tiered_method():
    return f.ShippingMethodFactory(scheme="weight_tiered", unit_of_weight="lb")


def _weight_tier(method, up_to):
    from markets.models import ShippingWeightTier

    return ShippingWeightTier.objects.create(
        shipping_method=method, name=f"Up to {up_to} lb", up_to=up_to, price_amount_cents=2500
    )


def _weight_tier_of_new_method(i):
    tier = _weight_tier(_tiered_method(), 1 + i)
    tier.name = f"Tier {chr(65 + i)}{next(_n)}"
    tier.save()
    return tier


def _reservation(item):
    return StockReservation.objects.create(stock_item=item, quantity=1)


def _kit():
    """A manual SKU list of one item, as a bundle needs (catalog.md "Bundles")."""
    kit = f.SkuListFactory()
    f.SkuListItemFactory(sku_list=kit)
    return kit


def _bundle(i):
    from markets.models import Bundle

    market = f.MarketFactory()
    return Bundle.objects.create(
        market=market,
        sku_list=_kit(),
        code=f"{chr(65 + i)}-KIT-{next(_n)}",
        name=f"Kit {chr(65 + i)}",
        currency_code=market.price_list.currency_code,
        price_amount_cents=1000 + 500 * i,
    )


def _bundle_line(bundle):
    """A line item selling the bundle: it can't be deleted while sold."""
    return f.LineItemFactory(
        item_type="bundles",
        bundle=bundle,
        bundle_code=bundle.code,
        sku=None,
        sku_code=None,
        name=bundle.name,
    )


def _package(i):
    return f.PackageFactory(
        name=f"Box {chr(65 + i)}{next(_n)}", code=f"{chr(97 + i)}-box-{next(_n)}"
    )


def _parcel_of(package):
    """A parcel made from the package, in a shipment at its stock location."""
    return f.ParcelFactory(
        package=package, shipment=f.ShipmentFactory(stock_location=package.stock_location)
    )


def _parcel(i):
    return f.ParcelFactory(weight=1.0 + i, tracking_number=f"{chr(65 + i)}TRK{next(_n)}")


def _parcel_line(parcel):
    return f.ParcelLineItemFactory(parcel=parcel)


def _parcel_create():
    shipment = f.ShipmentFactory()
    package = f.PackageFactory(stock_location=shipment.stock_location)
    return (
        {"weight": 2.5, "unit_of_weight": "oz", "tracking_number": "1Z999AA10123456784"},
        {"shipment": ("shipments", shipment), "package": ("packages", package)},
    )


def _parcel_update(parcel):
    package = f.PackageFactory(stock_location=parcel.shipment.stock_location)
    return {"weight": 3.25, "signed_by": "A. Lovelace"}, {"package": ("packages", package)}


def _parcel_line_create():
    parcel = f.ParcelFactory()
    stock_line = f.StockLineItemFactory(shipment=parcel.shipment, quantity=4)
    return (
        {"quantity": 3},
        {"parcel": ("parcels", parcel), "stock_line_item": ("stock_line_items", stock_line)},
    )


PARCEL_ATTRIBUTES = (
    "number",
    "weight",
    "unit_of_weight",
    "eel_pfc",
    "contents_type",
    "contents_explanation",
    "customs_certify",
    "customs_signer",
    "non_delivery_option",
    "restriction_type",
    "restriction_comments",
    "customs_info_required",
    "shipping_label_url",
    "shipping_label_file_type",
    "shipping_label_size",
    "shipping_label_resolution",
    "tracking_number",
    "tracking_status",
    "tracking_status_detail",
    "tracking_status_updated_at",
    "tracking_details",
    "carrier_weight_oz",
    "signed_by",
    "incoterm",
    "delivery_confirmation",
)


ADDRESS_ATTRIBUTES = (
    "business",
    "first_name",
    "last_name",
    "company",
    "full_name",
    "line_1",
    "line_2",
    "city",
    "zip_code",
    "state_code",
    "country_code",
    "phone",
    "full_address",
    "name",
    "email",
    "notes",
    "lat",
    "lng",
    "is_localized",
    "is_geocoded",
    "provider_name",
    "map_url",
    "static_map_url",
    "billing_info",
)

CASES = [
    Case(
        type="merchants",
        make=lambda i: f.MerchantFactory(name=f"Merchant {chr(65 + i)}{next(_n)}"),
        create=lambda: ({"name": "Demo Store"}, {"address": ("addresses", f.AddressFactory())}),
        update=lambda m: (
            {"name": "Renamed Store"},
            {"address": ("addresses", f.AddressFactory())},
        ),
        filters={"name_eq": lambda m: m.name, "address_line_1_eq": lambda m: m.address.line_1},
        sort="name",
        attributes=("name",),
        relationships=("address",),
        required=("address",),
        locked_by=lambda m: f.MarketFactory(merchant=m),
    ),
    Case(
        type="addresses",
        make=lambda i: f.AddressFactory(city=f"City {chr(65 + i)}", first_name=f"Name{i}"),
        create=lambda: (
            {
                "first_name": "Grace",
                "last_name": "Hopper",
                "line_1": "1 Main St",
                "city": "New York",
                "zip_code": "10001",
                "state_code": "NY",
                "country_code": "US",
                "phone": "+1 212 555 0100",
                "email": "grace@example.com",
            },
            {},
        ),
        update=lambda a: ({"line_2": "Floor 3", "notes": "ring twice"}, {}),
        filters={"city_eq": lambda a: a.city, "first_name_cont": lambda a: a.first_name},
        sort="city",
        attributes=ADDRESS_ATTRIBUTES,
        locked_by=lambda a: f.MerchantFactory(address=a),
        extra={"create_echo": {"full_name": "Grace Hopper"}},
    ),
    Case(
        type="price_lists",
        make=lambda i: f.PriceListFactory(name=f"List {chr(65 + i)}{next(_n)}"),
        create=lambda: (
            {"name": "EUR list", "code": "eur-list", "currency_code": "EUR", "tax_included": True},
            {},
        ),
        update=lambda p: ({"name": "EUR list (gross)", "tax_included": False}, {}),
        filters={
            "code_eq": lambda p: p.code,
            "name_start": lambda p: p.name,
            "prices_sku_code_eq": lambda p: p.prices.first().sku.code,
        },
        sort="name",
        attributes=(
            "name",
            "code",
            "currency_code",
            "tax_included",
            "rule_outcomes",
            "rules",
            "resource_payload",
        ),
        relationships=("prices",),
        related=_price_list_prices,
        locked_by=lambda p: f.MarketFactory(price_list=p),
    ),
    Case(
        type="prices",
        make=lambda i: f.PriceFactory(amount_cents=1000 + 500 * i),
        create=lambda: (
            {"amount_cents": 3200, "compare_at_amount_cents": 4000},
            {"price_list": ("price_lists", f.PriceListFactory()), "sku": ("skus", f.SkuFactory())},
        ),
        update=lambda p: (
            {"amount_cents": 3600},
            {"price_list": ("price_lists", f.PriceListFactory())},
        ),
        filters={
            "amount_cents_eq": lambda p: str(p.amount_cents),
            "sku_code_eq": lambda p: p.sku.code,
            "price_list_code_eq": lambda p: p.price_list.code,
        },
        sort="amount_cents",
        attributes=(
            "currency_code",
            "sku_code",
            *money("amount"),
            *money("original_amount", float_member=False),
            *money("compare_at_amount"),
            "rule_outcomes",
            "processed_at",
            "rules",
            "resource_payload",
            "jwt_custom_claim",
        ),
        relationships=("price_list", "sku"),
        required=("price_list", "sku"),
    ),
    Case(
        type="bundles",
        make=_bundle,
        create=lambda: (
            {"code": "BOX", "name": "Box", "price_amount_cents": 2500},
            {"market": ("markets", f.MarketFactory()), "sku_list": ("sku_lists", _kit())},
        ),
        update=lambda b: ({"name": "Big box", "description": "Two of each"}, {}),
        filters={
            "code_eq": lambda b: b.code,
            "name_eq": lambda b: b.name,
            "market_code_eq": lambda b: b.market.code,
        },
        sort="code",
        attributes=(
            "code",
            "name",
            "currency_code",
            "description",
            "image_url",
            "do_not_ship",
            "do_not_track",
            *money("price_amount"),
            *money("compare_at_amount"),
            "skus_count",
        ),
        # and `skus`, computed from the list (tests/bundles).
        relationships=("market", "sku_list"),
        required=("sku_list",),
        locked_by=_bundle_line,
    ),
    Case(
        type="skus",
        make=lambda i: f.SkuFactory(code=f"{chr(65 + i)}-{next(_n)}"),
        create=lambda: (
            {
                "code": "24-WB01",
                "name": "Voyage Yoga Bag",
                "weight": 0.5,
                "unit_of_weight": "gr",
                "do_not_ship": False,
            },
            {"shipping_category": ("shipping_categories", f.ShippingCategoryFactory())},
        ),
        update=lambda s: (
            {"name": "Voyage Yoga Bag II", "do_not_track": True},
            {"shipping_category": ("shipping_categories", f.ShippingCategoryFactory())},
        ),
        filters={
            "code_eq": lambda s: s.code,
            "name_or_code_cont": lambda s: s.code,
            "shipping_category_code_eq": lambda s: s.shipping_category.code,
        },
        sort="code",
        attributes=(
            "code",
            "name",
            "description",
            "image_url",
            "pieces_per_pack",
            "weight",
            "unit_of_weight",
            "hs_tariff_number",
            "do_not_ship",
            "do_not_track",
            "inventory",
            "jwt_custom_claim",
        ),
        relationships=("shipping_category", "prices", "stock_items"),
        related=_sku_children,
        locked_by=lambda s: f.StockItemFactory(sku=s),
    ),
    Case(
        type="shipping_categories",
        make=lambda i: f.ShippingCategoryFactory(name=f"Category {chr(65 + i)}{next(_n)}"),
        create=lambda: ({"name": "Merchandise", "code": "merchandise"}, {}),
        update=lambda c: ({"name": "Goods"}, {}),
        filters={
            "code_eq": lambda c: c.code,
            "name_eq": lambda c: c.name,
            "skus_code_eq": lambda c: c.skus.first().code,
        },
        sort="name",
        attributes=("name", "code"),
        relationships=("skus",),
        related=lambda c: f.SkuFactory(shipping_category=c),
        locked_by=lambda c: f.SkuFactory(shipping_category=c),
    ),
    Case(
        type="markets",
        make=lambda i: f.MarketFactory(name=f"Market {chr(65 + i)}{next(_n)}"),
        create=lambda: (
            {"name": "Europe", "code": "europe", "shipping_cost_cutoff": 5},
            {
                "merchant": ("merchants", f.MerchantFactory()),
                "price_list": ("price_lists", f.PriceListFactory(currency_code="EUR")),
                "inventory_model": ("inventory_models", f.InventoryModelFactory()),
            },
        ),
        update=lambda m: (
            {"name": "Europa", "checkout_url": "https://shop.example.com/co"},
            {"price_list": ("price_lists", f.PriceListFactory())},
        ),
        filters={
            "code_eq": lambda m: m.code,
            "name_eq": lambda m: m.name,
            "price_list_code_eq": lambda m: m.price_list.code,
        },
        sort="name",
        attributes=(
            "number",
            "name",
            "code",
            "facebook_pixel_id",
            "checkout_url",
            "external_prices_url",
            "external_order_validation_url",
            "private",
            "shipping_cost_cutoff",
            "disabled_at",
            "shared_secret",
            "external_includes",
        ),
        relationships=(
            "merchant",
            "price_list",
            "base_price_list",
            "inventory_model",
            "tax_calculator",
            "default_shipping_method",
            "default_payment_method",
            "customer_group",
        ),
        required=("merchant", "price_list", "inventory_model"),
        related=_market_defaults,
        locked_by=_order,
        extra={"sources": {"base_price_list": "price_list"}},
    ),
    Case(
        type="customer_groups",
        make=lambda i: f.CustomerGroupFactory(name=f"Group {chr(65 + i)}{next(_n)}"),
        create=lambda: ({"name": "VIP", "code": "vip"}, {}),
        update=lambda g: ({"name": "VIPs", "code": "vips"}, {}),
        filters={
            "name_eq": lambda g: g.name,
            "code_eq": lambda g: g.code,
            "markets_code_eq": lambda g: g.markets.first().code,
            "customers_email_eq": lambda g: g.customers.first().email,
        },
        sort="name",
        attributes=("name", "code"),
        relationships=("customers", "markets"),
        related=_customer_group_members,
        # A market made private by it: deleting the group would turn that market public.
        locked_by=lambda g: f.MarketFactory(customer_group=g),
    ),
    Case(
        # Labels of taggable records (bulk.md "Tags", tests/tags): nothing depends on one.
        type="tags",
        make=lambda i: f.TagFactory(name=f"{chr(97 + i)}-tag-{next(_n)}"),
        create=lambda: ({"name": "vip"}, {}),
        update=lambda t: ({"name": "vip-2", "reference": "R-1"}, {}),
        filters={"name_eq": lambda t: t.name, "name_start": lambda t: t.name[:6]},
        sort="name",
        attributes=("name",),
    ),
    Case(
        # Export jobs (bulk.md "Exports", tests/exports): a create counts SKUs, so it makes one;
        # an export in progress refuses its delete.
        type="exports",
        make=lambda i: _export(i),
        create=lambda: (f.SkuFactory() and {"resource_type": "skus", "format": "csv"}, {}),
        update=lambda e: ({"reference": "R-1", "metadata": {"batch": 2}}, {}),
        filters={
            "resource_type_eq": lambda e: e.resource_type,
            "reference_start": lambda e: e.reference[:3],
        },
        sort="records_count",
        attributes=(
            "resource_type",
            "format",
            "status",
            "includes",
            "fields",
            "filters",
            "dry_data",
            "jwt_filters",
            "started_at",
            "completed_at",
            "estimated_completion_at",
            "interrupted_at",
            "records_count",
            "processed_count",
            "progress",
            "attachment_url",
            "errors_log",
        ),
        locked_by=lambda e: type(e).objects.filter(pk=e.pk).update(status="in_progress"),
        extra={"create_echo": {"status": "pending", "records_count": 1}},
    ),
    Case(
        # Import jobs (bulk.md "Imports", tests/imports): `inputs` is echoed by the create's
        # answer only (null on reads), which the generic create test can't express; tests/imports
        # covers the writes.
        type="imports",
        make=lambda i: _job("Import", i, inputs_size=i + 1),
        create=lambda: ({"resource_type": "skus", "inputs": [{"code": "A"}]}, {}),
        update=lambda j: ({"reference": "R-1"}, {}),
        filters={
            "resource_type_eq": lambda j: j.resource_type,
            "reference_start": lambda j: j.reference[:3],
        },
        sort="inputs_size",
        attributes=(
            "resource_type",
            "format",
            "parent_resource_id",
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "inputs",
            "inputs_size",
            "errors_count",
            "warnings_count",
            "processed_count",
            "errors_log",
            "warnings_log",
            "skip_errors",
            "attachment_url",
        ),
        writable=False,
    ),
    Case(
        # Cleanup jobs (bulk.md "Cleanups", tests/imports): a create counts SKUs, so it makes one;
        # a cleanup in progress refuses its delete.
        type="cleanups",
        make=lambda i: _job("Cleanup", i, records_count=i + 1),
        create=lambda: (f.SkuFactory() and {"resource_type": "skus"}, {}),
        update=lambda j: ({"reference": "R-1", "metadata": {"batch": 2}}, {}),
        filters={
            "resource_type_eq": lambda j: j.resource_type,
            "reference_start": lambda j: j.reference[:3],
        },
        sort="records_count",
        attributes=(
            "resource_type",
            "status",
            "started_at",
            "completed_at",
            "interrupted_at",
            "filters",
            "records_count",
            "errors_count",
            "processed_count",
            "errors_log",
        ),
        locked_by=lambda j: type(j).objects.filter(pk=j.pk).update(status="in_progress"),
        extra={"create_echo": {"status": "pending", "records_count": 1}},
    ),
    Case(
        type="stock_locations",
        make=lambda i: f.StockLocationFactory(code=f"{chr(97 + i)}-wh-{next(_n)}"),
        create=lambda: (
            {"name": "Milan warehouse", "code": "milan", "label_format": "PDF"},
            {"address": ("addresses", f.AddressFactory(city="Milano", country_code="IT"))},
        ),
        update=lambda s: (
            {"name": "Milano", "suppress_etd": True},
            {"address": ("addresses", f.AddressFactory())},
        ),
        filters={
            "code_eq": lambda s: s.code,
            "name_eq": lambda s: s.name,
            "address_line_1_eq": lambda s: s.address.line_1,
        },
        sort="code",
        attributes=("number", "name", "code", "label_format", "suppress_etd"),
        relationships=("address", "inventory_stock_locations", "stock_items", "stock_transfers"),
        required=("address",),
        related=_stock_location_children,
        locked_by=lambda s: f.StockItemFactory(stock_location=s),
    ),
    Case(
        type="stock_items",
        make=lambda i: f.StockItemFactory(quantity=10 + 5 * i),
        create=lambda: (
            {"quantity": 35},
            {
                "stock_location": ("stock_locations", f.StockLocationFactory()),
                "sku": ("skus", f.SkuFactory()),
            },
        ),
        update=lambda s: (
            {"quantity": 100},
            {"stock_location": ("stock_locations", f.StockLocationFactory())},
        ),
        filters={
            "quantity_eq": lambda s: str(s.quantity),
            "sku_code_eq": lambda s: s.sku.code,
            "stock_location_code_eq": lambda s: s.stock_location.code,
        },
        sort="quantity",
        attributes=("sku_code", "quantity"),
        relationships=("stock_location", "sku", "stock_reservations"),
        required=("stock_location", "sku"),
        related=_reservation,
        locked_by=_reservation,
    ),
    Case(
        type="inventory_models",
        make=lambda i: f.InventoryModelFactory(
            name=f"Model {chr(65 + i)}{next(_n)}", strategy=("no_split", "split_shipments")[i % 2]
        ),
        create=lambda: (
            {
                "name": "US stock",
                "strategy": "split_shipments",
                "stock_locations_cutoff": 2,
                "stock_reservation_cutoff": 3600,
            },
            {},
        ),
        update=lambda m: ({"strategy": "ship_from_primary", "manual_stock_decrement": True}, {}),
        filters={
            "name_eq": lambda m: m.name,
            "strategy_eq": lambda m: m.strategy,
            "inventory_stock_locations_stock_location_code_eq": lambda m: (
                m.inventory_stock_locations.first().stock_location.code
            ),
        },
        sort="name",
        attributes=(
            "name",
            "strategy",
            "stock_locations_cutoff",
            "stock_reservation_cutoff",
            "put_stock_transfers_on_hold",
            "manual_stock_decrement",
        ),
        relationships=("inventory_stock_locations",),
        related=lambda m: f.InventoryStockLocationFactory(inventory_model=m),
        locked_by=lambda m: f.MarketFactory(inventory_model=m),
    ),
    Case(
        type="inventory_stock_locations",
        make=lambda i: f.InventoryStockLocationFactory(priority=1 + i),
        create=lambda: (
            {"priority": 2, "on_hold": False},
            {
                "stock_location": ("stock_locations", f.StockLocationFactory()),
                "inventory_model": ("inventory_models", f.InventoryModelFactory()),
            },
        ),
        update=lambda s: (
            {"priority": 5, "on_hold": True},
            {"stock_location": ("stock_locations", f.StockLocationFactory())},
        ),
        filters={
            "priority_eq": lambda s: str(s.priority),
            "stock_location_code_eq": lambda s: s.stock_location.code,
            "inventory_model_name_eq": lambda s: s.inventory_model.name,
        },
        sort="priority",
        attributes=("priority", "on_hold"),
        relationships=("stock_location", "inventory_model"),
        required=("stock_location", "inventory_model"),
    ),
    Case(
        type="shipping_methods",
        make=lambda i: f.ShippingMethodFactory(
            name=f"Ship {chr(65 + i)}{next(_n)}", price_amount_cents=700 + 100 * i
        ),
        create=lambda: (
            {
                "name": "Standard",
                "scheme": "flat",
                "price_amount_cents": 700,
                "free_over_amount_cents": 10000,
                "unit_of_weight": "gr",
            },
            {
                "market": ("markets", f.MarketFactory()),
                "shipping_zone": ("shipping_zones", f.ShippingZoneFactory()),
                "shipping_category": ("shipping_categories", f.ShippingCategoryFactory()),
                "stock_location": ("stock_locations", f.StockLocationFactory()),
            },
        ),
        update=lambda s: (
            {"name": "Express", "price_amount_cents": 2000},
            {"shipping_zone": ("shipping_zones", f.ShippingZoneFactory())},
        ),
        filters={
            "name_eq": lambda s: s.name,
            "price_amount_cents_lt": lambda s: str(s.price_amount_cents + 1),
            "market_code_eq": lambda s: s.market.code,
        },
        sort="price_amount_cents",
        attributes=(
            "name",
            "scheme",
            "currency_code",
            "external_prices_url",
            *money("price_amount"),
            *money("free_over_amount"),
            "use_subtotal",
            *money("price_amount_for_shipment"),
            "min_weight",
            "max_weight",
            "unit_of_weight",
            "tax_code",
            "disabled_at",
            "circuit_state",
            "circuit_failure_count",
            "shared_secret",
            "external_includes",
        ),
        relationships=(
            "market",
            "shipping_zone",
            "shipping_category",
            "stock_location",
            "shipping_weight_tiers",
            "shipping_method_tiers",
        ),
        related=_shipping_method_targets,
        extra={"sources": {"shipping_method_tiers": "shipping_weight_tiers"}},
    ),
    Case(
        type="shipping_weight_tiers",
        make=_weight_tier_of_new_method,
        create=lambda: (
            {"name": "Up to 2 lb", "up_to": 2, "price_amount_cents": 2500},
            {"shipping_method": ("shipping_methods", _tiered_method())},
        ),
        update=lambda t: (
            {"name": "Up to 3 lb", "up_to": 3.5},
            {"shipping_method": ("shipping_methods", _tiered_method())},
        ),
        filters={
            "name_eq": lambda t: t.name,
            "up_to_lt": lambda t: str(t.up_to + 0.5),
            "shipping_method_name_eq": lambda t: t.shipping_method.name,
        },
        sort="up_to",
        attributes=("name", "up_to", *money("price_amount")),
        relationships=("shipping_method",),
        required=("shipping_method",),
    ),
    Case(
        type="shipping_method_tiers",
        make=_weight_tier_of_new_method,
        create=None,
        update=None,
        filters={
            "name_eq": lambda t: t.name,
            "shipping_method_name_eq": lambda t: t.shipping_method.name,
        },
        sort="up_to",
        attributes=("name", "up_to", *money("price_amount")),
        relationships=("shipping_method",),
        writable=False,
    ),
    Case(
        type="shipping_zones",
        make=lambda i: f.ShippingZoneFactory(
            name=f"Zone {chr(65 + i)}{next(_n)}", country_code_regex=("US", "IT")[i % 2]
        ),
        create=lambda: (
            {"name": "Domestic", "country_code_regex": "US", "not_state_code_regex": "AK|HI"},
            {},
        ),
        update=lambda z: ({"zip_code_regex": "^0", "name": "New England"}, {}),
        filters={
            "name_eq": lambda z: z.name,
            "country_code_regex_eq": lambda z: z.country_code_regex,
        },
        sort="name",
        attributes=(
            "name",
            "country_code_regex",
            "not_country_code_regex",
            "state_code_regex",
            "not_state_code_regex",
            "zip_code_regex",
            "not_zip_code_regex",
        ),
    ),
    Case(
        type="delivery_lead_times",
        make=lambda i: f.DeliveryLeadTimeFactory(min_hours=24 + 24 * i, max_hours=72 + 24 * i),
        create=lambda: (
            {"min_hours": 24, "max_hours": 48},
            {
                "stock_location": ("stock_locations", f.StockLocationFactory()),
                "shipping_method": ("shipping_methods", f.ShippingMethodFactory()),
            },
        ),
        update=lambda d: (
            {"max_hours": 96},
            {"shipping_method": ("shipping_methods", f.ShippingMethodFactory())},
        ),
        filters={
            "min_hours_eq": lambda d: str(d.min_hours),
            "shipping_method_name_eq": lambda d: d.shipping_method.name,
            "stock_location_code_eq": lambda d: d.stock_location.code,
        },
        sort="min_hours",
        attributes=("min_hours", "max_hours", "min_days", "max_days"),
        relationships=("stock_location", "shipping_method"),
        required=("stock_location", "shipping_method"),
        extra={"create_echo": {"min_days": 1, "max_days": 2}, "update_echo": {"max_days": 4}},
    ),
    Case(
        type="manual_gateways",
        make=lambda i: f.ManualGatewayFactory(name=f"Gateway {chr(65 + i)}{next(_n)}"),
        create=lambda: ({"name": "Manual", "force_payments": True}, {}),
        update=lambda g: ({"name": "Wire", "force_payments": False}, {}),
        filters={
            "name_eq": lambda g: g.name,
            "payment_methods_name_eq": lambda g: g.payment_methods.first().name,
        },
        sort="name",
        attributes=("name", "force_payments", "credential_keys", "disabled_at"),
        relationships=("payment_methods",),
        related=lambda g: f.PaymentMethodFactory(payment_gateway=g, name=f"Pay {next(_n)}"),
        locked_by=lambda g: f.PaymentMethodFactory(payment_gateway=g),
    ),
    Case(
        type="payment_gateways",
        make=lambda i: f.ManualGatewayFactory(name=f"Gateway {chr(65 + i)}{next(_n)}"),
        create=None,
        update=None,
        filters={
            "name_eq": lambda g: g.name,
            "payment_methods_name_eq": lambda g: g.payment_methods.first().name,
        },
        sort="name",
        attributes=("name", "force_payments", "credential_keys", "disabled_at"),
        relationships=("payment_methods",),
        related=lambda g: f.PaymentMethodFactory(payment_gateway=g, name=f"Pay {next(_n)}"),
        writable=False,
    ),
    Case(
        type="payment_methods",
        make=lambda i: f.PaymentMethodFactory(
            name=f"Pay {chr(65 + i)}{next(_n)}", price_amount_cents=100 * i
        ),
        create=lambda: (
            {
                "name": "Wire transfer",
                "payment_source_type": "wire_transfers",
                "price_amount_cents": 0,
                "require_capture": True,
            },
            {
                "market": ("markets", f.MarketFactory()),
                "payment_gateway": ("manual_gateways", f.ManualGatewayFactory()),
            },
        ),
        update=lambda p: (
            {"price_amount_cents": 150, "auto_capture": True},
            {"market": ("markets", f.MarketFactory())},
        ),
        filters={
            "name_eq": lambda p: p.name,
            "price_amount_cents_eq": lambda p: str(p.price_amount_cents),
            "market_code_eq": lambda p: p.market.code,
        },
        sort="name",
        attributes=(
            "name",
            "payment_source_type",
            "currency_code",
            "moto",
            "require_capture",
            "auto_place",
            "auto_capture",
            *money("price_amount"),
            *money("auto_capture_max_amount"),
            "disabled_at",
        ),
        relationships=("market", "payment_gateway"),
        required=("payment_gateway",),
    ),
    Case(
        type="gift_cards",
        make=lambda i: f.GiftCardFactory(
            code=f"{chr(97 + i)}-card-{next(_n)}",
            balance_cents=1000 + 500 * i,
            market=f.MarketFactory(),
            gift_card_recipient=f.GiftCardRecipientFactory(),
        ),
        create=lambda: (
            {"code": "CARD-0001-CREATE", "currency_code": "USD", "balance_cents": 5000},
            {"market": ("markets", f.MarketFactory())},
        ),
        update=lambda c: (
            {"image_url": "https://img.example.com/card.png", "single_use": True},
            {"gift_card_recipient": ("gift_card_recipients", f.GiftCardRecipientFactory())},
        ),
        filters={
            "code_eq": lambda c: c.code,
            "balance_cents_eq": lambda c: str(c.balance_cents),
            "market_code_eq": lambda c: c.market.code,
            "recipient_email_eq": lambda c: c.recipient_email,
        },
        sort="balance_cents",
        attributes=(
            "status",
            "code",
            "currency_code",
            *money("initial_balance"),
            *money("balance"),
            *money("balance_max"),
            "balance_log",
            "usage_log",
            "single_use",
            "rechargeable",
            "distribute_discount",
            "image_url",
            "expires_at",
            "recipient_email",
        ),
        relationships=("market", "gift_card_recipient"),
        # A line item buying it (or paid by it): the order's record of the card.
        locked_by=lambda c: f.LineItemFactory(
            item_type="gift_cards", sku=None, sku_code=None, name="Gift card", gift_card=c
        ),
        extra={"create_echo": {"initial_balance_cents": 5000, "status": "draft"}},
    ),
    Case(
        type="gift_card_recipients",
        make=lambda i: f.GiftCardRecipientFactory(
            email=f"{chr(97 + i)}-{next(_n)}@example.com", customer=f.CustomerFactory()
        ),
        create=lambda: (
            {"email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"},
            {"customer": ("customers", f.CustomerFactory())},
        ),
        update=lambda r: ({"first_name": "Ada"}, {"customer": ("customers", f.CustomerFactory())}),
        filters={"email_eq": lambda r: r.email, "customer_email_eq": lambda r: r.customer.email},
        sort="email",
        attributes=("email", "first_name", "last_name"),
        relationships=("customer",),
    ),
    Case(
        type="packages",
        make=_package,
        create=lambda: (
            {
                "name": "Medium box",
                "code": "MED",
                "length": 30.0,
                "width": 20.5,
                "height": 10.0,
                "unit_of_length": "cm",
            },
            {"stock_location": ("stock_locations", f.StockLocationFactory())},
        ),
        update=lambda p: (
            {"name": "Large box", "height": 40.0, "unit_of_length": "in"},
            {"stock_location": ("stock_locations", f.StockLocationFactory())},
        ),
        filters={
            "code_eq": lambda p: p.code,
            "name_eq": lambda p: p.name,
            "stock_location_code_eq": lambda p: p.stock_location.code,
        },
        sort="name",
        attributes=("name", "code", "length", "width", "height", "unit_of_length"),
        relationships=("stock_location", "parcels"),
        required=("stock_location",),
        related=_parcel_of,
        locked_by=_parcel_of,
    ),
    Case(
        type="parcels",
        make=_parcel,
        create=_parcel_create,
        update=_parcel_update,
        filters={
            "tracking_number_eq": lambda p: p.tracking_number,
            "number_eq": lambda p: p.number,
            "package_code_eq": lambda p: p.package.code,
            "shipment_number_eq": lambda p: p.shipment.number,
        },
        sort="weight",
        attributes=PARCEL_ATTRIBUTES,
        relationships=("shipment", "package", "parcel_line_items"),
        required=("shipment", "package"),
        related=_parcel_line,
    ),
    Case(
        type="parcel_line_items",
        make=lambda i: f.ParcelLineItemFactory(quantity=1 + i),
        create=_parcel_line_create,
        update=lambda line: ({"metadata": {"bin": "A4"}, "reference": "R-1"}, {}),
        filters={
            "sku_code_eq": lambda line: line.sku_code,
            "parcel_number_eq": lambda line: line.parcel.number,
        },
        sort="quantity",
        attributes=("sku_code", "bundle_code", "quantity", "name", "image_url"),
        relationships=("parcel", "stock_line_item"),
        required=("parcel", "stock_line_item"),
    ),
]

BY_TYPE = {case.type: case for case in CASES}
WRITABLE = [case for case in CASES if case.writable]
WITH_LOCK = [case for case in CASES if case.locked_by]


def linkage(pair) -> dict:
    type_name, record = pair
    return {"data": {"type": type_name, "id": record.public_id}}


def body(case_type: str, attributes: dict, relationships: dict, public_id=None) -> dict:
    data = {
        "type": case_type,
        "attributes": attributes,
        "relationships": {name: linkage(pair) for name, pair in relationships.items()},
    }
    if public_id is not None:
        data["id"] = public_id
    return {"data": data}


__all__ = ["Address", "BY_TYPE", "CASES", "COMMON", "Case", "WITH_LOCK", "WRITABLE", "body"]
