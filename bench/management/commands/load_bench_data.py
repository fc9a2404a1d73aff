"""python manage.py load_bench_data [--orders 10000] [--skus 1000]: the `make bench` data set.

One USD market `bench` (price list, 3 stock locations, a shipping method, wire transfers) with
--skus SKUs priced and stocked in every location, and --orders placed-looking orders of 1-10 line
items each. Written with bulk_create: seconds, not minutes. Refuses to run on a database that
already holds orders (it is meant for the fresh database scripts/bench.sh creates).
"""

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commerce.models import Address
from inventory.models import (
    InventoryModel,
    InventoryStockLocation,
    ShippingCategory,
    Sku,
    StockItem,
    StockLocation,
)
from markets.models import (
    ManualGateway,
    Market,
    Merchant,
    PaymentMethod,
    Price,
    PriceList,
    ShippingMethod,
)
from orders.models import LineItem, Order

BATCH = 2000


def _address(n: int) -> Address:
    return Address(
        first_name="Ada",
        last_name="Lovelace",
        line_1=f"{n} Main Street",
        city="Boston",
        zip_code="02108",
        state_code="MA",
        country_code="US",
        phone="+1 617 555 0100",
    )


class Command(BaseCommand):
    help = "Load the benchmark data set (fresh database only)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=10_000)
        parser.add_argument("--skus", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=7)

    @transaction.atomic
    def handle(self, *args, **options):
        if Order.objects.exists():
            raise CommandError("load_bench_data wants a fresh database (orders exist).")
        rng = random.Random(options["seed"])
        category = ShippingCategory.objects.create(name="Merchandise", code="merchandise")
        price_list = PriceList.objects.create(
            name="Bench USD", code="bench-usd", currency_code="USD"
        )
        model = InventoryModel.objects.create(
            name="Bench", strategy="no_split", stock_locations_cutoff=3
        )
        locations = []
        for n in range(1, 4):
            location = StockLocation.objects.create(
                name=f"Warehouse {n}",
                code=f"wh-{n}",
                number=n,
                address=Address.objects.create(
                    **{
                        k: v
                        for k, v in _address(n).__dict__.items()
                        if not k.startswith("_") and k not in ("id", "public_id")
                    }
                ),
            )
            InventoryStockLocation.objects.create(
                inventory_model=model, stock_location=location, priority=n
            )
            locations.append(location)
        merchant = Merchant.objects.create(name="Bench merchant", address=locations[0].address)
        market = Market.objects.create(
            name="Bench",
            code="bench",
            number=1,
            merchant=merchant,
            price_list=price_list,
            inventory_model=model,
        )
        ShippingMethod.objects.create(name="Standard", market=market, price_amount_cents=700)
        PaymentMethod.objects.create(
            market=market,
            payment_source_type="wire_transfers",
            price_amount_cents=0,
            payment_gateway=ManualGateway.objects.create(name="Manual"),
        )
        skus = Sku.objects.bulk_create(
            [
                Sku(
                    code=f"BENCH-{n:05d}",
                    name=f"Product {n}",
                    shipping_category=category,
                    weight=0.5,
                    unit_of_weight="gr",
                )
                for n in range(options["skus"])
            ],
            batch_size=BATCH,
        )
        cents = {sku.pk: rng.randrange(500, 20_000, 100) for sku in skus}
        Price.objects.bulk_create(
            [Price(price_list=price_list, sku=sku, amount_cents=cents[sku.pk]) for sku in skus],
            batch_size=BATCH,
        )
        StockItem.objects.bulk_create(
            [
                StockItem(stock_location=loc, sku=sku, quantity=1_000_000)
                for loc in locations
                for sku in skus
            ],
            batch_size=BATCH,
        )
        orders = Order.objects.bulk_create(
            [
                Order(
                    market=market,
                    number=str(100_000 + n),
                    currency_code="USD",
                    customer_email=f"buyer{n}@example.com",
                    status="placed",
                    payment_status="authorized",
                )
                for n in range(options["orders"])
            ],
            batch_size=BATCH,
        )
        lines = []
        for order in orders:
            for sku in rng.sample(skus, rng.randint(1, 10)):
                quantity = rng.randint(1, 5)
                lines.append(
                    LineItem(
                        order=order,
                        sku=sku,
                        sku_code=sku.code,
                        name=sku.name,
                        quantity=quantity,
                        unit_amount_cents=cents[sku.pk],
                        total_amount_cents=quantity * cents[sku.pk],
                    )
                )
        LineItem.objects.bulk_create(lines, batch_size=BATCH)
        self.stdout.write(
            f"bench data: market bench, {len(skus)} SKUs, {len(locations)} locations, "
            f"{len(orders)} orders, {len(lines)} line items"
        )
