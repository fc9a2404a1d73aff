"""The `external` shipping scheme (shipping.md "The `external` scheme"): the merchant's own URL
asked for a shipment's price. A stub until it is built: the method's own price."""

from markets.models import ShippingMethod
from orders.models import Order, Shipment


def external_price_cents(order: Order, shipment: Shipment, method: ShippingMethod) -> int:
    """What `method` (scheme `external`) costs for `shipment`, before free-over rules: the
    URL's answer, else the method's `price_amount_cents`."""
    return method.price_amount_cents
