"""Money: integer minor units are the only stored truth; floats and strings are derived here.

Exponents come from ISO 4217 (through Babel). Formatting follows Commerce Layer, which uses the
RubyMoney currency table (symbol, symbol position, decimal mark, thousands separator), not the
viewer's locale: `$1,917.60`, `€1.000,00`, `-€5,00`, `¥1,033`. Every rounding to cents goes
through `round_half_away` (half away from zero), never Python's default banker's rounding.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import get_currency_precision, get_currency_symbol, list_currencies


@dataclass(frozen=True)
class CurrencyFormat:
    symbol: str
    symbol_first: bool = True
    decimal_mark: str = "."
    thousands_separator: str = ","


# RubyMoney's table for the currencies a shop is likely to use; others fall back to Babel's
# symbol with `.` and `,` (RubyMoney's defaults).
_FORMATS = {
    "USD": CurrencyFormat("$"),
    "EUR": CurrencyFormat("€", True, ",", "."),
    "GBP": CurrencyFormat("£"),
    "JPY": CurrencyFormat("¥"),
    "CNY": CurrencyFormat("¥"),
    "CHF": CurrencyFormat("CHF", True, ".", ","),
    "CAD": CurrencyFormat("$"),
    "AUD": CurrencyFormat("$"),
    "NZD": CurrencyFormat("$"),
    "HKD": CurrencyFormat("$"),
    "SGD": CurrencyFormat("$"),
    "MXN": CurrencyFormat("$"),
    "BRL": CurrencyFormat("R$", True, ",", "."),
    "INR": CurrencyFormat("₹"),
    "KRW": CurrencyFormat("₩"),
    "KWD": CurrencyFormat("د.ك", True, ".", ","),
    "BHD": CurrencyFormat("ب.د", True, ".", ","),
    "SEK": CurrencyFormat("kr", False, ",", " "),
    "NOK": CurrencyFormat("kr", False, ",", "."),
    "DKK": CurrencyFormat("kr.", False, ",", "."),
    "PLN": CurrencyFormat("zł", False, ",", " "),
    "CZK": CurrencyFormat("Kč", False, ",", "."),
    "HUF": CurrencyFormat("Ft", False, ",", "."),
    "RUB": CurrencyFormat("₽", False, ",", "."),
    "TRY": CurrencyFormat("₺", True, ",", "."),
    "ZAR": CurrencyFormat("R", True, ".", ","),
}


class UnknownCurrency(ValueError):
    pass


@lru_cache(maxsize=1)
def _iso_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=512)
def exponent(currency_code: str) -> int:
    """Minor units of a currency (USD 2, JPY 0, KWD 3), from ISO 4217."""
    code = (currency_code or "").upper()
    if code not in _iso_currencies():
        raise UnknownCurrency(currency_code)
    return get_currency_precision(code)


def is_known_currency(currency_code: str) -> bool:
    try:
        exponent(currency_code)
    except UnknownCurrency:
        return False
    return True


@lru_cache(maxsize=512)
def currency_format(currency_code: str) -> CurrencyFormat:
    code = currency_code.upper()
    return _FORMATS.get(code) or CurrencyFormat(get_currency_symbol(code, locale="en"))


def round_half_away(value: Decimal | Fraction | int) -> int:
    """Round to an integer, halves away from zero: 82.5 -> 83, -82.5 -> -83."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_float(cents: int | None, currency_code: str | None) -> float | None:
    if cents is None or not currency_code:
        return None
    return float(Decimal(cents).scaleb(-exponent(currency_code)))


def format_amount(cents: int | None, currency_code: str | None) -> str | None:
    """Commerce Layer's formatted money: `$1,917.60`, `€50,00`, `-€5,00`, `¥1,033`."""
    if cents is None or not currency_code:
        return None
    exp = exponent(currency_code)
    fmt = currency_format(currency_code)
    sign = "-" if cents < 0 else ""
    units, minor = divmod(abs(int(cents)), 10**exp)
    whole = f"{units:,}".replace(",", fmt.thousands_separator)
    number = f"{whole}{fmt.decimal_mark}{minor:0{exp}d}" if exp else whole
    if fmt.symbol_first:
        return f"{sign}{fmt.symbol}{number}"
    return f"{sign}{number} {fmt.symbol}"


def money_triplet(name: str, cents: int | None, currency_code: str | None) -> dict:
    """`{name_cents, name_float, formatted_name}` for a money attribute."""
    return {
        f"{name}_cents": cents,
        f"{name}_float": to_float(cents, currency_code),
        f"formatted_{name}": format_amount(cents, currency_code),
    }
