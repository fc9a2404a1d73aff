"""Line item options (catalog.md "SKU options"): an option on a sku line of an editable order,
when its SKU option fits the line (regex, market); unit = the option's price (an integration may
set its own), total = unit x quantity, the line's `options_amount` = Σ option totals and its
total = unit x quantity + options_amount; storefronts reach them as they reach line items."""

import pytest

from orders.models import Adjustment, LineItem, LineItemOption, Order
from tests.conftest import assert_not_found, assert_unauthorized, rel
from tests.line_item_options.conftest import add_option, sku_line, sku_option
from tests.orders.conftest import events_since, last_event_id, snapshot
from tests.shop import build_shop, make_cart, ok

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def error_of(response, status=422) -> dict:
    assert response.status_code == status, response.json()
    (error,) = response.json()["errors"]
    return error


def pointer(response, status=422) -> str:
    return error_of(response, status)["source"]["pointer"]


def line_figures(line: LineItem) -> tuple[int, int]:
    line.refresh_from_db()
    return line.options_amount_cents, line.total_amount_cents


# --- golden C10 and the answer ------------------------------------------------------------


def test_golden_c10_an_option_adds_its_total_to_the_line(sales_channel, cart, engraving):
    line = sku_line(cart)
    option = ok(add_option(sales_channel, line, engraving, quantity=2), 201)
    attributes = option["attributes"]
    assert {k: attributes[k] for k in ("name", "quantity", "currency_code", "options")} == {
        "name": "Engraving",
        "quantity": 2,
        "currency_code": "USD",
        "options": {"text": "Ada"},
    }
    assert (attributes["unit_amount_cents"], attributes["formatted_unit_amount"]) == (500, "$5.00")
    assert (attributes["total_amount_cents"], attributes["total_amount_float"]) == (1000, 10.0)
    assert (attributes["delay_hours"], attributes["delay_days"]) == (48, 2)

    answer = ok(sales_channel.get(f"/api/line_items/{line.public_id}"))["attributes"]
    assert answer["options_amount_cents"] == 1000
    assert answer["formatted_options_amount"] == "$10.00"
    assert answer["total_amount_cents"] == 7000  # 2 x 3000 + 1000 (C10)
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 7000
    assert cart.total_amount_with_taxes_cents == 7000


def test_the_answer_to_a_write_is_what_a_get_shows(integration, cart, engraving):
    line = sku_line(cart)
    include = "?include=line_item,sku_option"
    created = add_option(integration, line, engraving)
    assert created.status_code == 201, created.json()
    option_id = created.json()["data"]["id"]
    fresh = integration.get(f"/api/line_item_options/{option_id}{include}").json()
    # the create's answer carried no includes; compare the option itself
    assert created.json()["data"] == {
        **fresh["data"],
        "relationships": created.json()["data"]["relationships"],
    }
    body = {
        "data": {
            "type": "line_item_options",
            "id": option_id,
            "attributes": {"quantity": 3},
        }
    }
    updated = integration.patch(f"/api/line_item_options/{option_id}{include}", body)
    assert updated.status_code == 200, updated.json()
    fresh = integration.get(f"/api/line_item_options/{option_id}{include}").json()
    assert updated.json() == fresh
    (included_line,) = [r for r in fresh["included"] if r["type"] == "line_items"]
    assert included_line["attributes"]["options_amount_cents"] == 1500


def test_the_line_lists_and_includes_its_options(integration, cart, engraving):
    line = sku_line(cart)
    option = ok(add_option(integration, line, engraving), 201)
    listed = ok(integration.get(f"/api/line_items/{line.public_id}/line_item_options"))
    assert [o["id"] for o in listed] == [option["id"]]
    document = integration.get(f"/api/line_items/{line.public_id}?include=line_item_options")
    data = document.json()["data"]["relationships"]["line_item_options"]["data"]
    assert data == [{"type": "line_item_options", "id": option["id"]}]
    assert [r["id"] for r in document.json()["included"]] == [option["id"]]
    linked = ok(integration.get(f"/api/line_item_options/{option['id']}/sku_option"))
    assert linked["id"] == engraving.public_id


