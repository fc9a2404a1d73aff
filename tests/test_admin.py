"""The Django admin: every model of commerce, inventory and markets is registered, its pages
render for a superuser, and a changelist costs the same number of queries for 1 or 20 rows."""

import uuid
from datetime import timedelta
from itertools import count

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from bulk.models import Cleanup, Export, FileChunk, Import, JobChunk
from catalog.models import SkuList
from commerce.models import (
    AccessTokenScope,
    Address,
    ApiClient,
    Counter,
    Event,
    IdempotencyKey,
    RateCounter,
    Tag,
    Tagging,
)
from inventory.models import StockReservation, StockTransfer
from markets.models import (
    BuyXPayYPromotion,
    Coupon,
    CouponCodesPromotionRule,
    FixedAmountPromotion,
    FixedPricePromotion,
    FreeGiftPromotion,
    FreeShippingPromotion,
    ManualTaxCalculator,
    OrderAmountPromotionRule,
    PaymentGateway,
    PercentageDiscountPromotion,
    PriceVolumeTier,
    Promotion,
    ShippingWeightTier,
    SkuListPromotionRule,
    SkuOption,
    TaxCalculator,
    TaxCategory,
    TaxRule,
)
from tests import factories as f

APPS = ("commerce", "inventory", "markets", "bulk")
_seq = count()


def _application():
    n = next(_seq)
    return get_application_model().objects.create(
        name=f"app {n}",
        client_id=f"admin-test-{n}",
        client_type="public",
        authorization_grant_type="client-credentials",
        hash_client_secret=False,
    )


def _token_scope():
    token = get_access_token_model().objects.create(
        application=_application(),
        token=f"token-{next(_seq)}",
        expires=timezone.now() + timedelta(hours=2),
        scope="market:code:usa",
    )
    return AccessTokenScope.objects.create(access_token=token, kind="sales_channel", market_ids=[1])


def _promotion(model=PercentageDiscountPromotion, **extra):
    now = timezone.now()
    return model.objects.create(
        name=f"Promo {next(_seq)}",
        market=f.MarketFactory(),
        starts_at=now,
        expires_at=now + timedelta(days=7),
        **extra,
    )


def _coupon_rule():
    return CouponCodesPromotionRule.objects.create(promotion=_promotion(percentage=10))


def _sku_list():
    return SkuList.objects.create(name=f"List {next(_seq)}")


def _calculator(model=ManualTaxCalculator):
    return model.objects.create(name=f"Tax {next(_seq)}")


def _bundle():
    """A bundle of a market, its list of two items (its page lists them)."""
    from catalog.models import SkuListItem
    from markets.models import Bundle

    sku_list = _sku_list()
    for position in (1, 2):
        SkuListItem.objects.create(sku_list=sku_list, sku=f.SkuFactory(), position=position)
    market = f.MarketFactory()
    return Bundle.objects.create(
        market=market,
        sku_list=sku_list,
        code=f"KIT-{next(_seq)}",
        name="Kit",
        currency_code=market.price_list.currency_code,
        price_amount_cents=2500,
    )


def _customer_group():
    """A group with what its list and page show: a private market and a customer."""
    group = f.CustomerGroupFactory()
    f.MarketFactory(customer_group=group)
    f.CustomerFactory(customer_group=group)
    return group


