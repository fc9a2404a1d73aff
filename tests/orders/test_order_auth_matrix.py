"""auth.md's matrix for orders and what hangs off them, cell by cell, with attackers: the sales
channel of a second market and a second customer.

The world: four owners — a guest order of the `usa` sales channel, a guest order of the `eu`
sales channel, and the orders of two customers (Ada and Bob, signed in through the `usa`
channel) — each with a pending cart (line item, billing address, wire transfer) and a placed
order (its authorization). Every actor tries to read, list, change and delete every owner's
records: what is out of its reach is a 404 exactly like a record that does not exist, and
nothing changes; what its kind may not do at all is a 401; back-office triggers and read-only
attributes are a 400 naming them.
"""

import pytest
from django.db import transaction

from commerce.models import Address
from orders.models import Customer, CustomerAddress, LineItem, Order, Transaction
from tests import factories as f
from tests.conftest import JsonApiClient, obtain_token, rel
from tests.orders.conftest import snapshot
from tests.shop import make_cart, ok

pytestmark = [pytest.mark.django_db]

OWNERS = ["guest_usa", "guest_eu", "ada", "bob"]
ACTORS = ["integration", "sales_channel", "eu_sales_channel", "ada", "bob"]
# Whose records each actor reaches.
REACH = {
    "integration": set(OWNERS),
    "sales_channel": {"guest_usa"},
    "eu_sales_channel": {"guest_eu"},
    "ada": {"ada"},
    "bob": {"bob"},
}


class World:
    def __init__(self):
        self.apis: dict[str, JsonApiClient] = {}
        self.orders: dict[str, Order] = {}
        self.placed: dict[str, Order] = {}
        self.customers: dict[str, Customer] = {}
        self.customer_addresses: dict[str, CustomerAddress] = {}

    def record(self, type_name, owner):
        order = self.orders[owner]
        if type_name == "orders":
            return order
        if type_name == "line_items":
            return LineItem.objects.filter(order=order, item_type="skus").get()
        if type_name == "addresses":
            return order.billing_address
        if type_name == "wire_transfers":
            return order.payment_source
        if type_name == "shipments":
            return order.shipments.get()
        if type_name == "authorizations":
            return Transaction.objects.get(order=self.placed[owner], kind="authorizations")
        if type_name == "customer_addresses":
            return self.customer_addresses[owner]
        raise AssertionError(type_name)


def _customer_api(client, client_id, email, password, scope):
    token = obtain_token(
        client,
        grant_type="password",
        client_id=client_id,
        username=email,
        password=password,
        scope=scope,
    )
    return JsonApiClient(client, token)


@pytest.fixture
def world(client, integration, make_api_client, shop, eu_shop):
    w = World()
    w.apis["integration"] = integration
    for name, market in (
        ("sales_channel", shop["market"]),
        ("eu_sales_channel", eu_shop["market"]),
    ):
        scope = f"market:code:{market.code}"
        client_id = make_api_client("sales_channel", scope)
        token = obtain_token(
            client, grant_type="client_credentials", client_id=client_id, scope=scope
        )
        w.apis[name] = JsonApiClient(client, token)
        if market == shop["market"]:
            usa_client_id = client_id
    for name in ("ada", "bob"):
        customer = f.CustomerFactory(email=f"{name}@example.com")
        customer.set_password(f"{name}-password")
        customer.save()
        w.customers[name] = customer
        w.apis[name] = _customer_api(
            client,
            usa_client_id,
            customer.email,
            f"{name}-password",
            f"market:code:{shop['market'].code}",
        )
    for owner in OWNERS:
        where = eu_shop if owner == "guest_eu" else shop
        customer = w.customers.get(owner)
        w.orders[owner] = make_cart(where, customer=customer, email=f"{owner}@example.com")
        w.placed[owner] = make_cart(where, customer=customer, email=f"{owner}@example.com")
        ok(integration.update("orders", w.placed[owner].public_id, {"_place": True}))
        if customer is not None:
            w.customer_addresses[owner] = CustomerAddress.objects.create(
                customer=customer, address=f.AddressFactory(owner_customer_id=customer.pk)
            )
    return w


class _Undo(Exception):
    pass


