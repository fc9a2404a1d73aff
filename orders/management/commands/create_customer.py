"""`python manage.py create_customer --email E --password P`: a customer who can sign in
(customers belong to the whole organization; the token's scope picks the market)."""

import json

from django.core.management.base import BaseCommand, CommandError

from commerce.exceptions import CommerceError
from orders.models import Customer
from orders.services.customers import create_customer, update_customer


class Command(BaseCommand):
    help = "Create (or update the password of) a customer."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, email, password, **options):
        try:
            existing = Customer.objects.filter(email__iexact=email).first()
            if existing is None:
                customer = create_customer(email=email, password=password)
            else:
                customer = update_customer(existing, {"password": password})
        except CommerceError as error:
            raise CommandError("; ".join(i.detail for i in error.items())) from None
        summary = {"id": customer.public_id, "email": customer.email}
        if options["json"]:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(f"Customer {customer.email} ({customer.public_id}) can sign in.")


def _dumps(value) -> str:
    return json.dumps(value)
