"""Secrets (limits.md §5), read from each model's one declaration, `secret_fields`.

A secret is never filterable, sortable or matched (`*_start`, `*_matches`...) under any path, for
any token kind: the filter and sort resolvers leave it out, so asking for it answers exactly as
for an attribute that does not exist. A secret the serializer lists (a shared secret) is returned
to integration tokens only, unless the model names it in `shared_secret_fields` too (returned to
every reader); one it lists write-only (a password, a gateway's key) is never returned.

Not secrets: an order's or a transaction's `token` (`resources.md`: read-only and returned, a
shareable substitute of the id and the gateway's reference), which any reader of the record sees.
"""


def secret_fields(model) -> frozenset[str]:
    return frozenset(getattr(model, "secret_fields", ()))


def shared_secret_fields(model) -> frozenset[str]:
    """Secrets returned to every reader of their record, never filtered or sorted by: a
    PaymentIntent's `client_secret`, which the shopper's browser needs (payments.md)."""
    return frozenset(getattr(model, "shared_secret_fields", ()))


def is_secret_path(model, path: str) -> bool:
    """Whether an ORM path (`customer__password`) reads or walks through a secret column."""
    current = model
    for part in path.split("__"):
        if part in secret_fields(current):
            return True
        try:
            field = current._meta.get_field(part)
        except Exception:
            return False
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def sees_secrets(ctx) -> bool:
    """Whether a document for this caller carries the secrets its serializers list."""
    return ctx is not None and ctx.is_integration