def undone(check, *args):
    """Run `check` in a savepoint that is then rolled back (the world stays as built)."""
    try:
        with transaction.atomic():
            check(*args)
            raise _Undo
    except _Undo:
        pass


def assert_not_found(response):
    assert response.status_code == 404, response.json()
    assert response.json()["errors"][0]["code"] == "RECORD_NOT_FOUND"


def assert_unauthorized(response):
    assert response.status_code == 401, response.json()
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"


# --- reading by id ----------------------------------------------------------------------------

READ_TYPES = ["orders", "line_items", "addresses", "wire_transfers", "shipments", "authorizations"]
STOREFRONTS = ["sales_channel", "eu_sales_channel", "ada", "bob"]
OWN = {"sales_channel": "guest_usa", "eu_sales_channel": "guest_eu", "ada": "ada", "bob": "bob"}


def check_read_by_id(world, actor, type_name, owner):
    record = world.record(type_name, owner)
    response = world.apis[actor].get(f"/api/{type_name}/{record.public_id}")
    if owner in REACH[actor]:
        assert ok(response)["id"] == record.public_id
    else:
        assert_not_found(response)


def check_customer_address_by_id(world, actor, owner):
    record = world.record("customer_addresses", owner)
    response = world.apis[actor].get(f"/api/customer_addresses/{record.public_id}")
    if actor.endswith("sales_channel"):
        assert_unauthorized(response)  # a guest has no address book
    elif owner in REACH[actor]:
        assert ok(response)["id"] == record.public_id
    else:
        assert_not_found(response)


RELATED = ["line_items", "shipments", "authorizations", "transactions", "billing_address"]


def check_related(world, actor, owner, name):
    placed = name in ("authorizations", "transactions")
    order = (world.placed if placed else world.orders)[owner]
    response = world.apis[actor].get(f"/api/orders/{order.public_id}/{name}")
    if owner in REACH[actor]:
        assert ok(response)
    else:
        assert_not_found(response)


INCLUDE = "line_items,billing_address,shipping_address,payment_source,shipments,market"


def check_includes(world, actor, owner):
    """An order out of reach can't be read with includes either; one within reach includes
    only its own records."""
    order = world.orders[owner]
    response = world.apis[actor].get(f"/api/orders/{order.public_id}?include={INCLUDE}")
    if owner not in REACH[actor]:
        assert_not_found(response)
        return
    included = {(i["type"], i["id"]) for i in response.json()["included"]}
    own = {("addresses", order.billing_address.public_id)}
    own |= {("line_items", li.public_id) for li in order.line_items.all()}
    own |= {("wire_transfers", order.payment_source.public_id)}
    own |= {("shipments", s.public_id) for s in order.shipments.all()}
    own |= {("markets", order.market.public_id)}
    assert included == own


# --- lists --------------------------------------------------------------------------------------


def check_order_list(world, actor):
    response = world.apis[actor].get("/api/orders?page[size]=25")
    if actor.endswith("sales_channel"):
        assert_unauthorized(response)  # guests have no order history
        return
    ids = {o["id"] for o in ok(response)}
    expected = {
        o.public_id for owner in REACH[actor] for o in (world.orders[owner], world.placed[owner])
    }
    assert ids == expected


BACK_OFFICE_LISTS = ["line_items", "wire_transfers", "transactions", "authorizations", "shipments"]


def check_back_office_list(world, actor, type_name):
    response = world.apis[actor].get(f"/api/{type_name}")
    if actor == "integration":
        assert ok(response)
    else:
        assert_unauthorized(response)


def check_address_lists(world, actor, type_name):
    response = world.apis[actor].get(f"/api/{type_name}?page[size]=25")
    if actor.endswith("sales_channel"):
        assert_unauthorized(response)
        return
    ids = {a["id"] for a in ok(response)}
    if actor == "integration":
        assert len(ids) == min(
            25, (Address if type_name == "addresses" else CustomerAddress).objects.count()
        )
        return
    customer = world.customers[actor]
    if type_name == "addresses":
        owned = Address.objects.filter(owner_customer_id=customer.pk)
        expected = set(owned.values_list("public_id", flat=True))
    else:
        expected = {world.customer_addresses[actor].public_id}
    assert ids == expected and ids


