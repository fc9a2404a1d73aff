"""The one writer of a return's status (style.md 17): `move_return` asks the table, stamps the
status's `*_at`, saves and records the trigger's event. It runs under the return's row lock
(after its order's), in the caller's transaction."""

from django.utils import timezone

from commerce.events import emit_event
from commerce.services import write_record
from returns.models import Return
from returns.transitions import RETURN_STAMPS, next_return_status


def move_return(ret: Return, trigger: str, **payload) -> Return:
    ret.status = next_return_status(ret.status, trigger)
    stamp = RETURN_STAMPS.get(ret.status)
    if stamp is not None:
        setattr(ret, stamp, timezone.now())
    write_record(ret)
    emit_event(f"returns.{trigger}", ret, status=ret.status, order=ret.order.public_id, **payload)
    return ret