# --- what fits a line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"sku_code_regex": "^GIFT-"}, id="regex-does-not-match"),
        pytest.param({"sku_code_regex": "OPT-1$", "currency_code": "EUR"}, id="other-currency"),
    ],
)
def test_an_option_that_does_not_fit_the_line_is_a_422_on_sku_option(
    integration, cart, market, fields
):
    before = snapshot(cart)
    response = add_option(integration, sku_line(cart), sku_option(market=market, **fields))
    assert pointer(response) == "/data/relationships/sku_option"
    assert snapshot(cart) == before


def test_an_option_of_another_market_is_a_422_on_sku_option(
    integration, sales_channel, cart, other_market
):
    option = sku_option(market=other_market, sku_code_regex=None)
    for api in (integration, sales_channel):  # the storefront does not even see it
        assert pointer(add_option(api, sku_line(cart), option)) == (
            "/data/relationships/sku_option"
        )
    assert not LineItemOption.objects.exists()


def test_an_option_without_regex_or_market_fits_any_sku_line(sales_channel, cart):
    option = ok(add_option(sales_channel, sku_line(cart), sku_option(), quantity=1), 201)
    assert option["attributes"]["total_amount_cents"] == 500
    assert (option["attributes"]["delay_hours"], option["attributes"]["delay_days"]) == (
        None,
        None,
    )


def test_an_adjustment_line_takes_no_option(integration, cart, engraving):
    adjustment = Adjustment.objects.create(name="Goodwill", currency_code="USD", amount_cents=-100)
    line = ok(
        integration.create(
            "line_items",
            {"item_type": "adjustments", "quantity": 1},
            {
                "order": rel("orders", cart.public_id),
                "item": rel("adjustments", adjustment.public_id),
            },
        ),
        201,
    )
    response = add_option(integration, LineItem.objects.get(public_id=line["id"]), engraving)
    assert pointer(response) == "/data/relationships/line_item"
    assert not LineItemOption.objects.exists()


@pytest.mark.parametrize(
    "attributes, name",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"options": None}, "options"),
        ({"options": ["a"]}, "options"),
    ],
)
def test_bad_attributes_are_422s_on_them(integration, cart, engraving, attributes, name):
    response = add_option(integration, sku_line(cart), engraving, **attributes)
    assert pointer(response) == f"/data/attributes/{name}"


def test_quantity_options_line_item_and_sku_option_are_required(integration, cart, engraving):
    response = integration.create("line_item_options", {"name": "x"})
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert response.status_code == 422
    assert pointers == {
        "/data/attributes/quantity",
        "/data/attributes/options",
        "/data/relationships/line_item",
        "/data/relationships/sku_option",
    }


# --- editable orders only -----------------------------------------------------------------


def test_a_placed_order_takes_no_option_change(integration, sales_channel, cart, engraving):
    line = sku_line(cart)
    option = ok(add_option(integration, line, engraving), 201)
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    before = snapshot(cart)
    for api in (integration, sales_channel):
        assert pointer(add_option(api, line, engraving)) == "/data/attributes/status"
        response = api.update("line_item_options", option["id"], {"quantity": 5})
        assert pointer(response) == "/data/attributes/status"
        assert pointer(api.delete(f"/api/line_item_options/{option['id']}")) == (
            "/data/attributes/status"
        )
    assert snapshot(cart) == before
    assert LineItemOption.objects.get().quantity == 2