# --- changing and deleting ---------------------------------------------------------------------

UPDATES = {
    "orders": ({"language_code": "it"}, "language_code", "it"),
    "line_items": ({"quantity": 3}, "quantity", 3),
    "addresses": ({"city": "Napoli"}, "city", "Napoli"),
    "customer_addresses": ({"reference": "mine"}, "reference", "mine"),
}


def check_update(world, actor, type_name, owner):
    attributes, field, value = UPDATES[type_name]
    record = world.record(type_name, owner)
    before = snapshot(world.orders[owner])
    response = world.apis[actor].update(type_name, record.public_id, attributes)
    if type_name == "customer_addresses" and actor.endswith("sales_channel"):
        assert_unauthorized(response)
    elif owner in REACH[actor]:
        assert ok(response)["attributes"][field] == value
        record.refresh_from_db()
        assert getattr(record, field) == value
        return
    else:
        assert_not_found(response)
    record.refresh_from_db()
    assert getattr(record, field) != value
    assert snapshot(world.orders[owner]) == before


def check_delete_line_item(world, actor, owner):
    line = world.record("line_items", owner)
    response = world.apis[actor].delete(f"/api/line_items/{line.public_id}")
    if owner in REACH[actor]:
        assert response.status_code == 204
        assert not LineItem.objects.filter(pk=line.pk).exists()
    else:
        assert_not_found(response)
        assert LineItem.objects.filter(pk=line.pk).exists()


def check_payment_triggers_refused(world, actor, trigger):
    owner = OWN[actor]
    auth = world.record("authorizations", owner)
    before = snapshot(world.placed[owner])
    assert_unauthorized(world.apis[actor].update("authorizations", auth.public_id, {trigger: True}))
    assert snapshot(world.placed[owner]) == before


# --- creating against records out of reach ---------------------------------------------------


def creates_against(order):
    sku_code = order.line_items.get(item_type="skus").sku_code
    return {
        "line_item": (
            "line_items",
            {"sku_code": sku_code, "quantity": 1},
            {"order": rel("orders", order.public_id)},
            "/data/relationships/order",
        ),
        "wire_transfer": (
            "wire_transfers",
            {},
            {"order": rel("orders", order.public_id)},
            "/data/relationships/order",
        ),
        "order_with_their_address": (
            "orders",
            {},
            {"billing_address": rel("addresses", order.billing_address.public_id)},
            "/data/relationships/billing_address",
        ),
    }


def check_create_against(world, actor, owner, case):
    order = world.orders[owner]
    type_name, attributes, relationships, pointer = creates_against(order)[case]
    before = snapshot(order)
    counts = (Order.objects.count(), LineItem.objects.count())
    response = world.apis[actor].create(type_name, attributes, relationships)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == [pointer], errors
    assert errors[0]["meta"]["error"] == "not_found"
    assert snapshot(order) == before
    assert (Order.objects.count(), LineItem.objects.count()) == counts


def check_clone_from(world, actor, owner, trigger):
    mine = world.orders[OWN[actor]]
    theirs = world.orders[owner].billing_address.public_id
    before = snapshot(mine)
    response = world.apis[actor].update("orders", mine.public_id, {trigger: theirs})
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == [f"/data/attributes/{trigger}"]
    assert snapshot(mine) == before


def check_created_in_own_market(world, actor):
    api = world.apis[actor]
    own_market = world.orders[OWN[actor]].market
    created = ok(api.create("orders", {}), 201)
    order = Order.objects.get(public_id=created["id"])
    assert order.market == own_market
    assert order.guest is actor.endswith("sales_channel")
    other_market = world.orders["guest_usa" if OWN[actor] == "guest_eu" else "guest_eu"].market
    count = Order.objects.count()
    other = api.create("orders", {}, {"market": rel("markets", other_market.public_id)})
    assert other.status_code == 422, other.json()
    assert other.json()["errors"][0]["source"]["pointer"] == "/data/relationships/market"
    assert Order.objects.count() == count


# --- back-office triggers and read-only attributes -------------------------------------------

