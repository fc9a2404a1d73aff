"""Coupons (catalog.md "Coupons and usage limits"): codes of 8 to 40 characters, and
`customer_single_use` coupons, usable only when no other placed, uncancelled order of the same
customer (its `customer`, else its `customer_email`) carries the code: checked when
`coupon_code` is set and again in `_place`, under the coupon's row lock."""

import pytest

from markets.models import Coupon
from orders.models import Order
from orders.services import promotions as promotion_reads
from tests import factories as f
from tests.conftest import rel
from tests.inventory.racing import all_at_once, assert_clean
from tests.markets_tax_promotions.conftest import (
    CouponCodesPromotionRuleFactory,
    CouponFactory,
    PercentageDiscountPromotionFactory,
)
from tests.orders.conftest import snapshot
from tests.promotions.helpers import error
from tests.shop import make_cart, ok

USED = "coupon_code - has already been used by this customer"


# --- codes: 8 to 40 characters ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.sqlite
@pytest.mark.parametrize(
    "code,detail,meta",
    [
        ("SEVEN-7", "code - is too short (minimum is 8 characters)", {"error": "too_short"}),
        ("X" * 41, "code - is too long (maximum is 40 characters)", {"error": "too_long"}),
        ("", "code - can't be blank", {"error": "blank"}),
    ],
)
def test_codes_have_8_to_40_characters(integration, code, detail, meta):
    rule = CouponCodesPromotionRuleFactory()
    linkage = {"promotion_rule": rel("coupon_codes_promotion_rules", rule.public_id)}
    refused = integration.create("coupons", {"code": code}, linkage)
    problem = error(refused)
    assert problem["source"]["pointer"] == "/data/attributes/code"
    assert problem["detail"] == detail
    assert problem["meta"]["error"] == meta["error"]
    assert not Coupon.objects.exists()
    for good in ("EIGHT-08", "Y" * 40):
        assert integration.create("coupons", {"code": good}, linkage).status_code == 201, good
    coupon = Coupon.objects.get(code="EIGHT-08")
    renamed = integration.update("coupons", coupon.public_id, {"code": code})
    assert error(renamed)["detail"] == detail
    coupon.refresh_from_db()
    assert coupon.code == "EIGHT-08"


# --- customer_single_use ---------------------------------------------------------------------


@pytest.fixture
def single_use(shop):
    promotion = PercentageDiscountPromotionFactory(market=shop["market"])
    rule = CouponCodesPromotionRuleFactory(promotion=promotion)
    return CouponFactory(code="ONLY-ONCE", promotion_rule=rule, customer_single_use=True)


def with_coupon(api, cart, code="ONLY-ONCE"):
    return api.update("orders", cart.public_id, {"coupon_code": code})


def place(api, cart):
    return api.update("orders", cart.public_id, {"_place": True})


def refused_as_used(response) -> None:
    problem = error(response)
    assert (problem["source"]["pointer"], problem["detail"]) == (
        "/data/attributes/coupon_code",
        USED,
    )
    assert problem["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
@pytest.mark.sqlite
def test_set_on_a_cart_of_a_customer_who_placed_an_order_with_it(
    shop, single_use, integration, sales_channel
):
    customer = f.CustomerFactory()
    first = make_cart(shop, customer=customer)
    ok(with_coupon(integration, first))
    assert ok(place(integration, first))["attributes"]["discount_amount_cents"] == -200

    again = make_cart(shop, customer=customer)
    refused_as_used(with_coupon(integration, again))
    again.refresh_from_db()
    assert again.coupon_code is None
    # The same customer by email only (a guest cart of that address) ...
    guest = make_cart(shop, email=customer.email.upper())
    refused_as_used(with_coupon(integration, guest))
    refused_as_used(
        sales_channel.create(
            "orders", {"customer_email": customer.email, "coupon_code": "ONLY-ONCE"}
        )
    )
    # ... while another customer may use it, once.
    other = make_cart(shop, customer=f.CustomerFactory())
    ok(with_coupon(integration, other))
    ok(place(integration, other))
    single_use.refresh_from_db()
    assert single_use.usage_count == 2


@pytest.mark.django_db
@pytest.mark.sqlite
def test_two_carts_of_one_customer_place_one_after_the_other(shop, single_use, integration):
    customer = f.CustomerFactory()
    first, second = make_cart(shop, customer=customer), make_cart(shop, customer=customer)
    ok(with_coupon(integration, first))
    ok(with_coupon(integration, second))  # neither placed yet
    ok(place(integration, first))

    before = snapshot(second)
    refused_as_used(place(integration, second))
    assert snapshot(second) == before  # still pending: nothing reserved, nothing authorized
    single_use.refresh_from_db()
    assert single_use.usage_count == 1

    # A cancelled order no longer holds it (and gives its use back).
    ok(integration.update("orders", first.public_id, {"_cancel": True}))
    placed = ok(place(integration, second))
    assert placed["attributes"]["status"] == "placed"
    assert placed["attributes"]["discount_amount_cents"] == -200
    single_use.refresh_from_db()
    assert single_use.usage_count == 1


@pytest.mark.django_db
@pytest.mark.sqlite
def test_place_checks_again_under_the_coupons_lock(shop, single_use, integration, monkeypatch):
    """What a cart saw when it took the coupon (and the check before the locks) may be stale:
    the check after the coupon's row lock still refuses the second order."""
    customer = f.CustomerFactory()
    first, second = make_cart(shop, customer=customer), make_cart(shop, customer=customer)
    ok(with_coupon(integration, first))
    ok(with_coupon(integration, second))
    ok(place(integration, first))
    monkeypatch.setattr(promotion_reads, "used_by_customer", lambda order, code: False)
    before = snapshot(second)
    refused_as_used(place(integration, second))
    assert snapshot(second) == before
    single_use.refresh_from_db()
    assert single_use.usage_count == 1


@pytest.mark.django_db
@pytest.mark.sqlite
def test_a_coupon_not_single_use_is_used_again(shop, single_use, integration):
    Coupon.objects.filter(pk=single_use.pk).update(customer_single_use=False)
    customer = f.CustomerFactory()
    for _ in range(2):
        cart = make_cart(shop, customer=customer)
        ok(with_coupon(integration, cart))
        ok(place(integration, cart))
    assert Order.objects.filter(status="placed", coupon_code="ONLY-ONCE").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.usefixtures("races")
def test_racing_carts_of_one_customer_place_one(shop, single_use, integration):
    customer = f.CustomerFactory()
    carts = [make_cart(shop, customer=customer, coupon_code="ONLY-ONCE") for _ in range(4)]
    results = all_at_once(
        [(c.public_id, integration.token, "orders", c.public_id, {"_place": True}) for c in carts]
    )
    assert_clean(results)
    placed = [key for key, (status, _) in results.items() if status == 200]
    assert len(placed) == 1
    for status, body in results.values():
        if status == 422:
            assert [(e["source"]["pointer"], e["detail"]) for e in body["errors"]] == [
                ("/data/attributes/coupon_code", USED)
            ]
    assert sorted(
        Order.objects.filter(pk__in=[c.pk for c in carts]).values_list("status", flat=True)
    ) == [
        "pending",
        "pending",
        "pending",
        "placed",
    ]
    single_use.refresh_from_db()
    assert single_use.usage_count == 1
