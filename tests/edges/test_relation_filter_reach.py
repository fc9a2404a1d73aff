"""A filter that walks a relationship sees only related records the caller may read
(limits.md §5): another market's records never change a storefront's answer.

The world has two demo-like markets, `usa` and `eu`, selling the same SKUs at different prices,
with a placed guest checkout and a placed checkout of the customer Ada in each, and a cart of
another customer (Bob) in `usa`. For every relation filter a `usa` sales channel or a `usa`
customer can send (enumerated from the registry, as deep as the resolver walks), the value of a
record out of its reach that no record within its reach has must find nothing, exactly as a value
that exists nowhere.
"""

import datetime
from datetime import timedelta
from decimal import Decimal
from functools import partial
from urllib.parse import quote

import pytest
from django.utils import timezone

from commerce.auth.context import CUSTOMER, SALES_CHANNEL, TokenContext
from commerce.jsonapi.declaration import model_field
from commerce.jsonapi.registry import registry
from markets.models import Promotion
from tests import factories as f
from tests.checkout import run_checkout, seed_checkout_market
from tests.conftest import JsonApiClient, obtain_token
from tests.conftest import rel as linkage

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RESOLVER_HOPS = 4  # resolve_filter_path walks relationships at depths 0..3
ID_HOPS = 2  # paths this long are each tried with `id`; longer ones reach the same targets


def _seed_eu(market, usa_skus):
    """The same SKUs at other prices in `eu`, with its own stock, methods and taxes."""
    from markets.models import ManualTaxCalculator, TaxRule

    calculator = ManualTaxCalculator.objects.create(name="EU taxes")
    TaxRule.objects.create(
        manual_tax_calculator=calculator, name="IT", tax_rate="0.22", country_code_regex="US"
    )
    market.tax_calculator = calculator
    market.save()
    location = f.StockLocationFactory(name="Milan")
    f.InventoryStockLocationFactory(
        inventory_model=market.inventory_model, stock_location=location, priority=1
    )
    for sku, cents in zip(usa_skus, (3000, 3400, 1900), strict=True):
        f.PriceFactory(price_list=market.price_list, sku=sku, amount_cents=cents)
        f.StockItemFactory(stock_location=location, sku=sku, quantity=50)
    method = f.ShippingMethodFactory(market=market, name="Corriere", price_amount_cents=900)
    f.DeliveryLeadTimeFactory(stock_location=location, shipping_method=method, min_hours=48)
    payment_method = f.PaymentMethodFactory(market=market, payment_source_type="wire_transfers")
    return {"shipping_method": method, "payment_method": payment_method}


def _promotion(market, percentage):
    now = timezone.now()
    return Promotion.objects.create(
        kind="percentage_discount_promotions",
        name=f"{market.code} sale",
        starts_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=1),
        percentage=Decimal(percentage),
        market=market,
    )


def _client_id(make_api_client, market):
    from oauth2_provider.models import get_application_model

    scope = f"market:code:{market.code}"
    client_id = f"test-sales_channel-{scope.replace(':', '-')}"
    if not get_application_model().objects.filter(client_id=client_id).exists():
        make_api_client("sales_channel", scope)
    return client_id, scope


def _guest(client, make_api_client, market):
    client_id, scope = _client_id(make_api_client, market)
    token = obtain_token(client, grant_type="client_credentials", client_id=client_id, scope=scope)
    return JsonApiClient(client, token)


@pytest.fixture
def world(client, make_api_client, customer_token, market, other_market):
    from inventory.models import Sku
    from orders.models import Customer

    usa = seed_checkout_market(market)
    skus = list(Sku.objects.order_by("code"))
    eu = _seed_eu(other_market, skus)
    usa_location = market.inventory_model.inventory_stock_locations.get().stock_location
    f.DeliveryLeadTimeFactory(stock_location=usa_location, shipping_method=usa["shipping_method"])
    _promotion(market, "0.1000")
    _promotion(other_market, "0.3300")

    ids = {
        m: (s["shipping_method"].public_id, s["payment_method"].public_id)
        for m, s in (("usa", usa), ("eu", eu))
    }
    tokens = {
        "usa_guest": _guest(client, make_api_client, market),
        "eu_guest": _guest(client, make_api_client, other_market),
        "usa_ada": customer_token(market, "ada@example.com"),
        "eu_ada": customer_token(other_market, "ada@example.com"),
        "usa_bob": customer_token(market, "bob@example.com"),
    }
    for name in ("usa_guest", "eu_guest", "usa_ada", "eu_ada"):
        run_checkout(tokens[name], *ids[name[:-6] if name.endswith("_guest") else name[:-4]])
    # Bob's cart in usa (not placed), with an address book entry of his own.
    bob = tokens["usa_bob"]
    order = bob.create("orders", {"customer_email": "bob@example.com"}).json()["data"]["id"]
    created = bob.create(
        "line_items", {"sku_code": skus[0].code, "quantity": 7}, {"order": linkage("orders", order)}
    )
    assert created.status_code == 201, created.json()
    address = f.AddressFactory(
        city="Bobtown", owner_customer_id=Customer.objects.get(email="bob@example.com").pk
    )
    from orders.models import CustomerAddress

    CustomerAddress.objects.create(
        customer=Customer.objects.get(email="bob@example.com"), address=address
    )
    return tokens


