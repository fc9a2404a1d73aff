"""The admin: operators create and edit the kinds that target a SKU list (their own fields and
`sku_list`, checked as the API checks them) and attach SKU-list and order-amount rules inline on
a promotion's page; coupon codes have 8 to 40 characters there too."""

import pytest
from django.contrib import admin
from django.urls import reverse

from markets.admin import OrderAmountPromotionRuleInline, SkuListPromotionRuleInline
from markets.models import (
    BuyXPayYPromotion,
    Coupon,
    FreeGiftPromotion,
    OrderAmountPromotionRule,
    PercentageDiscountPromotion,
    Promotion,
    SkuListPromotionRule,
)
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    PercentageDiscountPromotionFactory,
)
from tests.promotions.conftest import (
    BuyXPayYPromotionFactory,
    OrderAmountPromotionRuleFactory,
    SkuListFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

# The inline formsets' prefixes: the promotion's accessor of each rule.
INLINES = ("sku_list_promotion_rule", "order_amount_promotion_rule")


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create(username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _url(model, page, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def _management(initial=0, **rules) -> dict:
    """The inline formsets' management forms, and one form per rule given
    (`sku_list_promotion_rule={...}`)."""
    data = {}
    for prefix in INLINES:
        given = rules.get(prefix)
        data |= {
            f"{prefix}-TOTAL_FORMS": "1" if given is not None else str(initial),
            f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1",
        }
        for name, value in (given or {}).items():
            data[f"{prefix}-0-{name}"] = value
    return data


def _promotion_form(**fields) -> dict:
    return {
        "name": "Three for two",
        "starts_at_0": "2026-01-01",
        "starts_at_1": "00:00:00",
        "expires_at_0": "2030-01-01",
        "expires_at_1": "00:00:00",
        "metadata": "{}",
        **fields,
    }


def _errors(response) -> dict:
    assert response.status_code == 200, "the form was accepted"
    form = response.context["adminform"].form
    errors = dict(form.errors)
    for formset in response.context["inline_admin_formsets"]:
        for form_errors in formset.formset.errors:
            errors |= form_errors
    return errors


def test_rules_are_inline_on_every_promotion_kind():
    for model in (PercentageDiscountPromotion, BuyXPayYPromotion, FreeGiftPromotion):
        inlines = admin.site._registry[model].inlines
        assert SkuListPromotionRuleInline in inlines and OrderAmountPromotionRuleInline in inlines


def test_an_operator_creates_a_buy_x_pay_y_with_its_rules(admin_client):
    sku_list = SkuListFactory(name="Socks")
    response = admin_client.post(
        _url(BuyXPayYPromotion, "add"),
        _promotion_form(sku_list=str(sku_list.pk), x="3", y="2", cheapest_free="on")
        | _management(
            sku_list_promotion_rule={"sku_list": str(sku_list.pk), "min_quantity": "3"},
            order_amount_promotion_rule={"order_amount_cents": "5000", "use_subtotal": "on"},
        ),
    )
    assert response.status_code == 302, _errors(response)
    promotion = BuyXPayYPromotion.objects.get()
    assert (promotion.kind, promotion.x, promotion.y, promotion.cheapest_free) == (
        "buy_x_pay_y_promotions",
        3,
        2,
        True,
    )
    assert promotion.sku_list_id == sku_list.pk
    rule = SkuListPromotionRule.objects.get(promotion=promotion)
    assert (rule.sku_list_id, rule.min_quantity) == (sku_list.pk, 3)
    amount = OrderAmountPromotionRule.objects.get(promotion=promotion)
    assert (amount.order_amount_cents, amount.use_subtotal) == (5000, True)

    page = admin_client.get(_url(BuyXPayYPromotion, "change", promotion.pk))
    text = page.content.decode()
    assert rule.public_id in text and amount.public_id in text
    form = page.context["adminform"].form
    assert {"x", "y", "cheapest_free", "sku_list"} <= set(form.fields)
    assert not {"percentage", "fixed_amount_cents", "max_quantity", "kind"} & set(form.fields)


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"x": "2", "y": "2"}, "y"),
        ({"x": "3"}, "y"),
        ({"x": "0", "y": "0"}, "x"),
        ({"x": "3", "y": "2", "sku_list": ""}, "sku_list"),
    ],
)
def test_a_buy_x_pay_y_form_is_checked_as_the_api_checks_it(admin_client, fields, field):
    sku_list = SkuListFactory()
    data = _promotion_form(sku_list=str(sku_list.pk)) | fields | _management()
    response = admin_client.post(_url(BuyXPayYPromotion, "add"), data)
    assert field in _errors(response)
    assert not BuyXPayYPromotion.objects.exists()


def test_a_free_gift_gets_one_unit_when_blank(admin_client):
    sku_list = SkuListFactory()
    data = _promotion_form(sku_list=str(sku_list.pk), max_quantity="") | _management()
    response = admin_client.post(_url(FreeGiftPromotion, "add"), data)
    assert response.status_code == 302, _errors(response)
    assert FreeGiftPromotion.objects.get().max_quantity == 1


def test_a_rule_is_attached_to_an_existing_promotion(admin_client):
    promotion = PercentageDiscountPromotionFactory(percentage=10)
    OrderAmountPromotionRuleFactory(promotion=BuyXPayYPromotionFactory())  # another's
    data = _promotion_form(name=promotion.name, percentage="10") | _management(
        order_amount_promotion_rule={"order_amount_cents": "2500"}
    )
    response = admin_client.post(_url(PercentageDiscountPromotion, "change", promotion.pk), data)
    assert response.status_code == 302, _errors(response)
    assert OrderAmountPromotionRule.objects.get(promotion=promotion).order_amount_cents == 2500


def test_coupon_codes_have_8_to_40_characters(admin_client):
    rule = CouponCodesPromotionRuleFactory()
    base = {"promotion_rule": str(rule.pk), "metadata": "{}", "usage_count": "0"}
    short = admin_client.post(_url(Coupon, "add"), base | {"code": "SHORT"})
    assert "code" in _errors(short)
    long = admin_client.post(_url(Coupon, "add"), base | {"code": "L" * 41})
    assert "code" in _errors(long)
    good = admin_client.post(_url(Coupon, "add"), base | {"code": "GOODCODE"})
    assert good.status_code == 302
    assert Coupon.objects.get().promotion_id == rule.promotion_id


def test_order_amounts_are_listed_in_the_promotions_currency(admin_client, market):
    OrderAmountPromotionRuleFactory(promotion=PercentageDiscountPromotionFactory(market=market))
    page = admin_client.get(_url(OrderAmountPromotionRule, "changelist"))
    assert page.status_code == 200
    assert "$50.00" in page.content.decode()


def test_the_page_of_every_kind_checks_the_kind_chosen(admin_client):
    data = _promotion_form(kind="free_gift_promotions") | _management()
    response = admin_client.post(_url(Promotion, "add"), data)
    assert "sku_list" in _errors(response)
    sku_list = SkuListFactory()
    data |= {"sku_list": str(sku_list.pk)}
    response = admin_client.post(_url(Promotion, "add"), data)
    assert response.status_code == 302, _errors(response)
    created = Promotion.objects.get()
    assert (created.kind, created.max_quantity) == ("free_gift_promotions", 1)
