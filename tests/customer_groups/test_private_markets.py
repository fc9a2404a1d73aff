"""`_place` in a private market (catalog.md "Customer groups and private markets", golden C12):
only the market's customer group buys there, whatever the token; a market without a group
costs no query for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StockReservation
from orders.models import Order
from orders.services.customers import membership_errors
from tests import factories as f
from tests.conftest import rel
from tests.customer_groups.conftest import NOT_A_MEMBER, error
from tests.scenarios.test_golden_figures import _market, _sku
from tests.shop import make_cart

pytestmark = pytest.mark.django_db


def _cart(api, market, sku, email):
    """A cart ready to place, as the golden cases build theirs: 2 x `sku`, an Italian address,
    the market's payment method, a wire transfer."""
    order = api.create(
        "orders", {"customer_email": email}, {"market": rel("markets", market.public_id)}
    )
    assert order.status_code == 201, order.content
    order_id = order.json()["data"]["id"]
    line = api.create(
        "line_items", {"sku_code": sku.code, "quantity": 2}, {"order": rel("orders", order_id)}
    )
    assert line.status_code == 201, line.content
    address = api.create(
        "addresses",
        {"line_1": "Via Roma 1", "city": "Milano", "country_code": "IT", "phone": "+39 02 000"},
    ).json()["data"]["id"]
    patched = api.update(
        "orders",
        order_id,
        {},
        {
            "billing_address": rel("addresses", address),
            "shipping_address": rel("addresses", address),
            "payment_method": rel("payment_methods", market.payment_methods.get().public_id),
        },
    )
    assert patched.status_code == 200, patched.content
    api.create("wire_transfers", relationships={"order": rel("orders", order_id)})
    return order_id


def _assert_not_a_member(response):
    problem = error(response, 422)
    assert problem["source"]["pointer"] == "/data/attributes/customer_email"
    assert problem["title"] == NOT_A_MEMBER
    assert problem["detail"] == f"customer_email - {NOT_A_MEMBER}"


@pytest.mark.sqlite
def test_c12_private_market(integration):
    """C12: a market with a customer group is `private`; a non-member's `_place` is a 422 on
    `customer_email`; a member's is placed. On both databases."""
    market = _market("EUR", tax_included=True, rate=None, shipping_cents=500)
    sku = _sku(market, 1000)
    group = f.CustomerGroupFactory(name="Trade")
    member = f.CustomerFactory(email="member@example.com", customer_group=group)
    f.CustomerFactory(email="outsider@example.com")
    market.customer_group = group
    market.save()

    attributes = integration.get(f"/api/markets/{market.public_id}").json()["data"]["attributes"]
    assert attributes["private"] is True

    refused = _cart(integration, market, sku, "outsider@example.com")
    _assert_not_a_member(integration.update("orders", refused, {"_place": True}))
    order = Order.objects.get(public_id=refused)
    assert order.status == "pending" and order.placed_at is None
    assert not StockReservation.objects.filter(stock_item__sku=sku).exists()

    placed_id = _cart(integration, market, sku, "MEMBER@example.com")
    placed = integration.update("orders", placed_id, {"_place": True})
    assert placed.status_code == 200, placed.content
    assert placed.json()["data"]["attributes"]["status"] == "placed"
    assert Order.objects.get(public_id=placed_id).customer == member


def test_every_token_kind_is_checked(sales_channel, customer_token, market, group, shop, private):
    """Tokens issued before the market turned private still work, and `_place` still checks:
    a guest order for a non-member's email and a non-member customer's own order are refused,
    a guest order for a member's email is placed."""
    outsider = customer_token(market, "outsider@example.com")
    guest_refused = sales_channel.create("orders", {"customer_email": "guest@example.com"}).json()
    private()

    def ready(order_id, api):
        line = api.create(
            "line_items",
            {"sku_code": shop["sku"].code, "quantity": 1},
            {"order": rel("orders", order_id)},
        )
        assert line.status_code == 201, line.content
        order = Order.objects.get(public_id=order_id)
        order.billing_address = order.shipping_address = f.AddressFactory()
        order.payment_method = shop["payment_method"]
        order.save()
        api.create("wire_transfers", relationships={"order": rel("orders", order_id)})
        return order_id

    guest = ready(guest_refused["data"]["id"], sales_channel)
    _assert_not_a_member(sales_channel.update("orders", guest, {"_place": True}))

    own = ready(outsider.create("orders", {}).json()["data"]["id"], outsider)
    _assert_not_a_member(outsider.update("orders", own, {"_place": True}))

    f.CustomerFactory(email="member@example.com", customer_group=group)
    member_guest = sales_channel.create("orders", {"customer_email": "member@example.com"})
    welcome = ready(member_guest.json()["data"]["id"], sales_channel)
    placed = sales_channel.update("orders", welcome, {"_place": True})
    assert placed.status_code == 200, placed.content


def test_a_customer_let_in_may_place_the_order_refused_before(integration, shop, group, private):
    private()
    outsider = f.CustomerFactory(email="outsider@example.com")
    cart = make_cart(shop, customer=outsider)
    _assert_not_a_member(integration.update("orders", cart.public_id, {"_place": True}))
    joined = integration.update(
        "customers",
        outsider.public_id,
        {},
        {"customer_group": rel("customer_groups", group.public_id)},
    )
    assert joined.status_code == 200, joined.content
    placed = integration.update("orders", cart.public_id, {"_place": True})
    assert placed.status_code == 200, placed.content


def test_the_refusal_comes_with_the_other_problems(integration, shop, private):
    """Every problem at once (orders.md): the membership beside a missing billing address."""
    private()
    cart = make_cart(shop, email="outsider@example.com")
    cart.billing_address = None
    cart.save()
    response = integration.update("orders", cart.public_id, {"_place": True})
    assert response.status_code == 422, response.content
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/data/attributes/customer_email", "/data/relationships/billing_address"}


def test_membership_is_the_orders_customer_else_its_email(shop, group, private):
    """`customer` first: an order of a non-member customer is refused even when its email is a
    member's; without a customer, the email finds one (any case)."""
    private()
    market = shop["market"]
    member = f.CustomerFactory(email="member@example.com", customer_group=group)
    outsider = f.CustomerFactory(email="outsider@example.com")

    def errors(**order):
        return [e.title for e in membership_errors(f.OrderFactory(market=market, **order))]

    assert errors(customer=member, customer_email="outsider@example.com") == []
    assert errors(customer=outsider, customer_email="member@example.com") == [NOT_A_MEMBER]
    assert errors(customer_email="Member@Example.com") == []
    assert errors(customer_email="outsider@example.com") == [NOT_A_MEMBER]
    assert errors(customer_email="nobody@example.com") == [NOT_A_MEMBER]
    assert errors() == []  # no email: `customer_email` is blank, said once by placement


def test_a_public_market_costs_no_query(shop, group):
    """The market is read with the order: a market without a group asks nothing more, a
    private one one query."""
    customer = f.CustomerFactory(customer_group=group)
    order = f.OrderFactory(market=shop["market"], customer=customer)
    order = Order.objects.select_related("market").get(pk=order.pk)
    with CaptureQueriesContext(connection) as queries:
        assert membership_errors(order) == []
    assert len(queries) == 0
    shop["market"].customer_group = group
    shop["market"].save()
    order = Order.objects.select_related("market").get(pk=order.pk)
    with CaptureQueriesContext(connection) as queries:
        assert membership_errors(order) == []
    assert len(queries) == 1
