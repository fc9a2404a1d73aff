"""tax_calculators, manual_tax_calculators, tax_rules, tax_categories: integration only."""

from decimal import Decimal

import pytest

from markets.models import TaxRule
from tests import factories as f
from tests.conftest import rel
from tests.markets_tax_promotions.conftest import (
    ManualTaxCalculatorFactory,
    TaxCategoryFactory,
    TaxRuleFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _error(response, status=422):
    assert response.status_code == status, response.content
    return response.json()["errors"][0]


# --- manual_tax_calculators and the polymorphic tax_calculators ------------------------------


def test_manual_tax_calculator_crud(integration):
    created = integration.create("manual_tax_calculators", {"name": "EU VAT"})
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["type"] == "manual_tax_calculators"
    assert data["attributes"]["name"] == "EU VAT"
    assert set(data["relationships"]) == {"markets", "tax_rules", "events"}
    calculator_id = data["id"]

    read = integration.get(f"/api/manual_tax_calculators/{calculator_id}")
    assert read.json()["data"]["attributes"]["name"] == "EU VAT"

    updated = integration.update("manual_tax_calculators", calculator_id, {"name": "VAT"})
    assert updated.status_code == 200
    assert updated.json()["data"]["attributes"]["name"] == "VAT"

    assert integration.delete(f"/api/manual_tax_calculators/{calculator_id}").status_code == 204
    assert integration.get(f"/api/manual_tax_calculators/{calculator_id}").status_code == 404


def test_manual_tax_calculator_list_filter_sort_include_fields(integration, market):
    first = ManualTaxCalculatorFactory(name="Alpha")
    second = ManualTaxCalculatorFactory(name="Beta")
    rule = TaxRuleFactory(manual_tax_calculator=second, name="IT")
    market.tax_calculator = second
    market.save()

    listed = integration.get("/api/manual_tax_calculators?sort=-name")
    assert [d["id"] for d in listed.json()["data"]] == [second.public_id, first.public_id]
    assert listed.json()["meta"]["record_count"] == 2

    filtered = integration.get(
        "/api/manual_tax_calculators?filter[q][name_eq]=Beta&include=tax_rules,markets"
        "&fields[manual_tax_calculators]=name,tax_rules"
    )
    body = filtered.json()
    assert [d["id"] for d in body["data"]] == [second.public_id]
    assert set(body["data"][0]) >= {"attributes", "relationships"}
    assert set(body["data"][0]["attributes"]) == {"name"}
    assert set(body["data"][0]["relationships"]) == {"tax_rules"}
    assert body["data"][0]["relationships"]["tax_rules"]["data"] == [
        {"type": "tax_rules", "id": rule.public_id}
    ]
    assert {(i["type"], i["id"]) for i in body["included"]} == {
        ("tax_rules", rule.public_id),
        ("markets", market.public_id),
    }

    by_rule = integration.get("/api/manual_tax_calculators?filter[q][tax_rules_name_eq]=IT")
    assert [d["id"] for d in by_rule.json()["data"]] == [second.public_id]


def test_tax_calculators_is_a_read_only_list_of_every_kind(integration, market):
    calculator = ManualTaxCalculatorFactory(name="US taxes")
    market.tax_calculator = calculator
    market.save()
    listed = integration.get("/api/tax_calculators?include=markets")
    assert listed.status_code == 200
    data = listed.json()["data"]
    assert [(d["type"], d["id"]) for d in data] == [("tax_calculators", calculator.public_id)]
    assert data[0]["attributes"]["name"] == "US taxes"
    assert data[0]["relationships"]["markets"]["data"] == [
        {"type": "markets", "id": market.public_id}
    ]
    assert integration.get(f"/api/tax_calculators/{calculator.public_id}").status_code == 200
    assert integration.create("tax_calculators", {"name": "x"}).status_code == 405
    assert (
        integration.update("tax_calculators", calculator.public_id, {"name": "x"}).status_code
        == 405
    )
    assert integration.delete(f"/api/tax_calculators/{calculator.public_id}").status_code == 405


def test_market_tax_calculator_relationship(integration, market, calculator):
    updated = integration.update(
        "markets",
        market.public_id,
        relationships={"tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert updated.status_code == 200, updated.json()
    market.refresh_from_db()
    assert market.tax_calculator_id == calculator.pk

    read = integration.get(f"/api/markets/{market.public_id}?include=tax_calculator")
    body = read.json()
    assert body["data"]["relationships"]["tax_calculator"]["data"] == {
        "type": "manual_tax_calculators",
        "id": calculator.public_id,
    }
    assert body["included"][0]["attributes"]["name"] == "EU VAT"

    cleared = integration.update(
        "markets", market.public_id, relationships={"tax_calculator": {"data": None}}
    )
    assert cleared.status_code == 200
    market.refresh_from_db()
    assert market.tax_calculator_id is None


def test_market_create_with_tax_calculator(integration, calculator):
    other = f.MarketFactory()
    created = integration.create(
        "markets",
        {"name": "Italy"},
        {
            "merchant": rel("merchants", other.merchant.public_id),
            "price_list": rel("price_lists", other.price_list.public_id),
            "inventory_model": rel("inventory_models", other.inventory_model.public_id),
            "tax_calculator": rel("manual_tax_calculators", calculator.public_id),
        },
    )
    assert created.status_code == 201, created.json()
    related = integration.get(f"/api/markets/{created.json()['data']['id']}/tax_calculator")
    assert related.json()["data"]["id"] == calculator.public_id
    assert related.json()["data"]["type"] == "manual_tax_calculators"


def test_market_tax_calculator_is_hidden_from_sales_channels(sales_channel, market, calculator):
    market.tax_calculator = calculator
    market.save()
    read = sales_channel.get(f"/api/markets/{market.public_id}?include=tax_calculator")
    assert read.status_code == 200
    assert read.json()["data"]["relationships"]["tax_calculator"]["data"] is None
    assert "included" not in read.json()


# --- tax_rules -----------------------------------------------------------------------------


def test_tax_rule_crud(integration, calculator):
    created = integration.create(
        "tax_rules",
        {
            "name": "Italy",
            "tax_rate": 0.22,
            "freight_taxable": True,
            "country_code_regex": "IT",
            "not_zip_code_regex": "^2204[7-9]$",
        },
        {"manual_tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    attributes = data["attributes"]
    assert attributes["tax_rate"] == 0.22  # a JSON number, not "0.220000"
    assert isinstance(attributes["tax_rate"], float)
    assert attributes["freight_taxable"] is True
    assert attributes["payment_method_taxable"] is False
    assert attributes["breakdown"] == {}
    assert attributes["not_zip_code_regex"] == "^2204[7-9]$"
    rule = TaxRule.objects.get(public_id=data["id"])
    assert rule.tax_rate == Decimal("0.22")
    assert rule.manual_tax_calculator_id == calculator.pk

    updated = integration.update("tax_rules", data["id"], {"tax_rate": 0.0825, "name": "US"})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["tax_rate"] == 0.0825

    included = integration.get(f"/api/tax_rules/{data['id']}?include=manual_tax_calculator")
    assert included.json()["data"]["relationships"]["manual_tax_calculator"]["data"] == {
        "type": "manual_tax_calculators",
        "id": calculator.public_id,
    }

    assert integration.delete(f"/api/tax_rules/{data['id']}").status_code == 204
    assert not TaxRule.objects.exists()


def test_tax_rule_moves_to_another_calculator(integration, calculator):
    rule = TaxRuleFactory(manual_tax_calculator=calculator)
    other = ManualTaxCalculatorFactory()
    moved = integration.update(
        "tax_rules",
        rule.public_id,
        relationships={"manual_tax_calculator": rel("manual_tax_calculators", other.public_id)},
    )
    assert moved.status_code == 200, moved.json()
    rule.refresh_from_db()
    assert rule.manual_tax_calculator_id == other.pk


@pytest.mark.parametrize("rate", [1.5, -0.1])
def test_tax_rate_is_a_fraction(integration, calculator, rate):
    response = integration.create(
        "tax_rules",
        {"name": "Bad", "tax_rate": rate},
        {"manual_tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    error = _error(response)
    assert error["source"]["pointer"] == "/data/attributes/tax_rate"
    assert not TaxRule.objects.exists()


def test_tax_rate_must_be_a_number(integration, calculator):
    response = integration.create(
        "tax_rules",
        {"name": "Bad", "tax_rate": "0.2"},
        {"manual_tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert _error(response)["source"]["pointer"] == "/data/attributes/tax_rate"


def test_tax_rate_bounds_are_allowed(integration, calculator):
    for rate in (0, 1):
        response = integration.create(
            "tax_rules",
            {"name": f"r{rate}", "tax_rate": rate},
            {"manual_tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
        )
        assert response.status_code == 201, response.json()
        assert response.json()["data"]["attributes"]["tax_rate"] == rate


def test_tax_rule_requires_its_calculator_and_a_valid_regex(integration, calculator):
    missing = integration.create("tax_rules", {"name": "x"})
    assert _error(missing)["source"]["pointer"] == "/data/relationships/manual_tax_calculator"
    bad_regex = integration.create(
        "tax_rules",
        {"name": "x", "country_code_regex": "(IT"},
        {"manual_tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert _error(bad_regex)["source"]["pointer"] == "/data/attributes/country_code_regex"


def test_tax_rules_list_filter_sort(integration, calculator):
    low = TaxRuleFactory(manual_tax_calculator=calculator, name="Low", tax_rate=Decimal("0.04"))
    high = TaxRuleFactory(manual_tax_calculator=calculator, name="High", tax_rate=Decimal("0.22"))
    TaxRuleFactory(name="Elsewhere")
    listed = integration.get(
        "/api/tax_rules?sort=-tax_rate"
        f"&filter[q][manual_tax_calculator_id_eq]={calculator.public_id}"
    )
    assert [d["id"] for d in listed.json()["data"]] == [high.public_id, low.public_id]
    over = integration.get("/api/tax_rules?filter[q][tax_rate_gt]=0.1")
    assert {d["id"] for d in over.json()["data"]} >= {high.public_id}
    assert low.public_id not in {d["id"] for d in over.json()["data"]}


# --- tax_categories ------------------------------------------------------------------------


def test_tax_category_crud_by_relationship(integration, calculator, sku):
    created = integration.create(
        "tax_categories",
        {"code": "31000"},
        {
            "sku": rel("skus", sku.public_id),
            "tax_calculator": rel("manual_tax_calculators", calculator.public_id),
        },
    )
    assert created.status_code == 201, created.json()
    data = created.json()["data"]
    assert data["attributes"] == {**data["attributes"], "code": "31000", "sku_code": "TSHIRT-M"}

    read = integration.get(f"/api/tax_categories/{data['id']}?include=sku,tax_calculator")
    body = read.json()
    assert body["data"]["relationships"]["tax_calculator"]["data"] == {
        "type": "manual_tax_calculators",
        "id": calculator.public_id,
    }
    assert {(i["type"], i["id"]) for i in body["included"]} == {
        ("skus", sku.public_id),
        ("manual_tax_calculators", calculator.public_id),
    }

    other_sku = f.SkuFactory(code="MUG")
    updated = integration.update(
        "tax_categories",
        data["id"],
        {"code": "PC040100"},
        {"sku": rel("skus", other_sku.public_id)},
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["sku_code"] == "MUG"
    assert updated.json()["data"]["attributes"]["code"] == "PC040100"

    assert integration.delete(f"/api/tax_categories/{data['id']}").status_code == 204


def test_tax_category_by_sku_code(integration, calculator, sku):
    created = integration.create(
        "tax_categories",
        {"code": "31000", "sku_code": "TSHIRT-M"},
        {"tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["attributes"]["sku_code"] == "TSHIRT-M"

    unknown = integration.create(
        "tax_categories",
        {"code": "1", "sku_code": "NOPE"},
        {"tax_calculator": rel("manual_tax_calculators", calculator.public_id)},
    )
    assert _error(unknown)["source"]["pointer"] == "/data/attributes/sku_code"


def test_tax_category_requires_sku_and_calculator(integration, calculator):
    response = integration.create("tax_categories", {"code": "1"})
    assert response.status_code == 422
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/data/relationships/sku", "/data/relationships/tax_calculator"}


def test_tax_category_calculator_is_set_on_create_only(integration, calculator):
    category = TaxCategoryFactory(tax_calculator=calculator)
    other = ManualTaxCalculatorFactory()
    response = integration.update(
        "tax_categories",
        category.public_id,
        relationships={"tax_calculator": rel("manual_tax_calculators", other.public_id)},
    )
    assert _error(response, 400)["code"] == "PARAM_NOT_ALLOWED"


def test_tax_categories_list_filter_sort(integration, calculator):
    a = TaxCategoryFactory(code="A1", sku=f.SkuFactory(code="AAA"), tax_calculator=calculator)
    b = TaxCategoryFactory(code="B1", sku=f.SkuFactory(code="BBB"), tax_calculator=calculator)
    listed = integration.get("/api/tax_categories?sort=-code")
    assert [d["id"] for d in listed.json()["data"]] == [b.public_id, a.public_id]
    by_sku = integration.get("/api/tax_categories?filter[q][sku_code_eq]=AAA")
    assert [d["id"] for d in by_sku.json()["data"]] == [a.public_id]
    sparse = integration.get("/api/tax_categories?fields[tax_categories]=code")
    assert set(sparse.json()["data"][0]["attributes"]) == {"code"}


# --- who may reach tax settings ------------------------------------------------------------


@pytest.mark.parametrize(
    "type_name", ["tax_calculators", "manual_tax_calculators", "tax_rules", "tax_categories"]
)
def test_tax_settings_are_integration_only(sales_channel, anonymous, market, type_name):
    rule = TaxRuleFactory()
    category = TaxCategoryFactory(tax_calculator=rule.manual_tax_calculator)
    market.tax_calculator = rule.manual_tax_calculator
    market.save()
    record_id = {"tax_rules": rule.public_id, "tax_categories": category.public_id}.get(
        type_name, rule.manual_tax_calculator.public_id
    )

    for response in (
        sales_channel.get(f"/api/{type_name}"),
        sales_channel.get(f"/api/{type_name}/{record_id}"),
    ):
        error = _error(response, 401)
        assert error["code"] == "UNAUTHORIZED"
    if type_name != "tax_calculators":
        assert _error(sales_channel.create(type_name, {"name": "x"}), 401)["code"] == "UNAUTHORIZED"
        assert (
            _error(sales_channel.update(type_name, record_id, {"name": "x"}), 401)["code"]
            == "UNAUTHORIZED"
        )
        assert (
            _error(sales_channel.delete(f"/api/{type_name}/{record_id}"), 401)["code"]
            == "UNAUTHORIZED"
        )
    assert _error(anonymous.get(f"/api/{type_name}"), 401)["code"] == "INVALID_TOKEN"