def _ctx_of(kind, market, customer=None) -> TokenContext:
    return TokenContext(
        kind=kind,
        application_id=0,
        client_id="walk",
        market_ids=(market.pk,),
        customer_id=customer.pk if customer else None,
    )


def relation_filters(resource_cls, ctx, hops=RESOLVER_HOPS, prefix="", top=None):
    """(name, target class, attribute) of every relation filter the resolver accepts for ctx:
    each relationship path it walks (declared, single-typed, not computed, into a type the
    caller may read), each filterable attribute of its target."""
    if hops == 0:
        return
    for rel_name, rel in resource_cls.relationships().items():
        if rel.getter is not None or len(rel.types) != 1 or rel.types[0] not in registry:
            continue
        target = registry[rel.types[0]]
        if not target.readable_by(ctx):
            continue
        path = f"{prefix}{rel_name}_"
        for attribute in target.filterable_fields():
            name = f"{path}{attribute}"
            # A name can also read another way (an order's `customer_email` before its
            # customer's `email`): the resolver takes the first, and so does the walk.
            resolved = (top or resource_cls).resolve_filter_path(name, ctx=ctx)
            field = model_field(target.model, target.filterable_fields()[attribute])
            if resolved is not None and resolved.model_field is field:
                yield name, target, attribute, RESOLVER_HOPS - hops + 1
        yield from relation_filters(target, ctx, hops - 1, path, top or resource_cls)


def _as_query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return quote(value.isoformat())
    return quote(str(value))


def distinctive_value(target, attribute, ctx):
    """A value of `attribute` held by a record of `target` out of ctx's reach and by none
    within it (None when there is none)."""
    path = target.filterable_fields()[attribute]
    field = target.model._meta.get_field(path.split("__")[0])
    if field.get_internal_type() == "JSONField":
        return None
    within = target.scoped_queryset(ctx)
    seen = set(within.values_list(path, flat=True))
    out = (
        target.base_queryset()
        .exclude(pk__in=within.values("pk"))
        .exclude(**{f"{path}__isnull": True})
        .order_by("pk")
        .values_list(path, flat=True)
    )
    for value in out:
        if value not in seen and value != "":
            return value
    return None


def collections(api, ctx):
    """The collection URLs the caller may filter: its lists, and the to-many related
    endpoints of the records it reaches."""
    urls = []
    for type_name, cls in sorted(registry.items()):
        if ctx.kind in cls.access.get("list", ()):
            urls.append((f"/api/{type_name}", cls))
        if not cls.readable_by(ctx):
            continue
        record = cls.scoped_queryset(ctx).first()
        if record is None:
            continue
        for name, rel in cls.relationships().items():
            if not rel.many or rel.getter is not None or len(rel.types) != 1:
                continue
            target = registry.get(rel.types[0])
            if target is not None and target.readable_by(ctx):
                urls.append((f"/api/{type_name}/{record.public_id}/{name}", target))
    return urls


def _walk(api, ctx):
    """Every relationship path (up to ID_HOPS long) of every collection with `id` (an
    out-of-reach record's own id), and every attribute of every target type at least once,
    through the first path reaching it, however deep: tens of thousands of combinations are
    more than a test run can afford, and these reach every relationship and every target."""
    checked = 0
    values = {}
    filters = {}  # a type's relation filters are the same at every URL listing it: walked once
    for url, cls in collections(api, ctx):
        if cls not in filters:
            filters[cls] = list(relation_filters(cls, ctx))
        for name, target, attribute, depth in filters[cls]:
            key = (target.resource_type, attribute)
            if key in values and (attribute != "id" or depth > ID_HOPS):
                continue
            if key not in values:
                values[key] = distinctive_value(target, attribute, ctx)
            value = values[key]
            if value is None:
                continue
            response = api.get(f"{url}?filter[q][{name}_eq]={_as_query_value(value)}")
            assert response.status_code == 200, (url, name, response.json())
            found = [r["id"] for r in response.json()["data"]]
            assert found == [], f"{url} {name}_eq={value!r} finds {found}: out of reach"
            checked += 1
    return checked


