from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        # Customers sign in through sales channels: the password grant lives with customers.
        from commerce.auth.grants import PASSWORD, register_grant
        from orders.auth import password_grant

        register_grant(PASSWORD, password_grant)
