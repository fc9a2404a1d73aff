"""Public ids: what clients see instead of primary keys.

Commerce Layer ids are 10 ASCII letters, mixed case (api.md). 52**10 ~ 1.4e17 values from the
OS's CSPRNG, so a guest order's id can serve as its access key.
"""

import secrets
import string

PUBLIC_ID_LENGTH = 10
_ALPHABET = string.ascii_letters


# Random bytes below 208 (= 4 x 52) map onto the alphabet uniformly (byte % 52), the others are
# dropped: one read of the CSPRNG per id instead of one per letter (`secrets.choice`).
_UNIFORM_BELOW = 256 - 256 % len(_ALPHABET)
_LETTER_OF_BYTE = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))
_DROPPED_BYTES = bytes(range(_UNIFORM_BELOW, 256))


def new_public_id() -> str:
    letters = b""
    while len(letters) < PUBLIC_ID_LENGTH:
        draw = secrets.token_bytes(2 * PUBLIC_ID_LENGTH)
        letters += draw.translate(_LETTER_OF_BYTE, _DROPPED_BYTES)
    return letters[:PUBLIC_ID_LENGTH].decode("ascii")


def looks_like_public_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == PUBLIC_ID_LENGTH
        and all(c in _ALPHABET for c in value)
    )
