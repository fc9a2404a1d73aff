"""`python manage.py seed_demo`: demo.md's data, idempotent, development only, and usable as
printed (the demo clients get tokens and see the catalog in their market's currency)."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from oauth2_provider.models import get_application_model

from inventory.models import Sku, StockItem
from tests.conftest import ADDRESS, JsonApiClient, obtain_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True
    # Client secrets are hashed like passwords; the fast hasher keeps this module quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def seed_json() -> dict:
    return json.loads(seed("--json"))


def row_counts() -> dict:
    models = [
        m
        for app in ("commerce", "inventory", "markets", "orders")
        for m in apps.get_app_config(app).get_models()
    ]
    counts = {m._meta.label: m._default_manager.count() for m in models}
    counts["applications"] = get_application_model().objects.count()
    return counts


def client_for(client, printed: dict) -> JsonApiClient:
    """A JSON:API client with a token obtained exactly as the printed demo client says."""
    body = {"grant_type": "client_credentials", "client_id": printed["client_id"]}
    if printed.get("client_secret"):
        body["client_secret"] = printed["client_secret"]
    if printed.get("scope"):
        body["scope"] = printed["scope"]
    return JsonApiClient(client, obtain_token(client, **body))


def printed_client(summary: dict, client_id: str) -> dict:
    return next(c for c in summary["clients"] if c["client_id"] == client_id)


@pytest.mark.sqlite
def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo data is for development"):
        seed()
    assert not Sku.objects.exists()


@pytest.mark.sqlite
def test_seeding_twice_changes_nothing():
    first = seed_json()
    counts = row_counts()
    second = seed_json()
    assert row_counts() == counts
    assert first["created"] > 0
    assert (second["created"], second["updated"]) == (0, 0)
    assert second["records"] == first["records"]
    assert first["records"]["skus"] == 5
    assert first["records"]["stock_items"] == 9
    assert first["records"]["delivery_lead_times"] == 6
    assert first["records"]["api_clients"] == 3


def test_seeding_again_restores_drifted_demo_values():
    seed()
    item = StockItem.objects.get(stock_location__code="ne_wh", sku__code="24-WB01")
    item.quantity = 1
    item.save()
    summary = seed_json()
    item.refresh_from_db()
    assert item.quantity == 35
    assert (summary["created"], summary["updated"]) == (0, 1)


def test_demo_clients_have_fixed_credentials():
    summary = seed_json()
    assert [(c["client_id"], c["kind"], c["scope"]) for c in summary["clients"]] == [
        ("demo-integration", "integration", ""),
        ("demo-sc-usa", "sales_channel", "market:code:usa"),
        ("demo-sc-eu", "sales_channel", "market:code:eu"),
    ]
    assert printed_client(summary, "demo-integration")["client_secret"] == "demo-integration-secret"
    assert "client_secret" not in printed_client(summary, "demo-sc-usa")


def test_text_output_prints_clients_and_ready_curl_lines(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    out = seed()
    assert "client_id=demo-integration client_secret=demo-integration-secret" in out
    assert "client_id=demo-sc-usa scope=market:code:usa" in out
    assert "client_id=demo-sc-eu scope=market:code:eu" in out
    token_line = next(line for line in out.splitlines() if "/oauth/token" in line)
    assert "curl -s http://127.0.0.1:8123/oauth/token" in token_line
    assert "-H 'Content-Type: application/json'" in token_line
    body = json.loads(token_line.split("-d '", 1)[1].split("'", 1)[0])
    assert body == {
        "grant_type": "client_credentials",
        "client_id": "demo-sc-usa",
        "scope": "market:code:usa",
    }
    assert "'http://127.0.0.1:8123/api/skus?include=prices'" in out
    assert "Authorization: Bearer $TOKEN" in out


@pytest.mark.sqlite
def test_printed_sales_channel_lists_skus_with_prices_in_usd(client):
    summary = seed_json()
    body = json.loads(summary["curl"]["token"].split("-d '", 1)[1].split("'", 1)[0])
    storefront = JsonApiClient(client, obtain_token(client, **body))
    response = storefront.get("/api/skus?include=prices&sort=code")
    assert response.status_code == 200
    document = response.json()
    prices = {p["id"]: p["attributes"] for p in document["included"]}
    by_code = {}
    for sku in document["data"]:
        (linkage,) = sku["relationships"]["prices"]["data"]
        by_code[sku["attributes"]["code"]] = prices[linkage["id"]]
    assert {code: p["formatted_amount"] for code, p in by_code.items()} == {
        "24-WB01": "$32.00",
        "24-WB03": "$36.00",
        "240-LV06": "$22.00",
        "25-UB02": "$74.00",
        "GIFTCARD-50": "$50.00",
    }
    assert {p["currency_code"] for p in by_code.values()} == {"USD"}


def test_eu_sales_channel_sees_euro_prices(client):
    summary = seed_json()
    storefront = client_for(client, printed_client(summary, "demo-sc-eu"))
    response = storefront.get("/api/prices?sort=amount_cents&include=sku")
    assert response.status_code == 200
    skus = {s["id"]: s["attributes"]["code"] for s in response.json()["included"]}
    figures = [
        (
            skus[p["relationships"]["sku"]["data"]["id"]],
            p["attributes"]["amount_float"],
            p["attributes"]["formatted_amount"],
        )
        for p in response.json()["data"]
    ]
    assert figures == [
        ("240-LV06", 20.0, "€20,00"),
        ("24-WB01", 30.0, "€30,00"),
        ("24-WB03", 35.0, "€35,00"),
        ("GIFTCARD-50", 50.0, "€50,00"),
    ]


@pytest.fixture
def demo_integration(client):
    summary = seed_json()
    return client_for(client, printed_client(summary, "demo-integration"))


def included_by_id(document) -> dict:
    return {(i["type"], i["id"]): i for i in document.get("included", [])}


def test_stock_quantities_match_demo_md(demo_integration):
    response = demo_integration.get("/api/stock_items?include=sku,stock_location&page[size]=25")
    document = response.json()
    included = included_by_id(document)
    quantities = {}
    for item in document["data"]:
        rels = item["relationships"]
        location = included[("stock_locations", rels["stock_location"]["data"]["id"])]
        sku = included[("skus", rels["sku"]["data"]["id"])]
        quantities[(location["attributes"]["code"], sku["attributes"]["code"])] = item[
            "attributes"
        ]["quantity"]
    assert quantities == {
        ("ne_wh", "24-WB01"): 35,
        ("ne_wh", "24-WB03"): 100,
        ("ne_wh", "240-LV06"): 0,
        ("brooklyn", "24-WB01"): 100,
        ("brooklyn", "24-WB03"): 0,
        ("brooklyn", "240-LV06"): 100,
        ("milan", "24-WB01"): 50,
        ("milan", "24-WB03"): 50,
        ("milan", "240-LV06"): 50,
    }


def test_markets_price_lists_and_inventory_models_match_demo_md(demo_integration):
    response = demo_integration.get(
        "/api/markets?sort=code&include=merchant,price_list,"
        "inventory_model.inventory_stock_locations.stock_location"
    )
    document = response.json()
    included = included_by_id(document)

    def one(resource, name):
        linkage = resource["relationships"][name]["data"]
        return included[(linkage["type"], linkage["id"])]

    markets = {}
    for market in document["data"]:
        price_list = one(market, "price_list")["attributes"]
        model = one(market, "inventory_model")
        locations = {}
        for link in model["relationships"]["inventory_stock_locations"]["data"]:
            isl = included[(link["type"], link["id"])]
            location = one(isl, "stock_location")["attributes"]["code"]
            locations[location] = isl["attributes"]["priority"]
        markets[market["attributes"]["code"]] = {
            "name": market["attributes"]["name"],
            "merchant": one(market, "merchant")["attributes"]["name"],
            "price_list": (
                price_list["name"],
                price_list["currency_code"],
                price_list["tax_included"],
            ),
            "inventory_model": (
                model["attributes"]["name"],
                model["attributes"]["strategy"],
                model["attributes"]["stock_locations_cutoff"],
            ),
            "locations": locations,
        }
    assert markets == {
        "eu": {
            "name": "Europe",
            "merchant": "Demo Store",
            "price_list": ("EUR list", "EUR", True),
            "inventory_model": ("EU stock", "no_split", None),
            "locations": {"milan": 1},
        },
        "usa": {
            "name": "USA",
            "merchant": "Demo Store",
            "price_list": ("USD list", "USD", False),
            "inventory_model": ("US stock", "split_shipments", 2),
            "locations": {"ne_wh": 1, "brooklyn": 2},
        },
    }


def test_catalog_matches_demo_md(demo_integration):
    skus = demo_integration.get("/api/skus?sort=code&include=shipping_category").json()
    category = {i["id"]: i["attributes"]["name"] for i in skus.get("included", [])}
    rows = []
    for sku in skus["data"]:
        attrs = sku["attributes"]
        linkage = sku["relationships"]["shipping_category"]["data"]
        rows.append(
            (
                attrs["code"],
                attrs["name"],
                attrs["weight"],
                attrs["unit_of_weight"],
                attrs["do_not_ship"],
                attrs["do_not_track"],
                category[linkage["id"]] if linkage else None,
            )
        )
    assert rows == [
        ("24-WB01", "Voyage Yoga Bag", 500.0, "gr", False, False, "Merchandise"),
        ("24-WB03", "Driven Backpack", 1000.0, "gr", False, False, "Merchandise"),
        ("240-LV06", "Quest Lumaflex Band", 200.0, "gr", False, False, "Merchandise"),
        ("25-UB02", "Impulse Duffle", 1300.0, "gr", False, False, "Merchandise"),
        ("GIFTCARD-50", "Gift card", None, None, True, True, None),
    ]
    merchant = demo_integration.get("/api/merchants?include=address").json()
    assert [m["attributes"]["name"] for m in merchant["data"]] == ["Demo Store"]
    assert merchant["included"][0]["attributes"]["country_code"] == "US"
    locations = demo_integration.get("/api/stock_locations?sort=code&include=address").json()
    cities = {i["id"]: i["attributes"]["city"] for i in locations["included"]}
    assert {
        (
            loc["attributes"]["code"],
            loc["attributes"]["name"],
            cities[loc["relationships"]["address"]["data"]["id"]],
        )
        for loc in locations["data"]
    } == {
        ("ne_wh", "New England warehouse", "Boston"),
        ("brooklyn", "Brooklyn store", "New York"),
        ("milan", "Milan warehouse", "Milano"),
    }


def test_shipping_and_payment_methods_match_demo_md(demo_integration):
    methods = demo_integration.get("/api/shipping_methods?include=market,shipping_category")
    document = methods.json()
    included = included_by_id(document)
    shipping = {
        (
            included[("markets", m["relationships"]["market"]["data"]["id"])]["attributes"]["code"],
            m["attributes"]["name"],
        ): (
            m["attributes"]["formatted_price_amount"],
            m["attributes"]["formatted_free_over_amount"],
            m["attributes"]["free_over_amount_cents"],
        )
        for m in document["data"]
    }
    assert shipping == {
        ("usa", "Standard"): ("$7.00", "$100.00", 10000),
        ("usa", "Express"): ("$20.00", None, None),
        ("usa", "Heavy"): ("$25.00", None, None),
        ("eu", "Corriere"): ("€12,00", None, None),
    }
    categories = {
        i["attributes"]["name"] for (t, _), i in included.items() if t == "shipping_categories"
    }
    assert categories == {"Merchandise"}

    payments = demo_integration.get("/api/payment_methods?include=market,payment_gateway").json()
    included = included_by_id(payments)
    rows = {
        (
            included[("markets", p["relationships"]["market"]["data"]["id"])]["attributes"]["code"],
            p["attributes"]["payment_source_type"],
            p["attributes"]["formatted_price_amount"],
            p["relationships"]["payment_gateway"]["data"]["type"],
        )
        for p in payments["data"]
    }
    assert rows == {
        ("usa", "wire_transfers", "$0.00", "manual_gateways"),
        ("eu", "wire_transfers", "€0,00", "manual_gateways"),
    }


def test_seeding_twice_keeps_taxes_promotions_and_customer():
    first = seed_json()
    second = seed_json()
    assert (second["created"], second["updated"]) == (0, 0)
    for label, count in (
        ("manual_tax_calculators", 2),
        ("tax_rules", 2),
        ("promotions", 2),
        ("coupons", 2),
        ("customers", 1),
    ):
        assert first["records"][label] == count, label
    assert first["customer"] == {"email": "demo@example.com", "password": "demo-password"}


def test_demo_customer_signs_in_with_the_printed_password(client):
    out = seed()
    assert "username=demo@example.com password=demo-password" in out
    token = obtain_token(
        client,
        grant_type="password",
        client_id="demo-sc-usa",
        scope="market:code:usa",
        username="demo@example.com",
        password="demo-password",
    )
    customer = JsonApiClient(client, token)
    order = customer.post("/api/orders", {"data": {"type": "orders", "attributes": {}}})
    assert order.status_code == 201, order.json()
    assert order.json()["data"]["attributes"]["customer_email"] == "demo@example.com"


def _usa_cart(storefront, coupon_code):
    """A `usa` order of 1 x 24-WB01 ($32.00) shipped to Boston with the Standard method."""
    order = storefront.post("/api/orders", {"data": {"type": "orders", "attributes": {}}})
    assert order.status_code == 201, order.json()
    order_id = order.json()["data"]["id"]
    line = storefront.post(
        "/api/line_items",
        {
            "data": {
                "type": "line_items",
                "attributes": {"sku_code": "24-WB01", "quantity": 1},
                "relationships": {"order": {"data": {"type": "orders", "id": order_id}}},
            }
        },
    )
    assert line.status_code == 201, line.json()
    address = storefront.post(
        "/api/addresses",
        {
            "data": {
                "type": "addresses",
                "attributes": ADDRESS,
            }
        },
    )
    address_id = address.json()["data"]["id"]
    address_rel = {"data": {"type": "addresses", "id": address_id}}
    patched = storefront.patch(
        f"/api/orders/{order_id}",
        {
            "data": {
                "type": "orders",
                "id": order_id,
                "attributes": {"customer_email": "ada@example.com", "coupon_code": coupon_code},
                "relationships": {
                    "billing_address": address_rel,
                    "shipping_address": address_rel,
                },
            }
        },
    )
    assert patched.status_code == 200, patched.json()
    document = storefront.get(
        f"/api/orders/{order_id}/shipments?include=available_shipping_methods"
    ).json()
    shipments = document["data"]
    (standard,) = [m["id"] for m in document["included"] if m["attributes"]["name"] == "Standard"]
    for shipment in shipments:
        response = storefront.patch(
            f"/api/shipments/{shipment['id']}",
            {
                "data": {
                    "type": "shipments",
                    "id": shipment["id"],
                    "relationships": {
                        "shipping_method": {"data": {"type": "shipping_methods", "id": standard}}
                    },
                }
            },
        )
        assert response.status_code == 200, response.json()
    return storefront.get(f"/api/orders/{order_id}").json()["data"]["attributes"]


@pytest.mark.parametrize(
    ("coupon_code", "figures"),
    [
        # $32.00 - 10 % = $28.80, + $7.00 shipping; 8.25 % tax rounded per line (orders.md):
        # 28.80 x 0.0825 = 2.376 -> $2.38, 7.00 x 0.0825 = 0.5775 -> $0.58.
        ("WELCOME10", ("-$3.20", "$7.00", "$2.96", "$38.76")),
        # Free shipping keeps shipping_amount and adds a -$7.00 line (taxed as freight):
        # tax is 8.25 % of $32.00 only.
        ("FREESHIP", ("-$7.00", "$7.00", "$2.64", "$34.64")),
    ],
)
def test_demo_coupons_and_us_tax_apply_to_a_usa_order(client, coupon_code, figures):
    summary = seed_json()
    storefront = client_for(client, printed_client(summary, "demo-sc-usa"))
    order = _usa_cart(storefront, coupon_code)
    assert order["coupon_code"] == coupon_code
    assert (
        order["formatted_discount_amount"],
        order["formatted_shipping_amount"],
        order["formatted_total_tax_amount"],
        order["formatted_total_amount_with_taxes"],
    ) == figures


def _shipments(storefront, order_id) -> list[tuple[str | None, list[str], str]]:
    """Each shipment's method, the methods it may use (by name) and its cost."""
    document = storefront.get(
        f"/api/orders/{order_id}?include=shipments.shipping_method,"
        "shipments.available_shipping_methods"
    ).json()
    included = included_by_id(document)
    rows = []
    for shipment in (i for i in document["included"] if i["type"] == "shipments"):
        rels = shipment["relationships"]
        chosen = rels["shipping_method"]["data"]
        rows.append(
            (
                chosen and included[("shipping_methods", chosen["id"])]["attributes"]["name"],
                [
                    included[("shipping_methods", m["id"])]["attributes"]["name"]
                    for m in rels["available_shipping_methods"]["data"]
                ],
                shipment["attributes"]["formatted_cost_amount"],
            )
        )
    return rows