BACK_OFFICE = ["_approve", "_approve_and_capture", "_capture", "_refund", "_archive"]
BACK_OFFICE += ["_unarchive", "_pending"]


def check_back_office_trigger(world, actor, which, trigger):
    order = getattr(world, which)[OWN[actor]]
    before = snapshot(order)
    response = world.apis[actor].update("orders", order.public_id, {trigger: True})
    assert response.status_code == 400, response.json()
    error = response.json()["errors"][0]
    assert error["code"] == "PARAM_NOT_ALLOWED"
    assert error["source"]["pointer"] == f"/data/attributes/{trigger}"
    assert snapshot(order) == before


def check_place_and_cancel(world, actor):
    """Storefronts place and abandon their own carts, but cancel no placed order."""
    api = world.apis[actor]
    placed = world.placed[OWN[actor]]
    before = snapshot(placed)
    refused = api.update("orders", placed.public_id, {"_cancel": True})
    assert refused.status_code == 422, refused.json()
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
    assert snapshot(placed) == before
    cart = world.orders[OWN[actor]]
    assert ok(api.update("orders", cart.public_id, {"_place": True}))["attributes"]["status"] == (
        "placed"
    )
    shop = {
        "market": cart.market,
        "sku": cart.line_items.get(item_type="skus").sku,
        "payment_method": cart.payment_method,
    }
    abandoned = make_cart(shop, customer=world.customers.get(actor))
    cancelled = ok(api.update("orders", abandoned.public_id, {"_cancel": True}))
    assert cancelled["attributes"]["status"] == "cancelled"


READ_ONLY = [
    ("status", "placed"),
    ("payment_status", "paid"),
    ("fulfillment_status", "fulfilled"),
    ("placed_at", "2026-01-01T00:00:00.000Z"),
    ("approved_at", "2026-01-01T00:00:00.000Z"),
    ("cancelled_at", "2026-01-01T00:00:00.000Z"),
    ("archived_at", "2026-01-01T00:00:00.000Z"),
    ("total_amount_cents", 1),
    ("subtotal_amount_cents", 1),
    ("total_amount_with_taxes_cents", 1),
    ("total_amount_with_taxes_float", 0.01),
    ("formatted_total_amount_with_taxes", "$0.01"),
    ("discount_amount_cents", -1),
    ("total_tax_amount_cents", 1),
    ("currency_code", "EUR"),
    ("token", "guessable"),
    ("skus_count", 9),
    ("editable", False),
]
LINE_ITEM_READ_ONLY = [("total_amount_cents", 1), ("discount_cents", -1), ("tax_amount_cents", 1)]


def own_order(world, actor):
    return world.orders["guest_usa" if actor == "integration" else OWN[actor]]


def check_read_only(world, actor, type_name, name, value):
    order = own_order(world, actor)
    record = order if type_name == "orders" else order.line_items.get(item_type="skus")
    before = snapshot(order)
    response = world.apis[actor].update(type_name, record.public_id, {name: value})
    assert response.status_code == 400, response.json()
    error = response.json()["errors"][0]
    assert error["code"] == "PARAM_NOT_ALLOWED"
    assert error["source"]["pointer"] == f"/data/attributes/{name}"
    assert snapshot(order) == before


def check_no_unit_price(world, actor):
    order = own_order(world, actor)
    before = snapshot(order)
    response = world.apis[actor].create(
        "line_items",
        {"sku_code": order.line_items.get(item_type="skus").sku_code, "quantity": 1},
        {"order": rel("orders", order.public_id)},
    )
    assert response.status_code == 201, response.json()  # the control: the same without a price
    undo = world.apis[actor].delete(f"/api/line_items/{response.json()['data']['id']}")
    assert undo.status_code == 204
    before = snapshot(order)
    response = world.apis[actor].create(
        "line_items",
        {"sku_code": "ORD-1", "quantity": 1, "unit_amount_cents": 1},
        {"order": rel("orders", order.public_id)},
    )
    assert response.status_code == 400, response.json()
    pointer = response.json()["errors"][0]["source"]["pointer"]
    assert pointer == "/data/attributes/unit_amount_cents"
    assert snapshot(order) == before


