"""Factories of the catalog's records: SKU lists and their items, price volume tiers, SKU
options."""

import factory

from markets.models import PriceVolumeTier, SkuOption
from tests import factories as f
from tests.admin.conftest import staff_client  # noqa: F401 (the admin tests' fixture)
from tests.factories import SkuListFactory, SkuListItemFactory  # noqa: F401 (the tests import them here)


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