def test_an_integration_adds_an_option_to_an_order_being_edited(
    integration, sales_channel, cart, engraving
):
    line = sku_line(cart)
    ok(integration.update("orders", cart.public_id, {"_place": True}))
    editing = ok(integration.update("orders", cart.public_id, {"_start_editing": True}))
    assert editing["attributes"]["status"] == "editing"
    # A storefront only reads an order being edited.
    assert pointer(add_option(sales_channel, line, engraving)) == "/data/attributes/status"
    option = ok(add_option(integration, line, engraving, quantity=1), 201)
    assert line_figures(line)[0] == 500
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == line.total_amount_cents == line.unit_amount_cents * 2 + 500
    # The total grew past what was placed: closing the edit is refused until it is taken off.
    refused = integration.update("orders", cart.public_id, {"_stop_editing": True})
    assert pointer(refused) == "/data/attributes/total_amount_with_taxes_cents"
    assert integration.delete(f"/api/line_item_options/{option['id']}").status_code == 204
    closed = ok(integration.update("orders", cart.public_id, {"_stop_editing": True}))
    assert closed["attributes"]["status"] == "placed"


# --- unit amount, quantity, removal -------------------------------------------------------


def test_an_integration_sets_its_own_unit_amount_a_storefront_may_not(
    integration, sales_channel, cart, engraving
):
    line = sku_line(cart)
    refused = add_option(sales_channel, line, engraving, unit_amount_cents=1)
    assert (error_of(refused, 400)["code"], pointer(refused, 400)) == (
        "PARAM_NOT_ALLOWED",
        "/data/attributes/unit_amount_cents",
    )
    option = ok(add_option(integration, line, engraving, quantity=2, unit_amount_cents=250), 201)
    assert option["attributes"]["total_amount_cents"] == 500
    assert line_figures(line)[0] == 500
    # A storefront changing the quantity keeps the integration's unit.
    changed = ok(sales_channel.update("line_item_options", option["id"], {"quantity": 4}))
    assert changed["attributes"]["unit_amount_cents"] == 250
    assert changed["attributes"]["total_amount_cents"] == 1000
    refused = sales_channel.update("line_item_options", option["id"], {"unit_amount_cents": 0})
    assert error_of(refused, 400)["code"] == "PARAM_NOT_ALLOWED"
    changed = ok(integration.update("line_item_options", option["id"], {"unit_amount_cents": 0}))
    assert changed["attributes"]["total_amount_cents"] == 0
    assert line_figures(line)[0] == 0


def test_changing_quantity_or_option_moves_the_totals(sales_channel, cart, engraving, market):
    line = sku_line(cart)
    option = ok(add_option(sales_channel, line, engraving, quantity=2), 201)
    second = ok(
        add_option(
            sales_channel, line, sku_option(name="Wrap", price_amount_cents=300), quantity=1
        ),
        201,
    )
    assert line_figures(line) == (1300, 7300)

    changed = ok(sales_channel.update("line_item_options", option["id"], {"quantity": 3}))
    assert changed["attributes"]["total_amount_cents"] == 1500
    assert line_figures(line) == (1800, 7800)

    pricier = sku_option(name="Gold engraving", price_amount_cents=900, market=market)
    changed = ok(
        sales_channel.update(
            "line_item_options",
            second["id"],
            relationships={"sku_option": rel("sku_options", pricier.public_id)},
        )
    )
    assert (changed["attributes"]["name"], changed["attributes"]["total_amount_cents"]) == (
        "Gold engraving",
        900,
    )
    assert line_figures(line) == (2400, 8400)
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 8400

    misfit = sku_option(sku_code_regex="^NOPE")
    refused = sales_channel.update(
        "line_item_options",
        second["id"],
        relationships={"sku_option": rel("sku_options", misfit.public_id)},
    )
    assert pointer(refused) == "/data/relationships/sku_option"
    assert line_figures(line) == (2400, 8400)


def test_deleting_options_brings_the_line_back(sales_channel, cart, engraving):
    line = sku_line(cart)
    option = ok(add_option(sales_channel, line, engraving), 201)
    assert line_figures(line) == (1000, 7000)
    assert sales_channel.delete(f"/api/line_item_options/{option['id']}").status_code == 204
    assert line_figures(line) == (0, 6000)
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 6000
    assert_not_found(sales_channel.get(f"/api/line_item_options/{option['id']}"))


