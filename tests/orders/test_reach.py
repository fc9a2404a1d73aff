"""An order's billing and shipping address relationships are resolved within the addresses
resource's scope, and no further check is made (orders.views.orders.allows_target): that is
right only while that scope is within `address_scope`, what a caller may name on an order
(auth.md's addresses row). Checked here for every kind of caller, over addresses of every
kind of owner and use."""

import pytest

from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL, TokenContext
from commerce.views import AddressResource
from orders.views.reach import address_scope
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _ctx(kind, market=None, customer=None) -> TokenContext:
    return TokenContext(
        kind=kind,
        application_id=0,
        client_id="reach",
        market_ids=(market.pk,) if market else None,
        customer_id=customer.pk if customer else None,
    )


def test_what_an_order_may_name_covers_what_the_addresses_resource_finds():
    here, there = f.MarketFactory(), f.MarketFactory()
    ada, bob = f.CustomerFactory(), f.CustomerFactory()
    loose = f.AddressFactory()  # on no order, no owner
    on_guest_here = f.AddressFactory()
    on_guest_there = f.AddressFactory()
    adas, bobs = (
        f.AddressFactory(owner_customer_id=ada.pk),
        f.AddressFactory(owner_customer_id=bob.pk),
    )
    on_bobs_order = f.AddressFactory()
    f.OrderFactory(market=here, guest=True, billing_address=on_guest_here)
    f.OrderFactory(market=there, guest=True, shipping_address=on_guest_there)
    f.OrderFactory(market=here, guest=False, customer=bob, billing_address=on_bobs_order)

    callers = {
        "sales channel": _ctx(SALES_CHANNEL, here),
        "customer": _ctx(CUSTOMER, here, ada),
        "integration": _ctx(INTEGRATION),
    }
    found = {
        who: set(AddressResource.scoped_queryset(ctx).values_list("pk", flat=True))
        for who, ctx in callers.items()
    }
    for who, ctx in callers.items():
        nameable = set(address_scope(ctx).values_list("pk", flat=True))
        assert found[who] <= nameable, who
    # The world tells the callers apart: of these addresses, each finds what auth.md gives it.
    mine = {a.pk for a in (loose, on_guest_here, on_guest_there, adas, bobs, on_bobs_order)}
    assert found["sales channel"] & mine == {loose.pk, on_guest_here.pk}
    assert found["customer"] & mine == {adas.pk}
    assert found["integration"] & mine == mine
