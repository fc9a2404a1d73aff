"""Customer password resets (aftersale.md §5).

- `create_reset`: a reset for an email, with a random token (256 bits) shown in this answer
  only and kept as its SHA-256. An unknown email gets the same answer (a token that never
  works, no customer): the API never tells whether an address has an account, and a reset
  never creates one.
- `reset_password`: with the reset's token and a new password, under the reset's row lock:
  the password is set, the reset used (`reset_password_at`), and the customer's access and
  refresh tokens revoked, so the old password and every session made with it stop at once.
  A wrong, expired, used or customer-less token is one answer: 422 "is invalid"."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from commerce.auth.services import revoke_customer_tokens
from commerce.events import emit_event, triggers_only
from commerce.exceptions import ValidationError
from commerce.services import save_record, write_fields
from orders.models import CustomerPasswordReset
from orders.selectors import customer_by_email

TOKEN = "_reset_password_token"
MIN_PASSWORD = 8  # as a customer's own password


def create_reset(email: str) -> CustomerPasswordReset:
    token = secrets.token_urlsafe(32)
    reset = CustomerPasswordReset(
        customer=customer_by_email(email),
        customer_email=email.lower(),
        token_hash=_digest(token),
        expires_at=timezone.now() + timedelta(hours=CustomerPasswordReset.LIFETIME_HOURS),
    )
    save_record(reset)
    reset.reset_password_token = token  # for this answer only
    emit_event("customer_password_resets.create", reset)
    return reset


def reset_password(reset: CustomerPasswordReset, token, password) -> CustomerPasswordReset:
    """`reset` read under its row lock."""
    if not isinstance(token, str) or not _usable(reset, token):
        raise ValidationError(TOKEN, "is invalid", error="invalid")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError(
            "customer_password",
            f"is too short (minimum is {MIN_PASSWORD} characters)",
            error="too_short",
            count=MIN_PASSWORD,
        )
    customer = reset.customer
    customer.set_password(password)
    write_fields(customer, ["password", "updated_at"])
    revoke_customer_tokens(customer.pk)
    reset.reset_password_at = timezone.now()
    with triggers_only():  # the stamp is the move's, recorded as its topic alone (bulk.md)
        write_fields(reset, ["reset_password_at", "updated_at"])
    emit_event("customer_password_resets.reset_password", reset)
    return reset


def _usable(reset: CustomerPasswordReset, token: str) -> bool:
    return (
        hmac.compare_digest(reset.token_hash, _digest(token))
        and reset.customer_id is not None
        and reset.reset_password_at is None
        and reset.expires_at > timezone.now()
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
