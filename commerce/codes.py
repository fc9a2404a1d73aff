"""Real codes (limits.md section 3): every serializer taking a `country_code`, `currency_code` or
`language_code` checks it here, against Babel's (CLDR's) lists.

A code is compared case-insensitively and stored upper-case (countries, currencies) or lower-case
(languages). Only ASCII letters count: `ÜS` is refused, and so is `ıt`, although Python upper-cases
the dotless ı to `I`. A refusal is a DRF ValidationError, which the kernel answers 422 with the
attribute's pointer.

- country: an ISO 3166-1 alpha-2 code. CLDR's two-letter regions include codes ISO does not
  assign to a country (`ZZ` unknown, `EU`, `UN`, `XA`/`XB` pseudo-locales, Kosovo's
  user-assigned `XK`, the exceptionally reserved `AC`, `IC` ...): those are refused.
- currency: an ISO 4217 code Babel knows (current and historic ones): commerce/money.py's list,
  the one prices are formatted with.
- language: a language Babel knows by a two- or three-letter ISO 639 code (`en`, `fil`; not
  `und`, `mul`, `zxx` ...), optionally with a country (`en-US`, `pt_BR`), stored as `en-us`.
  Commerce Layer documents ISO 639-1 codes (`en`); storefronts often send the browser's tag,
  which names a language as well.
"""

from functools import lru_cache

from babel import Locale
from rest_framework import serializers

from commerce import money

NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    regions = Locale("en").territories
    return frozenset(
        code for code in regions if len(code) == 2 and code.isalpha() and code not in NOT_ISO_3166
    )


@lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    return frozenset(
        code
        for code in Locale("en").languages
        if len(code) in (2, 3) and code.isalpha() and code not in NOT_A_LANGUAGE
    )


def _letters(value, size: int) -> bool:
    return isinstance(value, str) and len(value) == size and value.isascii() and value.isalpha()


def is_country(value) -> bool:
    return _letters(value, 2) and value.upper() in countries()


def is_currency(value) -> bool:
    return _letters(value, 3) and money.is_known_currency(value)


def country_code(value):
    """A serializer's `validate_country_code`: the code upper-case, or a 422."""
    if value is None:
        return None
    if not is_country(value):
        raise serializers.ValidationError(
            "is not a valid ISO 3166-1 alpha-2 country code", code="invalid"
        )
    return value.upper()


def currency_code(value):
    """A serializer's `validate_currency_code`: the code upper-case (None kept), or a 422."""
    if value is None:
        return None
    if not is_currency(value):
        raise serializers.ValidationError("is not a valid ISO 4217 currency code", code="invalid")
    return value.upper()


def language_code(value):
    """A serializer's `validate_language_code`: the code lower-case (`en`, `en-us`; None kept:
    no preferred language), or a 422."""
    if value is None:
        return None
    text = value.replace("_", "-") if isinstance(value, str) else ""
    language, dash, country = text.partition("-")
    known = (
        language.isascii() and language.lower() in languages() and (not dash or is_country(country))
    )
    if not known:
        raise serializers.ValidationError(
            "is not a known language code (ISO 639, e.g. en or en-US)", code="invalid"
        )
    return text.lower()