def test_demo_zones_send_the_mainland_standard_and_hawaii_heavy_by_weight(client):
    """Issue 21's demo: "Standard" and "Express" ship to the US mainland, "Heavy" (lb tiers) to
    Hawaii and Alaska. 2 x 24-WB03 weigh 2000 g = 4.41 lb: Heavy's "Up to 10 lb" tier, $45.00;
    the same cart in Boston gets Standard's flat $7.00 ($72.00 is under its $100 threshold)."""
    summary = seed_json()
    storefront = client_for(client, printed_client(summary, "demo-sc-usa"))
    order_id = storefront.create("orders").json()["data"]["id"]
    created = storefront.create(
        "line_items",
        {"sku_code": "24-WB03", "quantity": 2},
        {"order": {"data": {"type": "orders", "id": order_id}}},
    )
    assert created.status_code == 201, created.content

    def ship_to(address):
        address_id = storefront.create("addresses", address).json()["data"]["id"]
        response = storefront.update(
            "orders",
            order_id,
            relationships={"shipping_address": {"data": {"type": "addresses", "id": address_id}}},
        )
        assert response.status_code == 200, response.content

    ship_to({**ADDRESS, "city": "Honolulu", "state_code": "HI", "zip_code": "96813"})
    assert _shipments(storefront, order_id) == [("Heavy", ["Heavy"], "$45.00")]
    ship_to(ADDRESS)
    assert _shipments(storefront, order_id) == [("Standard", ["Standard", "Express"], "$7.00")]


