"""Writes a refused request keeps (payments.md "Gateway calls: what is recorded"): a gateway call
that moved money, or that the gateway refused or never answered, is recorded even when the
request that made it is refused and its transaction undone.

A service registers the write with `keep_if_refused` right after the call. When the request's
transaction rolls back, `keeping_refused_writes` (around every JSON:API write) runs the kept
writes, in order, in a transaction of their own, then lets the request's error go on to its
answer. When the request commits they are dropped: its own transaction wrote them. Outside a
request's write (a management command, a test calling a service) nothing is kept: the
caller's transaction decides alone."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from commerce.events import recording_events

logger = logging.getLogger(__name__)

_kept: ContextVar[list | None] = ContextVar("kept_writes", default=None)


def keep_if_refused(write) -> None:
    """Run `write()` again, alone, should the current request be refused."""
    kept = _kept.get()
    if kept is not None:
        kept.append(write)


@contextmanager
def keeping_refused_writes():
    if _kept.get() is not None:  # nested: the outer block keeps
        yield
        return
    token = _kept.set([])
    try:
        yield
    except BaseException:
        writes = _kept.get()
        _kept.reset(token)
        token = None
        if writes:
            try:
                with transaction.atomic(), recording_events():
                    for write in writes:
                        write()
            except Exception:  # the request's own error is what the client must see
                logger.exception("could not keep the writes of a refused request")
        raise
    finally:
        if token is not None:
            _kept.reset(token)
