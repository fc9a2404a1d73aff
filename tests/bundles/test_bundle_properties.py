"""catalog.md's properties with bundle lines in the cart (hypothesis): over random carts of sku
and bundle lines and random promotions (order wide, on the bundle's list, on a component's
list), the lines' discounts sum to the order's and never exceed a line, and a bundle line is
discounted only by a promotion that reaches it (none with a list, or the bundle's own)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from markets.models import Promotion
from orders.models import LineItem
from orders.services.totals import refresh_order
from tests.bundles.conftest import sku_list
from tests.scenarios.test_catalog_golden import _promotion
from tests.shop import make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

KINDS = ("percentage_discount_promotions", "fixed_amount_promotions", "buy_x_pay_y_promotions")


@st.composite
def carts(draw):
    skus = draw(st.lists(st.tuples(st.sampled_from("ab"), st.integers(1, 5)), max_size=3))
    bundles = draw(st.lists(st.integers(1, 5), min_size=1, max_size=2))
    promotions = draw(
        st.lists(
            st.tuples(
                st.sampled_from(KINDS),
                st.sampled_from(["none", "bundle", "component"]),
                st.integers(1, 3000),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return skus, bundles, promotions


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cart=carts())
def test_line_discounts_sum_to_the_order_s_and_reach_a_bundle_only_through_its_list(shop, cart):
    skus, bundles, promotions = cart
    LineItem.objects.all().delete()  # the carts of the examples before, with their promotions
    Promotion.objects.all().delete()
    component_list = sku_list((shop["a"], 1), name="A only")
    lists = {"none": None, "bundle": shop["bundle"].sku_list, "component": component_list}
    reaching = 0  # promotions that may reach a bundle line
    for kind, on, amount in promotions:
        values = {"fixed_amount_cents": amount} if kind == "fixed_amount_promotions" else {}
        if kind == "percentage_discount_promotions":
            values["percentage"] = amount % 100 + 1
        if kind == "buy_x_pay_y_promotions":
            values.update(x=3, y=2)
            on = on if on != "none" else "bundle"  # buy X pay Y needs a list
        _promotion(shop["market"], kind, sku_list=lists[on], **values)
        reaching += on != "component"
    order = make_cart(shop, [(shop[name], quantity) for name, quantity in skus] or None)
    bundle = shop["bundle"]
    for quantity in bundles:
        LineItem.objects.create(
            order=order,
            item_type="bundles",
            bundle=bundle,
            bundle_code=bundle.code,
            quantity=quantity,
            unit_amount_cents=bundle.price_amount_cents,
        )
    refresh_order(order)
    order.refresh_from_db()
    sold = list(order.line_items.filter(item_type__in=("skus", "bundles")))
    assert sum(li.discount_cents for li in sold) == order.discount_amount_cents
    for li in sold:
        assert -li.total_amount_cents <= li.discount_cents <= 0
    if not reaching:
        assert all(li.discount_cents == 0 for li in sold if li.item_type == "bundles")
