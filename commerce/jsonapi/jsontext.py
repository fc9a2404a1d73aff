"""JSON from clients, with its nesting bounded before it is parsed (limits.md section 1).

Python's parser recurses once per level: a body nested a thousand deep raises RecursionError (a
500), and every walk of the parsed document would recurse as deep. `loads` counts the depth first
without recursing, with a few passes of C-speed byte operations, and refuses a document deeper than
MAX_DEPTH (objects and arrays count alike).
"""

import json
import re

MAX_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_KEEP_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class TooDeep(ValueError):
    pass


def check_depth(raw: bytes, limit: int = MAX_DEPTH) -> None:
    """Raise TooDeep when `raw` nests objects and arrays deeper than `limit` (or its brackets
    outside strings don't pair up, which no parser would accept either)."""
    brackets = _STRING.sub(b"", raw).translate(_KEEP_BRACKETS, _NOT_BRACKETS)
    # Each pass removes every innermost pair, so exactly one level: after `limit` passes a
    # document that deep or shallower has no bracket left.
    too_deep = b"[" * (limit + 1)  # the plain attack, found without a single pass
    for _ in range(limit):
        if not brackets:
            return
        if too_deep in brackets:
            break
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    if not brackets:
        return
    if b"[]" in brackets:
        raise TooDeep(f"The document is nested deeper than {limit} levels.")
    raise TooDeep("The document's brackets are not balanced.")


def loads(raw: bytes | str, limit: int = MAX_DEPTH):
    """json.loads of UTF-8 bytes (or text) nested at most `limit` deep; ValueError otherwise
    (TooDeep, json.JSONDecodeError, UnicodeDecodeError are all ValueErrors)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    check_depth(data, limit)
    text = raw if isinstance(raw, str) else raw.decode("utf-8")
    return json.loads(text)
