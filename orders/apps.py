from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        # Customers sign in through sales channels: the password grant lives with customers.
        from commerce.auth.grants import PASSWORD, register_grant
        from orders.auth import password_grant

        register_grant(PASSWORD, password_grant)

        # Addresses on orders out of a storefront's reach are out of its reach (auth.md); importing
        # the views registers the resources of orders.
        from commerce.views import AddressResource
        from orders.views import addresses_within_reach

        if addresses_within_reach not in AddressResource.reach_rules:
            AddressResource.reach_rules.append(addresses_within_reach)
