"""Client input the database cannot take, found before it gets there (limits.md sections 1, 2).

- Integers: each integer column has the range of its storage type (smallint, integer, bigint).
  PostgreSQL raises on a value outside it, SQLite would store it: both refuse it here, the same
  way, so an answer never depends on the database.
- Text: a NUL character or a lone UTF-16 surrogate can't be stored by PostgreSQL (SQLite could):
  both refuse it wherever text enters, with a pointer to where it was.
"""

import re

from django.db import models

# The range of each storage type, whatever the database (Django's table for PostgreSQL; SQLite
# would take any 64-bit value). Positive fields are a CHECK on the same storage type.
_SMALL = (-(2**15), 2**15 - 1)
_INT = (-(2**31), 2**31 - 1)
_BIG = (-(2**63), 2**63 - 1)
_STORAGE = {
    "SmallIntegerField": _SMALL,
    "PositiveSmallIntegerField": _SMALL,
    "SmallAutoField": _SMALL,
    "IntegerField": _INT,
    "PositiveIntegerField": _INT,
    "AutoField": _INT,
    "BigIntegerField": _BIG,
    "PositiveBigIntegerField": _BIG,
    "BigAutoField": _BIG,
}


def integer_range(field: models.Field) -> tuple[int, int] | None:
    """(lowest, highest) value the column of an integer model field can hold, else None."""
    return _STORAGE.get(field.get_internal_type())


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON text can only produce such a character through an escape (a raw NUL is invalid JSON, a
# raw surrogate invalid UTF-8): documents without one are not walked.
_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def is_unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def describe(text: str) -> str:
    """What makes `text` unstorable, in words (the text itself may not be printable)."""
    char = _UNSTORABLE.search(text).group()
    return "a NUL character" if char == "\x00" else "an unpaired UTF-16 surrogate"


def json_text_may_hold_unstorable(raw: bytes) -> bool:
    return _ESCAPE.search(raw) is not None


def find_unstorable(document, prefix: str = "") -> tuple[str, str] | None:
    """(JSON pointer, description) of the first key or string value of a parsed JSON document
    holding a NUL or a lone surrogate, else None. Walks with a stack, not recursion."""
    stack = [(prefix, None, document)]
    while stack:
        pointer, key, value = stack.pop()
        if key is not None and is_unstorable(key):
            return pointer, describe(key)
        if isinstance(value, str):
            if is_unstorable(value):
                return pointer, describe(value)
        elif isinstance(value, dict):
            members = [(f"{pointer}/{escape_pointer(k)}", k, v) for k, v in value.items()]
            stack.extend(reversed(members))  # in document order
        elif isinstance(value, list):
            stack.extend(reversed([(f"{pointer}/{i}", None, v) for i, v in enumerate(value)]))
    return None


def escape_pointer(key: str) -> str:
    """A member name as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
