"""What an operator sees of orders: the list (columns, filters, search by number, email or SKU
code, a page of 100 at a fixed query cost) and the read-only detail page with its line items,
shipments and their stock line items, addresses, transactions and formatted money."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.models import Event
from orders.admin import ORDER_ACTIONS
from orders.models import Order
from tests import factories as f
from tests.admin.conftest import admin_url
from tests.admin.test_order_actions import order_in
from tests.shop import make_cart, ok

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text, tags dropped, whitespace squeezed."""
    body = re.sub(
        r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def listed(response) -> list[str]:
    return [str(order.number) for order in response.context["cl"].result_list]


def test_the_list_shows_each_orders_figures(integration, staff_client, shop):
    order = order_in(integration, shop, "paid")
    page = text_of(staff_client.get(admin_url(order, "changelist")))
    header = (
        "Number Status Payment status Fulfillment status Market Customer email "
        "Total amount with taxes Placed at"
    )
    assert header in page
    # 2 x $10.00 + $5.00 shipping, as the API's formatted total says.
    api = ok(integration.get(f"/api/orders/{order.public_id}"))
    assert api["attributes"]["formatted_total_amount_with_taxes"] == "$25.00"
    assert f"{order.number} approved paid in_progress usa shopper@example.com $25.00" in page
    for label in ORDER_ACTIONS.values():
        assert f"{label}: selected orders" in page


def test_filters_and_search(integration, staff_client, shop):
    placed = order_in(integration, shop, "placed")
    other_sku = f.SkuFactory(code="OTHER-9")
    f.PriceFactory(price_list=shop["market"].price_list, sku=other_sku, amount_cents=700)
    f.StockItemFactory(stock_location=shop["location"], sku=other_sku, quantity=5)
    other = make_cart(shop, [(other_sku, 1)], email="someone@example.org")
    ok(integration.update("orders", other.public_id, {"_place": True}))
    ok(integration.update("orders", other.public_id, {"_approve_and_capture": True}))
    cart = make_cart(shop, email="later@example.com")
    url = admin_url(placed, "changelist")

    def found(**query):
        return set(listed(staff_client.get(url, query)))

    assert found(q="OTHER-9") == {other.number}
    assert found(q="ADM-1") == {placed.number, cart.number}
    assert found(q="someone@example") == {other.number}
    assert found(q=placed.number) == {placed.number}
    assert found(status="approved") == {other.number}
    assert found(payment_status="authorized") == {placed.number}
    assert found(fulfillment_status="in_progress") == {other.number}
    assert found(market__id__exact=shop["market"].pk) == {placed.number, other.number, cart.number}
    assert found(market__id__exact=f.MarketFactory().pk) == set()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    placed_today = {"placed_at__gte": str(today), "placed_at__lt": str(today + timedelta(days=1))}
    assert found(**placed_today) == {placed.number, other.number}
    assert found(placed_at__isnull="True") == {cart.number}


def test_the_detail_page_shows_everything_formatted_and_read_only(integration, staff_client, shop):
    order = order_in(integration, shop, "paid")
    shipment = order.shipments.get()
    address = order.shipping_address
    response = staff_client.get(admin_url(order))
    assert response.status_code == 200
    page = text_of(response)
    for figures in (
        "Subtotal amount: $20.00",
        "Shipping amount: $5.00",
        "Total tax amount: $0.00",
        "Total amount with taxes: $25.00",
        "Status: approved Payment status: paid Fulfillment status: in_progress",
        f"Billing address: {address.full_name}, {address.line_1}, {address.zip_code}",
        f"Shipping address: {address.full_name}, {address.line_1}, {address.zip_code}",
        # the SKU line, then the shipment with its stock line items
        f"ADM-1 {shop['sku'].name} 2 $10.00 $0.00 $0.00 $20.00",
        f"{shipment.number} picking {shop['location'].code} Standard $5.00 2 × ADM-1",
        "authorizations",
        "captures",
    ):
        assert figures in page, figures
    # Only the notes are editable: money, statuses and relations are derived.
    form = response.context["adminform"].form
    assert set(form.fields) == {"reference", "reference_origin", "metadata"}
    for name in ("Approve", "Capture payment", "Approve and capture", "Cancel", "Refund"):
        assert f">{name}</button>" in response.content.decode()


def test_saving_the_notes_leaves_the_figures_alone(integration, staff_client, shop):
    order = order_in(integration, shop, "paid")
    before = (
        Order.objects.filter(pk=order.pk)
        .values("status", "payment_status", "total_amount_with_taxes_cents")
        .get()
    )
    response = staff_client.post(
        admin_url(order),
        {
            "reference": "call before delivery",
            "reference_origin": "",
            "metadata": "{}",
            "status": "cancelled",
            "total_amount_with_taxes_cents": "1",
            **inline_management_data(staff_client, order),
        },
    )
    assert response.status_code == 302, text_of(response)[-800:]
    order.refresh_from_db()
    assert order.reference == "call before delivery"
    assert {k: getattr(order, k) for k in before} == before


def inline_management_data(client, order) -> dict:
    """The inline formsets' management form, as the page renders it."""
    page = client.get(admin_url(order))
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, _field in management.fields.items():
            data[management.add_prefix(name)] = management[name].value()
    return data


# The session, its user, the market filter's choices, the count, one page of orders with their
# markets joined, and the placed-date bar's bounds and days.
PINNED = 7


def test_only_carts_can_be_deleted_one_by_one_as_over_the_api(
    integration, staff_client, viewer_client, shop
):
    placed = order_in(integration, shop, "placed")
    cart = order_in(integration, shop, "pending")
    listing = staff_client.get(admin_url(placed, "changelist"))
    actions = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "order_approve" in actions
    assert staff_client.get(admin_url(placed, "delete")).status_code == 403
    assert viewer_client.get(admin_url(cart, "delete")).status_code == 403
    assert staff_client.post(admin_url(cart, "delete"), {"post": "yes"}).status_code == 302
    assert set(Order.objects.values_list("number", flat=True)) == {placed.number}
    # deleted by the API's service: its event is in the outbox
    assert Event.objects.filter(topic="orders.destroy", resource_id=cart.public_id).exists()


def make_orders(count: int, markets) -> None:
    now = timezone.now()
    for n in range(count):
        f.OrderFactory(
            market=markets[n % len(markets)],
            status="placed",
            payment_status="authorized",
            customer_email=f"buyer{n}@example.com",
            total_amount_with_taxes_cents=1000 + n,
            placed_at=now - timedelta(minutes=n),
        )


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/orders/order/")
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def test_a_page_of_100_orders_costs_what_a_page_of_1_does(staff_client, db):
    markets = [f.MarketFactory(), f.MarketFactory(price_list__currency_code="EUR")]
    make_orders(1, markets)
    staff_client.get("/admin/orders/order/")  # warm: session, content types
    one = changelist_queries(staff_client)
    make_orders(120, markets)
    hundred = changelist_queries(staff_client)
    assert one == (PINNED, 1)
    assert hundred == (PINNED, 100)


@pytest.mark.parametrize("model_name", ["shipment", "lineitem", "stocklineitem", "paymentsource"])
def test_the_other_order_lists_cost_the_same_for_1_or_5_carts(staff_client, shop, model_name):
    url = f"/admin/orders/{model_name}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url)
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries], response.context["cl"].result_count

    make_cart(shop)
    staff_client.get(url)  # warm: session, content types
    one, rows_one = queries()
    for _ in range(4):
        make_cart(shop)
    five, rows_five = queries()
    assert rows_five > rows_one > 0
    assert len(five) == len(one), five


def test_each_line_shows_which_promotions_discount_it(staff_client, shop):
    # catalog.md: promotions combine; the order page says which gave what on which line.
    from markets.models import Promotion

    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "expires_at": now + timedelta(days=1)}
    Promotion.objects.create(
        kind="percentage_discount_promotions",
        name="Ten off",
        market=shop["market"],
        percentage=10,
        priority=1,
        **window,
    )
    Promotion.objects.create(
        kind="fixed_amount_promotions",
        name="One dollar",
        market=shop["market"],
        fixed_amount_cents=100,
        priority=2,
        **window,
    )
    cart = make_cart(shop)  # 2 x $10.00: 10 % is $2.00, then $1.00 of the $18.00 left
    page = text_of(staff_client.get(admin_url(cart)))
    assert f"ADM-1 {shop['sku'].name} 2 $10.00 -$3.00 One dollar: -$1.00; Ten off: -$2.00" in page