@pytest.mark.sqlite
def test_other_markets_records_never_change_a_sales_channels_relation_filter(world, market):
    checked = _walk(world["usa_guest"], _ctx_of(SALES_CHANNEL, market))
    assert checked > 50


@pytest.mark.sqlite
def test_other_markets_and_customers_records_never_change_a_customers_relation_filter(
    world, market
):
    from orders.models import Customer

    ada = Customer.objects.get(email="ada@example.com")
    checked = _walk(world["usa_ada"], _ctx_of(CUSTOMER, market, ada))
    assert checked > 50


@pytest.fixture
def priced(market, other_market):
    """24-WB01 priced in both markets (30.00 EUR in eu only), 24-MB01 in usa only."""
    both = f.SkuFactory(code="24-WB01")
    f.PriceFactory(price_list=market.price_list, sku=both, amount_cents=3200)
    f.PriceFactory(price_list=other_market.price_list, sku=both, amount_cents=3000)
    usa_only = f.SkuFactory(code="24-MB01")
    f.PriceFactory(price_list=market.price_list, sku=usa_only, amount_cents=4500)
    eu_only = f.SkuFactory(code="24-EU01")
    f.PriceFactory(price_list=other_market.price_list, sku=eu_only, amount_cents=3000)
    return {"both": both, "usa_only": usa_only, "eu_only": eu_only}


def _codes(response):
    assert response.status_code == 200, response.json()
    return sorted(r["attributes"]["code"] for r in response.json()["data"])


@pytest.mark.sqlite
def test_the_issues_price_filters_answer_as_for_figures_that_exist_nowhere(
    sales_channel, integration, priced, other_market
):
    eu_list = other_market.price_list.public_id
    for eu, nowhere in (
        ("prices_amount_cents_eq=3000", "prices_amount_cents_eq=1"),
        ("prices_currency_code_eq=EUR", "prices_currency_code_eq=JPY"),
        (f"prices_price_list_id_eq={eu_list}", "prices_price_list_id_eq=nowhere"),
        ("prices_amount_cents_lt=3100", "prices_amount_cents_lt=1"),
    ):
        answer = _get_codes(sales_channel, eu)
        assert answer == _get_codes(sales_channel, nowhere) == [], eu
        # An integration token still reads every market's prices, as before.
        assert _get_codes(integration, eu), eu
    # Its own market's figures still match.
    assert _get_codes(sales_channel, "prices_amount_cents_eq=3200") == ["24-WB01"]


@pytest.mark.sqlite
def test_a_relation_filter_reads_missing_and_negated_rows_within_reach(sales_channel, priced):
    """A SKU priced only in eu has no price for a usa storefront: `_null` finds it, and a
    negated condition is about the prices it can see, not about eu's."""
    get = partial(_get_codes, sales_channel)
    assert get("prices_id_null=true") == ["24-EU01"]
    assert get("prices_id_null=false") == ["24-MB01", "24-WB01"]
    assert get("prices_amount_cents_not_eq=3000") == ["24-MB01", "24-WB01"]
    assert get("prices_amount_cents_not_eq_or_null=3200") == ["24-EU01", "24-MB01"]
    assert get("prices_amount_cents_eq=3200", "prices_amount_cents_gt=3100") == ["24-WB01"]
    # Conditions through one relationship hold for one related row, as through a join.
    assert get("prices_amount_cents_eq=3200", "prices_amount_cents_lt=3100") == []
    assert get("code_or_prices_amount_cents_eq=3000") == []
    assert get("code_or_prices_currency_code_eq=24-EU01") == ["24-EU01"]


def _get_codes(api, *conditions):
    """Codes of the SKUs matching every `key=value` condition."""
    query = "&".join("filter[q][{}]={}".format(*c.split("=", 1)) for c in conditions)
    return _codes(api.get(f"/api/skus?{query}"))


@pytest.mark.sqlite
def test_linkage_of_a_type_the_caller_cannot_read_is_refused_like_its_related_endpoint(
    sales_channel, integration, market
):
    sku = f.SkuFactory()
    location = market.inventory_model.inventory_stock_locations.get().stock_location
    f.StockItemFactory(sku=sku, stock_location=location)
    for path in ("stock_items", "relationships/stock_items", "relationships/stock_reservations"):
        response = sales_channel.get(f"/api/skus/{sku.public_id}/{path}")
        assert response.status_code == 401, path
        assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    linkage = integration.get(f"/api/skus/{sku.public_id}/relationships/stock_items").json()
    assert len(linkage["data"]) == 1
    assert sales_channel.get(f"/api/skus/{sku.public_id}/relationships/prices").status_code == 200
