"""The catalog in the admin: SKU lists with their items inline (manual lists only, a regex that
compiles), volume tiers inline on a price's page (at most 5, one per `up_to`), SKU options."""

import pytest
from django.urls import reverse

from catalog.models import SkuList, SkuListItem
from markets.models import PriceVolumeTier, SkuOption
from tests import factories as f
from tests.admin.conftest import admin_url
from tests.admin.test_order_pages import text_of
from tests.catalog.conftest import PriceVolumeTierFactory, SkuListItemFactory, SkuOptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

RECORD = {"reference": "", "reference_origin": "", "metadata": "{}"}


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """An inline formset's POST data: its management form and `rows`."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def errors_of(response) -> str:
    """The form's and the inlines' errors as the page shows them."""
    assert response.status_code == 200, "expected the form again, with its errors"
    context = response.context
    found = [str(context["adminform"].form.errors)]
    found += [str(f.formset.non_form_errors()) for f in context["inline_admin_formsets"]]
    found += [str(f.formset.errors) for f in context["inline_admin_formsets"]]
    return " ".join(found)


def sku_list_post(name: str, regex: str = "", items=()) -> dict:
    return {
        "name": name,
        "description": "",
        "image_url": "",
        "sku_code_regex": regex,
        **RECORD,
        **inline("sku_list_items", list(items)),
        "_save": "Save",
    }


def test_the_catalog_pages_load(staff_client):
    item = SkuListItemFactory(sku=f.SkuFactory(code="MUG-1"))
    tier = PriceVolumeTierFactory(up_to=10, price_amount_cents=900)
    option = SkuOptionFactory(market=f.MarketFactory(price_list__currency_code="EUR"))
    for record in (item.sku_list, tier, option):
        assert staff_client.get(admin_url(record, "changelist")).status_code == 200
        assert staff_client.get(admin_url(record)).status_code == 200
        assert staff_client.get(add_url(type(record))).status_code == 200
    page = text_of(staff_client.get(admin_url(item.sku_list)))
    assert "MUG-1" in page
    assert tier.public_id in text_of(staff_client.get(admin_url(tier.price)))
    assert "€5,00" in text_of(staff_client.get(admin_url(option, "changelist")))


def test_a_manual_list_is_saved_with_its_items(staff_client):
    sku = f.SkuFactory()
    response = staff_client.post(
        add_url(SkuList),
        sku_list_post("Summer Picks", items=[{"sku": sku.pk, "position": 1, "quantity": 2}]),
    )
    assert response.status_code == 302, errors_of(response)
    sku_list = SkuList.objects.get()
    assert (sku_list.slug, sku_list.manual) == ("summer-picks", True)
    assert [(i.sku, i.quantity) for i in sku_list.sku_list_items.all()] == [(sku, 2)]


def test_an_automatic_list_takes_no_items_and_its_regex_must_compile(staff_client):
    sku = f.SkuFactory()
    items = [{"sku": sku.pk, "position": 1, "quantity": 1}]
    response = staff_client.post(add_url(SkuList), sku_list_post("Auto", "^MUG", items))
    assert "takes no items" in errors_of(response)
    response = staff_client.post(add_url(SkuList), sku_list_post("Bad", "(unclosed"))
    assert "valid regular expression" in errors_of(response)
    assert not SkuList.objects.exists()
    response = staff_client.post(add_url(SkuList), sku_list_post("Auto", "^MUG"))
    assert response.status_code == 302, errors_of(response)
    assert SkuList.objects.get().manual is False
    assert not SkuListItem.objects.exists()


def _price_post(price, tiers: list[dict]) -> dict:
    return {
        "sku": price.sku.pk,
        "price_list": price.price_list.pk,
        "amount_cents": price.amount_cents,
        "compare_at_amount_cents": "",
        "processed_at_0": "",
        "processed_at_1": "",
        "rules": "null",
        **RECORD,
        **inline("volume_tiers", tiers),
        "_save": "Save",
    }


def test_a_prices_tiers_are_saved_inline(staff_client):
    price = f.PriceFactory(amount_cents=1000)
    tiers = [
        {"name": "Up to 9", "up_to": 9, "price_amount_cents": 1000},
        {"name": "Past them", "up_to": "", "price_amount_cents": 800},
    ]
    response = staff_client.post(admin_url(price), _price_post(price, tiers))
    assert response.status_code == 302, errors_of(response)
    assert sorted(
        (t.up_to or 0, t.price_amount_cents) for t in PriceVolumeTier.objects.filter(price=price)
    ) == [(0, 800), (9, 1000)]


@pytest.mark.parametrize(
    ("up_tos", "error"),
    [(["", ""], "one blank at most"), ([1, 2, 3, 4, 5, 6], "at most 5")],
    ids=["two-past-them-all", "six"],
)
def test_tiers_the_price_cant_have_are_an_error_not_a_500(staff_client, up_tos, error):
    price = f.PriceFactory(amount_cents=1000)
    tiers = [
        {"name": f"T{n}", "up_to": up_to, "price_amount_cents": 900}
        for n, up_to in enumerate(up_tos)
    ]
    response = staff_client.post(admin_url(price), _price_post(price, tiers))
    assert error in errors_of(response)
    assert not PriceVolumeTier.objects.exists()


def test_a_sku_option_is_saved(staff_client):
    market = f.MarketFactory()
    response = staff_client.post(
        add_url(SkuOption),
        {
            "name": "Engraving",
            "currency_code": "",
            "description": "",
            "price_amount_cents": 500,
            "delay_hours": 48,
            "sku_code_regex": "^MUG",
            "market": market.pk,
            **RECORD,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, errors_of(response)
    option = SkuOption.objects.get()
    assert (option.market, option.delay_days) == (market, 2)
