"""Customers: sign-up (with a password or not), profile updates, address book."""

from django.db import transaction

from commerce.auth.context import TokenContext
from commerce.events import emit_event
from commerce.exceptions import ValidationError
from commerce.services import save_record
from orders.models import Customer, CustomerAddress
from orders.selectors import customer_by_email


@transaction.atomic(savepoint=False)
def create_customer(*, email: str, password: str | None = None, **values) -> Customer:
    if Customer.objects.filter(email__iexact=email).exists():
        raise ValidationError("email", "has already been taken", error="taken")
    customer = Customer(email=email.lower(), **values)
    customer.set_password(password)
    save_record(customer)
    emit_event("customers.create", customer)
    return customer


@transaction.atomic(savepoint=False)
def update_customer(customer: Customer, values: dict) -> Customer:
    values = dict(values)
    if "password" in values:
        customer.set_password(values.pop("password"))
    if "email" in values:
        email = values.pop("email").lower()
        if Customer.objects.filter(email__iexact=email).exclude(pk=customer.pk).exists():
            raise ValidationError("email", "has already been taken", error="taken")
        customer.email = email
    for name, value in values.items():
        setattr(customer, name, value)
    save_record(customer)
    return customer


@transaction.atomic(savepoint=False)
def create_customer_address(*, ctx: TokenContext, values: dict) -> CustomerAddress:
    values = dict(values)
    email = values.pop("customer_email", None)
    customer = values.pop("customer", None)
    if ctx.is_customer:
        customer = Customer.objects.get(pk=ctx.customer_id)
    elif customer is None and email:
        customer = Customer.objects.filter(email__iexact=email).first()
    if customer is None:
        raise ValidationError("customer", "can't be blank", error="blank", relationship=True)
    address = values.pop("address")
    if address.owner_customer_id is None:
        address.owner_customer_id = customer.pk
        address.save(update_fields=["owner_customer_id", "updated_at"])
    elif address.owner_customer_id != customer.pk:
        raise ValidationError(
            "address", "belongs to another customer", error="invalid", relationship=True
        )
    return save_record(CustomerAddress(customer=customer, address=address))


def membership_errors(order) -> list[ValidationError]:
    """A private market's orders are its customer group's (catalog.md "Customer groups and
    private markets"): the order's customer, else the customer its `customer_email` names
    (`customer_by_email`, the one lookup of an address), must be in the market's group, whoever
    places it. No query unless the market (read with the order) has a group; an order without
    either is `customer_email`'s blank error already."""
    group_id = order.market.customer_group_id
    if group_id is None:
        return []
    if order.customer_id is not None:
        member = Customer.objects.filter(pk=order.customer_id, customer_group_id=group_id).exists()
    elif order.customer_email:
        customer = customer_by_email(order.customer_email)
        member = customer is not None and customer.customer_group_id == group_id
    else:
        return []
    if member:
        return []
    return [
        ValidationError(
            "customer_email",
            "is not a member of this market's customer group",
            error="invalid",
        )
    ]
