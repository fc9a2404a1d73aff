"""Domain actions of the markets app, each one transaction."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce.services import save_record
from markets.models import Market


@transaction.atomic(savepoint=False)
def create_market(**values) -> Market:
    market = Market(**values)
    last = (
        Market.objects.select_for_update()
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    market.number = (last or 0) + 1
    return save_record(market)


def disable(record, value=True, *, ctx=None):
    """`_disable`: markets, shipping and payment methods, gateways stop being offered."""
    if record.disabled_at is None:
        record.disabled_at = timezone.now()
        record.save(update_fields=["disabled_at", "updated_at"])
    return record


def enable(record, value=True, *, ctx=None):
    """`_enable`: clears disabled_at."""
    if record.disabled_at is not None:
        record.disabled_at = None
        record.save(update_fields=["disabled_at", "updated_at"])
    return record


def reset_circuit(record, value=True, *, ctx=None):
    """`_reset_circuit` of a shipping method's or an external gateway's circuit breaker."""
    record.circuit_state = "closed"
    record.circuit_failure_count = 0
    record.save(update_fields=["circuit_state", "circuit_failure_count", "updated_at"])
    return record


def active_promotion_q(now=None) -> Q:
    """Promotions whose status is `active` at `now` (Promotion.status_at, as a query)."""
    now = now or timezone.now()
    return Q(disabled_at__isnull=True, starts_at__lte=now, expires_at__gt=now) & (
        Q(total_usage_limit__isnull=True) | Q(total_usage_count__lt=F("total_usage_limit"))
    )
