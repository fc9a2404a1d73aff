from django.db import transaction
from django.db.models import F

from commerce.models import Counter


@transaction.atomic
def next_number(name: str, *, start: int = 1) -> int:
    """The next value of counter `name` (the first is `start`)."""
    Counter.objects.get_or_create(name=name, defaults={"value": start - 1})
    Counter.objects.filter(name=name).update(value=F("value") + 1)
    return Counter.objects.get(name=name).value
