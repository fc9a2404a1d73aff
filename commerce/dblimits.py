"""What a request that hit one of the database's limits is told (limits.md section 1).

settings.py sets the limits: on PostgreSQL `statement_timeout` and `lock_timeout` as connection
options, on SQLite a busy timeout. The database then ends the statement itself, the surrounding
`transaction.atomic()` rolls back (nothing is half-written) and the connection stays usable, so
the worker goes on serving. This module turns the error into a JSON:API answer (DRF views through
their exception handler, commerce/jsonapi/errors.py; the plain views under /oauth through
commerce/error_pages.JsonErrorsMiddleware):

- a statement cancelled by `statement_timeout` (SQLSTATE 57014): 503 `SERVICE_UNAVAILABLE`. The
  code is what limits.md names; that Commerce Layer uses exactly this name is unconfirmed.
- a lock not obtained within `lock_timeout` (SQLSTATE 55P03, also NOWAIT): 409 `CONFLICT`.
- a deadlock PostgreSQL broke by cancelling this transaction (SQLSTATE 40P01) or a serialization
  failure (40001): also 409 `CONFLICT`. The lock order (inventory/locks.py) is meant to make
  them impossible; should one happen all the same, the loser's transaction is rolled back and
  a retry succeeds, so it is the same answer as a lock wait, not a 500.
- SQLite's "database is locked" (SQLITE_BUSY or SQLITE_LOCKED, after the busy timeout): also 409
  `CONFLICT`. It is the same event as PostgreSQL's lock wait (another request holds what this one
  must write, and waiting longer was refused), and the client does the same thing: retry.
"""

from django.db import OperationalError

from commerce.exceptions import CommerceError, Conflict, ServiceUnavailable

QUERY_CANCELED = "57014"
LOCK_NOT_AVAILABLE = "55P03"
ROLLED_BACK = {"40P01", "40001"}  # deadlock detected, serialization failure


def statement_timeout() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The request took too long and was stopped. Nothing was changed; retry later, or ask "
        "for less (filters, smaller pages, fewer includes)."
    )


def lock_timeout() -> Conflict:
    return Conflict(
        "Another request is changing the same records. Nothing was changed; retry shortly."
    )


def database_limit_error(exc: BaseException) -> CommerceError | None:
    """The answer for a database error caused by one of the limits above, else None."""
    if not isinstance(exc, OperationalError):
        return None
    cause = exc.__cause__  # Django keeps the driver's exception here
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg
    if sqlstate == QUERY_CANCELED:
        return statement_timeout()
    if sqlstate == LOCK_NOT_AVAILABLE or sqlstate in ROLLED_BACK:
        return lock_timeout()
    name = getattr(cause, "sqlite_errorname", "")  # sqlite3 (Python 3.11+)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return lock_timeout()
    return None