# One row of each registered model, built with every relation its list shows.
MAKERS = {
    "address": f.AddressFactory,
    "apiclient": lambda: ApiClient.objects.create(application=_application(), kind="sales_channel"),
    "accesstokenscope": _token_scope,
    "event": lambda: Event.objects.create(
        topic="orders.place", resource_type="orders", resource_id="abcdefghij"
    ),
    "counter": lambda: Counter.objects.create(name=f"counter-{next(_seq)}", value=3),
    "idempotencykey": lambda: IdempotencyKey.objects.create(
        application=_application(),
        key=f"key-{next(_seq)}",
        fingerprint="0" * 64,
        method="POST",
        path="/api/skus",
        owner=uuid.uuid4(),
        created_at=timezone.now(),
    ),
    "ratecounter": lambda: RateCounter.objects.create(
        key=f"ratelimit:api:read:{next(_seq)}:60", bucket=1, current=3, previous=0, expires_at=180
    ),
    "tag": lambda: Tag.objects.create(name=f"tag-{next(_seq)}"),
    "tagging": lambda: Tagging.objects.create(
        tag=Tag.objects.create(name=f"tag-{next(_seq)}"),
        content_type=ContentType.objects.get_for_model(Address),
        object_id=f.AddressFactory().pk,
    ),
    "shippingcategory": f.ShippingCategoryFactory,
    "sku": f.SkuFactory,
    "stocklocation": f.StockLocationFactory,
    "package": f.PackageFactory,
    "stockitem": f.StockItemFactory,
    "inventorymodel": f.InventoryModelFactory,
    "inventorystocklocation": f.InventoryStockLocationFactory,
    "stockreservation": lambda: StockReservation.objects.create(
        stock_item=f.StockItemFactory(), quantity=2, status="pending"
    ),
    "stocktransfer": lambda: StockTransfer.objects.create(
        sku=f.SkuFactory(),
        origin_stock_location=f.StockLocationFactory(),
        destination_stock_location=f.StockLocationFactory(),
        quantity=3,
    ),
    "merchant": f.MerchantFactory,
    "pricelist": f.PriceListFactory,
    "price": lambda: f.PriceFactory(compare_at_amount_cents=1200),
    "pricevolumetier": lambda: PriceVolumeTier.objects.create(
        price=f.PriceFactory(), name="Ten", up_to=10, price_amount_cents=900
    ),
    "bundle": _bundle,
    "skuoption": lambda: SkuOption.objects.create(
        name=f"Engraving {next(_seq)}", market=f.MarketFactory(), price_amount_cents=500
    ),
    "market": lambda: f.MarketFactory(customer_group=f.CustomerGroupFactory()),
    "customergroup": _customer_group,
    "shippingzone": f.ShippingZoneFactory,
    "shippingmethod": lambda: f.ShippingMethodFactory(
        free_over_amount_cents=10000,
        shipping_category=f.ShippingCategoryFactory(),
        shipping_zone=f.ShippingZoneFactory(),
        stock_location=f.StockLocationFactory(),
    ),
    "shippingweighttier": lambda: ShippingWeightTier.objects.create(
        shipping_method=f.ShippingMethodFactory(scheme="weight_tiered", unit_of_weight="lb"),
        name="Up to 2 lb",
        up_to=2,
        price_amount_cents=2500,
    ),
    "deliveryleadtime": f.DeliveryLeadTimeFactory,
    "paymentgateway": lambda: PaymentGateway.objects.create(name=f"Gateway {next(_seq)}"),
    "manualgateway": f.ManualGatewayFactory,
    "stripegateway": f.StripeGatewayFactory,
    "externalgateway": f.ExternalGatewayFactory,
    "paymentmethod": f.PaymentMethodFactory,
    "taxcalculator": lambda: _calculator(TaxCalculator),
    "manualtaxcalculator": _calculator,
    "taxrule": lambda: TaxRule.objects.create(
        manual_tax_calculator=_calculator(), name="US", tax_rate="0.0825"
    ),
    "taxcategory": lambda: TaxCategory.objects.create(
        code="P0000000", sku=f.SkuFactory(), tax_calculator=_calculator()
    ),
    "promotion": lambda: _promotion(
        Promotion, kind="fixed_amount_promotions", fixed_amount_cents=500
    ),
    "percentagediscountpromotion": lambda: _promotion(percentage=10),
    "fixedamountpromotion": lambda: _promotion(FixedAmountPromotion, fixed_amount_cents=500),
    "freeshippingpromotion": lambda: _promotion(FreeShippingPromotion),
    "buyxpayypromotion": lambda: _promotion(BuyXPayYPromotion, sku_list=_sku_list(), x=3, y=2),
    "freegiftpromotion": lambda: _promotion(
        FreeGiftPromotion, sku_list=_sku_list(), max_quantity=1
    ),
    "fixedpricepromotion": lambda: _promotion(
        FixedPricePromotion, sku_list=_sku_list(), fixed_amount_cents=900
    ),
    "couponcodespromotionrule": _coupon_rule,
    "skulistpromotionrule": lambda: SkuListPromotionRule.objects.create(
        promotion=_promotion(percentage=10), sku_list=_sku_list(), min_quantity=2
    ),
    "orderamountpromotionrule": lambda: OrderAmountPromotionRule.objects.create(
        promotion=_promotion(percentage=10), order_amount_cents=5000
    ),
    "coupon": lambda: Coupon.objects.create(
        code=f"CODE{next(_seq):06d}", promotion_rule=_coupon_rule()
    ),
    # bulk (bulk.md): jobs as their runs leave them, their chunks and file pieces
    "import": lambda: Import.objects.create(
        resource_type="skus", inputs=[{"code": "A"}], inputs_size=1, errors_log={"A": {}}
    ),
    "export": lambda: Export.objects.create(resource_type="skus", records_count=1),
    "cleanup": lambda: Cleanup.objects.create(resource_type="skus", record_ids=["abc"]),
    "jobchunk": lambda: JobChunk.objects.create(
        kind="imports", job_id=next(_seq), position=0, first=0, last=1
    ),
    "filechunk": lambda: FileChunk.objects.create(
        kind="exports", job_id=next(_seq), position=0, data=b"gz"
    ),
}