def test_deleting_a_sku_line_deletes_its_options(sales_channel, shop, engraving):
    cart = make_cart(shop, [(shop["sku"], 2), (shop["sku"], 1)])
    first, second = LineItem.objects.filter(order=cart, item_type="skus").order_by("pk")
    ok(add_option(sales_channel, first, engraving), 201)
    ok(add_option(sales_channel, second, engraving, quantity=1), 201)
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 7000 + 3500
    assert sales_channel.delete(f"/api/line_items/{first.public_id}").status_code == 204
    assert list(LineItemOption.objects.values_list("line_item_id", flat=True)) == [second.pk]
    cart.refresh_from_db()
    assert cart.subtotal_amount_cents == 3500


def test_every_change_is_an_event(sales_channel, cart, engraving):
    mark = last_event_id()
    option = ok(add_option(sales_channel, sku_line(cart), engraving), 201)
    ok(sales_channel.update("line_item_options", option["id"], {"name": "Monogram"}))
    assert sales_channel.delete(f"/api/line_item_options/{option['id']}").status_code == 204
    mine = [(t, i) for t, i in events_since(mark) if t.startswith("line_item_options.")]
    assert mine == [
        ("line_item_options.create", option["id"]),
        ("line_item_options.update", option["id"]),
        ("line_item_options.destroy", option["id"]),
    ]


# --- who reaches what ---------------------------------------------------------------------


@pytest.fixture
def eu_cart(other_market) -> Order:
    """A guest cart in the other market (EUR)."""
    from tests import factories as f

    f.InventoryStockLocationFactory(inventory_model=other_market.inventory_model, priority=1)
    return make_cart(build_shop(other_market, "EU", price_cents=3000))


def test_another_sales_channels_options_are_out_of_reach(
    integration, sales_channel, other_sales_channel, eu_cart, other_market
):
    line = sku_line(eu_cart)
    option = ok(add_option(integration, line, sku_option(market=other_market)), 201)
    url = f"/api/line_item_options/{option['id']}"
    assert_not_found(sales_channel.get(url))
    assert_not_found(sales_channel.update("line_item_options", option["id"], {"quantity": 5}))
    assert_not_found(sales_channel.delete(url))
    # Its line is no key either: not found, as a line item on another's order.
    refused = add_option(sales_channel, line, sku_option())
    assert error_of(refused)["source"]["pointer"] == "/data/relationships/line_item"
    # Its own market's storefront reaches it.
    assert ok(other_sales_channel.get(url))["attributes"]["currency_code"] == "EUR"
    ok(other_sales_channel.update("line_item_options", option["id"], {"quantity": 5}))
    assert LineItemOption.objects.get().quantity == 5
    assert_unauthorized(sales_channel.get("/api/line_item_options"))


def test_a_customer_reaches_its_own_orders_options_only(customer_token, shop, market, engraving):
    from orders.models import Customer

    ada = customer_token(market, "ada@example.com")
    bob = customer_token(market, "bob@example.com")
    cart = make_cart(shop, customer=Customer.objects.get(email="ada@example.com"))
    line = sku_line(cart)
    option = ok(add_option(ada, line, engraving), 201)
    assert ok(ada.get(f"/api/line_item_options/{option['id']}"))["id"] == option["id"]
    assert_unauthorized(ada.get("/api/line_item_options"))  # no listing, as line items
    assert_not_found(bob.get(f"/api/line_item_options/{option['id']}"))
    assert_not_found(bob.delete(f"/api/line_item_options/{option['id']}"))
    assert pointer(add_option(bob, line, engraving)) == "/data/relationships/line_item"
    assert ada.delete(f"/api/line_item_options/{option['id']}").status_code == 204
    assert Order.objects.get(pk=cart.pk).subtotal_amount_cents == 6000


# --- admin ----------------------------------------------------------------------------------


def test_the_order_page_shows_each_lines_options(admin_client, integration, cart, engraving):
    ok(add_option(integration, sku_line(cart), engraving, quantity=2), 201)
    response = admin_client.get(f"/admin/orders/order/{cart.pk}/change/")
    assert response.status_code == 200
    assert "Engraving: 2 × $5.00 = $10.00" in response.content.decode()
