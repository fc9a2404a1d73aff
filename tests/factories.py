"""All test factories, in one place (factory_boy)."""

import uuid

import factory

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
    DeliveryLeadTime,
    ExternalGateway,
    ManualGateway,
    Market,
    Merchant,
    PaymentMethod,
    Price,
    PriceList,
    ShippingMethod,
    ShippingZone,
    StripeGateway,
)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    first_name = "Ada"
    last_name = "Lovelace"
    line_1 = factory.Sequence(lambda n: f"{n} Main Street")
    city = "Boston"
    zip_code = "02108"
    state_code = "MA"
    country_code = "US"
    phone = "+1 617 555 0100"


class ShippingCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingCategory

    name = factory.Sequence(lambda n: f"Category {n}")
    code = factory.Sequence(lambda n: f"category-{n}")


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    code = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    weight = 0.5
    unit_of_weight = "gr"
    shipping_category = factory.SubFactory(ShippingCategoryFactory)


class StockLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLocation

    name = factory.Sequence(lambda n: f"Warehouse {n}")
    code = factory.Sequence(lambda n: f"wh-{n}")
    number = factory.Sequence(lambda n: n + 1)
    address = factory.SubFactory(AddressFactory)


class StockItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockItem

    stock_location = factory.SubFactory(StockLocationFactory)
    sku = factory.SubFactory(SkuFactory)
    quantity = 10


class InventoryModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryModel

    name = factory.Sequence(lambda n: f"Inventory model {n}")
    strategy = "no_split"
    stock_locations_cutoff = 2


class InventoryStockLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryStockLocation

    inventory_model = factory.SubFactory(InventoryModelFactory)
    stock_location = factory.SubFactory(StockLocationFactory)
    priority = 1


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Merchant {n}")
    address = factory.SubFactory(AddressFactory)


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")
    code = factory.Sequence(lambda n: f"price-list-{n}")
    currency_code = "USD"
    tax_included = False


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    price_list = factory.SubFactory(PriceListFactory)
    sku = factory.SubFactory(SkuFactory)
    amount_cents = 1000


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    """A customer group; a market given one is private (catalog.md)."""

    class Meta:
        model = "markets.CustomerGroup"

    name = factory.Sequence(lambda n: f"Group {n}")
    code = factory.Sequence(lambda n: f"group-{n}")


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market

    name = factory.Sequence(lambda n: f"Market {n}")
    code = factory.Sequence(lambda n: f"market-{n}")
    number = factory.Sequence(lambda n: n + 1)
    merchant = factory.SubFactory(MerchantFactory)
    price_list = factory.SubFactory(PriceListFactory)
    inventory_model = factory.SubFactory(InventoryModelFactory)


class ShippingZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingZone

    name = factory.Sequence(lambda n: f"Zone {n}")
    country_code_regex = "US"


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    name = factory.Sequence(lambda n: f"Shipping {n}")
    price_amount_cents = 700
    market = factory.SubFactory(MarketFactory)


class DeliveryLeadTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryLeadTime

    stock_location = factory.SubFactory(StockLocationFactory)
    shipping_method = factory.SubFactory(ShippingMethodFactory)
    min_hours = 24
    max_hours = 72


class ManualGatewayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualGateway

    name = factory.Sequence(lambda n: f"Manual gateway {n}")


class StripeGatewayFactory(factory.django.DjangoModelFactory):
    """A Stripe gateway as the API saves it (its webhook endpoint registered at Stripe)."""

    class Meta:
        model = StripeGateway

    name = factory.Sequence(lambda n: f"Stripe gateway {n}")
    login = "sk_test_factory0000"
    publishable_key = "pk_test_factory0000"
    webhook_endpoint_id = factory.Sequence(lambda n: f"we_factory{n}")
    webhook_endpoint_secret = "whsec_factory"


class ExternalGatewayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalGateway

    name = factory.Sequence(lambda n: f"External gateway {n}")


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    payment_source_type = "wire_transfers"
    price_amount_cents = 0
    market = factory.SubFactory(MarketFactory)
    payment_gateway = factory.SubFactory(ManualGatewayFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Customer"

    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class OrderFactory(factory.django.DjangoModelFactory):
    """A cart in a market (figures are computed by refresh_order, not by the factory)."""

    class Meta:
        model = "orders.Order"

    market = factory.SubFactory(MarketFactory)
    number = factory.Sequence(lambda n: str(900000 + n))
    currency_code = factory.LazyAttribute(lambda o: o.market.price_list.currency_code)
    tax_included = factory.LazyAttribute(lambda o: o.market.price_list.tax_included)


class LineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.LineItem"

    order = factory.SubFactory(OrderFactory)
    item_type = "skus"
    sku = factory.SubFactory(SkuFactory)
    sku_code = factory.LazyAttribute(lambda li: li.sku.code)
    name = factory.LazyAttribute(lambda li: li.sku.name)
    quantity = 1
    unit_amount_cents = 1000


class GiftCardRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.GiftCardRecipient"

    email = factory.Sequence(lambda n: f"recipient{n}@example.com")


class GiftCardFactory(factory.django.DjangoModelFactory):
    """An active USD card of 5000 usable in any market (catalog.md "Gift cards"); its code a
    UUID, as the API makes it when none is given."""

    class Meta:
        model = "orders.GiftCard"

    code = factory.LazyFunction(lambda: str(uuid.uuid4()))
    currency_code = "USD"
    status = "active"
    balance_cents = 5000
    initial_balance_cents = factory.LazyAttribute(lambda card: card.balance_cents)


class PaymentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.PaymentSource"

    kind = "wire_transfers"
    order = factory.SubFactory(OrderFactory)


class SkuListFactory(factory.django.DjangoModelFactory):
    """A manual list (catalog.md "SKU lists") unless given a `sku_code_regex`."""

    class Meta:
        model = "catalog.SkuList"

    name = factory.Sequence(lambda n: f"List {n}")


class SkuListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.SkuListItem"

    sku_list = factory.SubFactory(SkuListFactory)
    sku = factory.SubFactory(SkuFactory)
    position = factory.Sequence(lambda n: n + 1)


class PackageFactory(factory.django.DjangoModelFactory):
    """A 30 x 20 x 10 cm box at a stock location (shipping.md "Packages")."""

    class Meta:
        model = "inventory.Package"

    stock_location = factory.SubFactory(StockLocationFactory)
    name = factory.Sequence(lambda n: f"Box {n}")
    code = factory.Sequence(lambda n: f"box-{n}")
    length = 30.0
    width = 20.0
    height = 10.0
    unit_of_length = "cm"


class ShipmentFactory(factory.django.DjangoModelFactory):
    """A shipment being packed (its order's figures and statuses are not computed)."""

    class Meta:
        model = "orders.Shipment"

    order = factory.SubFactory(OrderFactory)
    number = factory.LazyAttribute(lambda s: f"{s.order.number}/S/001")
    status = "packing"
    stock_location = factory.SubFactory(StockLocationFactory)


class StockLineItemFactory(factory.django.DjangoModelFactory):
    """`quantity` units of a line item of the shipment's order."""

    class Meta:
        model = "orders.StockLineItem"

    shipment = factory.SubFactory(ShipmentFactory)
    line_item = factory.LazyAttribute(
        lambda s: LineItemFactory(order=s.shipment.order, quantity=s.quantity)
    )
    sku = factory.LazyAttribute(lambda s: s.line_item.sku)
    sku_code = factory.LazyAttribute(lambda s: s.sku.code)
    quantity = 5


class ParcelFactory(factory.django.DjangoModelFactory):
    """A parcel of a shipment in a package of its stock location, numbered as the service
    numbers them (the shipment's counter is not bumped: give `number` for a second one)."""

    class Meta:
        model = "orders.Parcel"

    shipment = factory.SubFactory(ShipmentFactory)
    package = factory.LazyAttribute(
        lambda p: PackageFactory(stock_location=p.shipment.stock_location)
    )
    number = factory.LazyAttribute(lambda p: f"{p.shipment.number}/P/001")
    weight = 1.5
    unit_of_weight = "lb"


class ParcelLineItemFactory(factory.django.DjangoModelFactory):
    """`quantity` units of a stock line item of the parcel's shipment, named as it."""

    class Meta:
        model = "orders.ParcelLineItem"

    parcel = factory.SubFactory(ParcelFactory)
    stock_line_item = factory.LazyAttribute(
        lambda p: StockLineItemFactory(shipment=p.parcel.shipment)
    )
    quantity = 1
    sku_code = factory.LazyAttribute(lambda p: p.stock_line_item.sku_code)
    name = factory.LazyAttribute(lambda p: p.stock_line_item.name)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commerce.Tag"

    name = factory.Sequence(lambda n: f"tag-{n}")