@pytest.fixture
def admin_client(client, django_user_model):
    """A logged-in superuser (no password: hashing one costs half a second)."""
    user = django_user_model.objects.create(username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def registered_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in APPS),
        key=lambda model: model._meta.label,
    )


def model_ids():
    return [model._meta.label for model in registered_models()]


def url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.sqlite
def test_every_model_of_the_apps_is_registered():
    from django.apps import apps

    models = {m for app in APPS for m in apps.get_app_config(app).get_models()}
    missing = sorted(m._meta.label for m in models if m not in admin.site._registry)
    assert missing == [], "register these models in their app's admin.py"
    assert {m._meta.model_name for m in registered_models()} == set(MAKERS)


@pytest.mark.sqlite
def test_public_id_and_timestamps_are_read_only(admin_client, db):
    sku = f.SkuFactory()
    response = admin_client.get(url(type(sku), "change", sku.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("public_id", "created_at", "updated_at"):
        assert name not in form.fields, name
    assert sku.public_id in response.content.decode()


@pytest.mark.parametrize("model", registered_models(), ids=model_ids())
def test_pages_render(admin_client, model):
    record = MAKERS[model._meta.model_name]()
    model_admin = admin.site._registry[model]
    changelist = admin_client.get(url(model, "changelist"))
    assert changelist.status_code == 200, f"{model._meta.label} changelist"
    assert changelist.context["cl"].result_count == 1, f"{model._meta.label} changelist"
    search = admin_client.get(url(model, "changelist"), {"q": "x"})
    assert search.status_code == 200, f"{model._meta.label} search"
    change = admin_client.get(url(model, "change", record.pk))
    assert change.status_code == 200, f"{model._meta.label} change page"
    add = admin_client.get(url(model, "add"))
    can_add = model_admin.has_add_permission(change.wsgi_request)
    assert add.status_code == (200 if can_add else 403), f"{model._meta.label} add page"


def test_read_only_logs_have_no_add_page():
    for model in (Event, AccessTokenScope):
        assert not admin.site._registry[model].has_add_permission(None), model


def test_prices_inline_on_skus_and_locations_inline_on_inventory_models(admin_client, db):
    price = f.PriceFactory(amount_cents=3200)
    response = admin_client.get(url(type(price.sku), "change", price.sku.pk))
    assert price.public_id in response.content.decode()
    link = f.InventoryStockLocationFactory(priority=7)
    response = admin_client.get(url(type(link.inventory_model), "change", link.inventory_model.pk))
    assert link.public_id in response.content.decode()


def test_money_columns_are_formatted_in_the_currency(admin_client, db):
    f.PriceFactory(amount_cents=3000, price_list=f.PriceListFactory(currency_code="EUR"))
    response = admin_client.get(url(type(f.PriceFactory._meta.model()), "changelist"))
    assert "€30,00" in response.content.decode()


def _changelist_queries(client, model) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", registered_models(), ids=model_ids())
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    make = MAKERS[model._meta.model_name]
    make()
    admin_client.get(url(model, "changelist"))  # warm caches (content types, session)
    one, rows = _changelist_queries(admin_client, model)
    assert rows == 1
    for _ in range(19):
        make()
    twenty, rows = _changelist_queries(admin_client, model)
    assert rows == 20
    assert twenty == one, f"{model._meta.label}: {one} queries for 1 row, {twenty} for 20"
