"""Factories of the catalog's records: SKU lists and their items, price volume tiers, SKU
options."""

import factory

from catalog.models import SkuList, SkuListItem
from markets.models import PriceVolumeTier, SkuOption
from tests import factories as f
from tests.admin.conftest import staff_client  # noqa: F401 (the admin tests' fixture)


class SkuListFactory(factory.django.DjangoModelFactory):
    """Manual unless given a `sku_code_regex`."""

    class Meta:
        model = SkuList

    name = factory.Sequence(lambda n: f"List {n}")


class SkuListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkuListItem

    sku_list = factory.SubFactory(SkuListFactory)
    sku = factory.SubFactory(f.SkuFactory)
    position = factory.Sequence(lambda n: n + 1)


class PriceVolumeTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceVolumeTier

    price = factory.SubFactory(f.PriceFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    up_to = factory.Sequence(lambda n: 10 + n)
    price_amount_cents = 900


class SkuOptionFactory(factory.django.DjangoModelFactory):
    """Market-less, for every SKU, unless told otherwise."""

    class Meta:
        model = SkuOption

    name = factory.Sequence(lambda n: f"Option {n}")
    price_amount_cents = 500