def check_back_office_attribute(world, actor, name):
    order = own_order(world, actor)
    before = snapshot(order)
    value = "777777" if name == "number" else False
    for response in (
        world.apis[actor].update("orders", order.public_id, {name: value}),
        world.apis[actor].create("orders", {name: value}),
    ):
        assert response.status_code == 400, response.json()
        error = response.json()["errors"][0]
        assert (error["code"], error["source"]["pointer"]) == (
            "PARAM_NOT_ALLOWED",
            f"/data/attributes/{name}",
        )
    assert snapshot(order) == before


def check_integration_renumbers(world):
    api = world.apis["integration"]
    order = world.orders["guest_usa"]
    renumbered = ok(api.update("orders", order.public_id, {"number": "777777"}))
    assert renumbered["attributes"]["number"] == "777777"
    market = rel("markets", order.market.public_id)
    created = ok(api.create("orders", {"number": "888888"}, {"market": market}), 201)
    assert created["attributes"]["number"] == "888888"
    other = world.orders["bob"]
    before = snapshot(other)
    taken = api.update("orders", other.public_id, {"number": "777777"})
    assert taken.status_code == 422, taken.json()
    error = taken.json()["errors"][0]
    assert (error["source"]["pointer"], error["meta"]["error"]) == (
        "/data/attributes/number",
        "taken",
    )
    assert snapshot(other) == before


# --- the matrix ---------------------------------------------------------------------------------


def cells(world, actor):
    """(label, check, args) for every cell of the matrix this actor is tested on."""
    for type_name in READ_TYPES:
        for owner in OWNERS:
            yield f"GET {type_name} of {owner}", check_read_by_id, (type_name, owner)
    for owner in ("ada", "bob"):
        yield f"GET customer_addresses of {owner}", check_customer_address_by_id, (owner,)
    for owner in OWNERS:
        for name in RELATED:
            yield f"GET orders/{owner}/{name}", check_related, (owner, name)
        yield f"GET order of {owner} with includes", check_includes, (owner,)
    yield "list orders", check_order_list, ()
    for type_name in BACK_OFFICE_LISTS:
        yield f"list {type_name}", check_back_office_list, (type_name,)
    for type_name in ("addresses", "customer_addresses"):
        yield f"list {type_name}", check_address_lists, (type_name,)
    for type_name in UPDATES:
        for owner in ("ada", "bob") if type_name == "customer_addresses" else OWNERS:
            yield f"PATCH {type_name} of {owner}", check_update, (type_name, owner)
    for owner in OWNERS:
        yield f"DELETE line item of {owner}", check_delete_line_item, (owner,)
    for name, value in READ_ONLY:
        yield f"PATCH order {name}", check_read_only, ("orders", name, value)
    for name, value in LINE_ITEM_READ_ONLY:
        yield f"PATCH line item {name}", check_read_only, ("line_items", name, value)
    if actor == "integration":
        yield "renumber orders", lambda w, a: check_integration_renumbers(w), ()
        return
    for owner in OWNERS:
        if owner in REACH[actor]:
            continue
        for case in creates_against(world.orders[owner]):
            yield f"create {case} of {owner}", check_create_against, (owner, case)
        for trigger in ("_billing_address_clone_id", "_shipping_address_clone_id"):
            yield f"{trigger} from {owner}", check_clone_from, (owner, trigger)
    yield "create orders in own market", check_created_in_own_market, ()
    for trigger in ("_capture", "_void"):
        yield f"authorization {trigger}", check_payment_triggers_refused, (trigger,)
    for which in ("orders", "placed"):
        for trigger in BACK_OFFICE:
            yield f"{trigger} on {which}", check_back_office_trigger, (which, trigger)
    yield "place and cancel", check_place_and_cancel, ()
    yield "no unit price", check_no_unit_price, ()
    for name in ("number", "guest"):
        yield f"write {name}", check_back_office_attribute, (name,)


@pytest.mark.parametrize("actor", ACTORS)
def test_auth_matrix(world, actor, subtests):
    """Every cell runs in a savepoint undone afterwards, so each meets the world as built."""
    for label, check, args in list(cells(world, actor)):
        with subtests.test(cell=label):
            undone(check, world, actor, *args)