def test_storefront_figures_compare_at_lead_times_and_an_out_of_stock_sku(client):
    """Issue 23's additions for the drop-in.js demo page, as the usa sales channel reads them:
    24-WB03 at $36.00 with a compare-at $45.00; a SKU's first stock level lists the cheapest
    method first with its lead time (Boston ships Standard in 3-5 days, Brooklyn in 2-4);
    25-UB02 is priced ($74.00) but has no stock item, so it is out of stock in usa; the EUR list
    gains nothing."""
    summary = seed_json()
    storefront = client_for(client, printed_client(summary, "demo-sc-usa"))
    prices = storefront.get("/api/prices?filter[q][sku_code_in]=24-WB01,24-WB03,25-UB02").json()
    assert {
        p["attributes"]["sku_code"]: (
            p["attributes"]["formatted_amount"],
            p["attributes"]["compare_at_amount_cents"],
        )
        for p in prices["data"]
    } == {"24-WB01": ("$32.00", None), "24-WB03": ("$36.00", 4500), "25-UB02": ("$74.00", None)}
    wb03 = next(p for p in prices["data"] if p["attributes"]["sku_code"] == "24-WB03")
    assert wb03["attributes"]["formatted_compare_at_amount"] == "$45.00"

    skus = storefront.get("/api/skus?fields[skus]=code&page[size]=25").json()["data"]
    ids = {s["attributes"]["code"]: s["id"] for s in skus}

    def inventory(code):
        return storefront.get(f"/api/skus/{ids[code]}").json()["data"]["attributes"]["inventory"]

    def first_lead_times(code):
        return [
            (t["shipping_method"]["name"], t["min"]["days"], t["max"]["days"])
            for t in inventory(code)["levels"][0]["delivery_lead_times"]
        ]

    assert first_lead_times("24-WB01") == [("Standard", 3, 5), ("Express", 1, 2), ("Heavy", 5, 10)]
    # 240-LV06 has none in Boston: its first level is Brooklyn's.
    assert first_lead_times("240-LV06") == [
        ("Standard", 2, 4),
        ("Express", 1, 2),
        ("Heavy", 5, 10),
    ]
    assert inventory("25-UB02") == {"available": False, "quantity": 0, "levels": []}
    assert (inventory("24-WB01")["available"], inventory("24-WB01")["quantity"]) == (True, 135)
