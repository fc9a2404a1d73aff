"""A copy's follow-ups (aftersale.md §4): `place_target_order` places the target and
`cancel_source_order` cancels the source, each with orders.md's guards (their refusals:
test_copy_errors.py); `reuse_wallet` pays the target with the wallet entry the source was paid
with or saved to; a wire transfer is made anew whatever `reuse_wallet` says."""

import pytest

from inventory.models import StockReservation
from orders.models import CustomerPaymentSource, Order, PaymentSource
from tests import factories as f
from tests.order_copies.conftest import copy_now, placed_order, wallet_method
from tests.shop import make_cart

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_place_target_order_places_the_copy(integration, shop):
    source = placed_order(integration, shop)
    copy = copy_now(integration, source, place_target_order=True)
    target = Order.objects.get(pk=copy.target_order_id)
    assert copy.status == "completed" and copy.errors_log == {}
    assert (target.status, target.payment_status) == ("placed", "authorized")
    assert target.place_total_amount_cents == source.place_total_amount_cents
    assert set(target.shipments.values_list("status", flat=True)) == {"upcoming"}
    held = StockReservation.objects.filter(stock_line_item__shipment__order=target)
    assert sum(r.quantity for r in held) == 2
    source.refresh_from_db()
    assert source.status == "placed"  # untouched


def test_cancel_source_order_cancels_the_source(integration, shop):
    source = placed_order(integration, shop)
    copy = copy_now(integration, source, cancel_source_order=True, place_target_order=True)
    source.refresh_from_db()
    assert (source.status, source.payment_status) == ("cancelled", "voided")
    assert not StockReservation.objects.filter(stock_line_item__shipment__order=source).exists()
    assert Order.objects.get(pk=copy.target_order_id).status == "placed"


@pytest.fixture
def ada():
    return f.CustomerFactory(email="ada@example.com")


def paid_from_wallet(shop, customer, *, saved_to=False):
    """A customer's cart paid with an external payment made from a wallet entry (or, with
    `saved_to`, whose payment was saved to the wallet)."""
    method = wallet_method(shop["market"])
    entry = CustomerPaymentSource.objects.create(
        customer=customer, payment_method=method, payment_source_token="psp_tok", name="PSP"
    )
    cart = make_cart(shop, customer=customer)
    cart.payment_method = method
    cart.payment_source = PaymentSource.objects.create(
        kind="external_payments",
        order=cart,
        payment_gateway=method.payment_gateway,
        payment_source_token="psp_tok",
        wallet=None if saved_to else entry,
    )
    cart.save()
    if saved_to:
        entry.payment_source = cart.payment_source
        entry.save()
    return cart, entry


@pytest.mark.parametrize("saved_to", [False, True], ids=["paid_with", "saved_to"])
def test_reuse_wallet_pays_the_copy_with_the_wallet_entry(integration, shop, ada, saved_to):
    source, entry = paid_from_wallet(shop, ada, saved_to=saved_to)
    target = copy_now(integration, source).target_order
    payment = target.payment_source
    assert payment.pk != source.payment_source_id and payment.order_id == target.pk
    assert (payment.kind, payment.wallet_id, payment.payment_source_token) == (
        "external_payments",
        entry.pk,
        "psp_tok",
    )
    assert target.payment_method_id == source.payment_method_id


def test_without_reuse_wallet_the_copy_has_no_payment_source(integration, shop, ada):
    source, _ = paid_from_wallet(shop, ada)
    target = copy_now(integration, source, reuse_wallet=False).target_order
    assert target.payment_source is None
    assert target.payment_method_id == source.payment_method_id


def test_another_customers_entry_is_never_reused(integration, shop, ada):
    source, entry = paid_from_wallet(shop, ada)
    entry.customer = f.CustomerFactory(email="eve@example.com")
    entry.save()
    target = copy_now(integration, source).target_order
    assert target.payment_source is None


def test_a_wire_transfer_is_made_anew_whatever_reuse_wallet_says(integration, shop):
    source = placed_order(integration, shop)
    for reuse in (True, False):
        target = copy_now(integration, source, reuse_wallet=reuse).target_order
        assert target.payment_source.kind == "wire_transfers"
        assert target.payment_source.order_id == target.pk
