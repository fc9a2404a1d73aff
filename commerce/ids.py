"""Public ids: what clients see instead of primary keys.

Commerce Layer ids are 10 ASCII letters, mixed case (api.md). 52**10 ~ 1.4e17 values from the
OS's CSPRNG, so a guest order's id can serve as its access key.
"""

import secrets
import string

PUBLIC_ID_LENGTH = 10
_ALPHABET = string.ascii_letters


def new_public_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def looks_like_public_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == PUBLIC_ID_LENGTH
        and all(c in _ALPHABET for c in value)
    )
