"""Customers sign in through a sales channel: `grant_type=password` on /oauth/token (auth.md).

The token acts for the customer (`owner {id, type: "Customer"}`) in the sales channel's market
and comes with a refresh token. django-oauth-toolkit ties refresh tokens to a Django user, so
all customer refresh tokens hang off one inactive service user; the customer is the token's
owner, stored with its scope.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from commerce.auth.context import CUSTOMER, SALES_CHANNEL
from commerce.auth.exceptions import InvalidGrant, InvalidScope, UnauthorizedClient
from commerce.auth.grants import TokenRequest
from commerce.auth.scopes import resolve_client_scope
from commerce.auth.services import IssuedToken, issue_token
from commerce.auth.tokens import Owner
from orders.models import Customer

SERVICE_USERNAME = "oauth-customers"


def _service_user_id() -> int:
    user, _ = get_user_model().objects.get_or_create(
        username=SERVICE_USERNAME, defaults={"is_active": False}
    )
    return user.pk


def password_grant(request: TokenRequest) -> IssuedToken:
    if request.client.kind != SALES_CHANNEL:
        raise UnauthorizedClient()
    email = request.require("username")
    password = request.require("password")
    customer = Customer.objects.filter(email__iexact=email).first()
    if customer is None or not customer.password:
        # Hash all the same: an unknown username must not answer faster than a wrong password.
        make_password(password)
        raise InvalidGrant("Invalid username or password.")
    if not customer.check_password(password):
        raise InvalidGrant("Invalid username or password.")
    scope = resolve_client_scope(request.params.get("scope"), request.client.scope, kind=CUSTOMER)
    if any(m.customer_group_id not in (None, customer.customer_group_id) for m in scope.markets):
        # A private market is its customer group's (auth.md): checked once the password is.
        raise InvalidScope(
            "The requested scope is invalid: the market is private, and this customer is not "
            "in its customer group."
        )
    return issue_token(
        request.client,
        scope,
        owner=Owner(customer_id=customer.pk, public_id=customer.public_id),
        user_id=_service_user_id(),
        with_refresh_token=True,
    )
