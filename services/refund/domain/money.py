"""Money as an integer number of fen with its currency, so that sums and comparisons are exact.

"Fen" is one hundredth of the currency's main unit (分 for CNY, the cent for USD). Every currency leadflow charges
in has two decimal places; an amount with a finer fraction cannot be represented and is refused at the edge
(``from_units_nanos``). The protobuf ``leadflow.common.v1.Money`` (units + nanos, like ``google.type.Money``)
converts to and from this type without loss for such amounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_NANOS_PER_FEN = 10_000_000
_FEN_PER_UNIT = 100


class MoneyError(ValueError):
    """An amount that cannot be represented, or arithmetic across two currencies."""


@dataclass(frozen=True, order=True)
class Money:
    """An amount in one currency: ``currency`` is an ISO 4217 code ("CNY"), ``fen`` an integer (may be negative)."""

    currency: str
    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise MoneyError("a currency is a three-letter ISO 4217 code in capitals, for example CNY")
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise MoneyError("an amount in fen is an integer")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(currency, 0)

    @classmethod
    def yuan(cls, amount: str, currency: str = "CNY") -> Money:
        """Parse a decimal string such as "12.30" (tests and fixtures). Raises MoneyError past two decimals."""
        sign = -1 if amount.startswith("-") else 1
        whole, _, fraction = amount.lstrip("+-").partition(".")
        if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
            raise MoneyError(f"{amount!r} is not an amount with at most two decimals")
        return cls(currency, sign * (int(whole) * _FEN_PER_UNIT + int(fraction.ljust(2, "0") or 0)))

    @classmethod
    def from_units_nanos(cls, currency: str, units: int, nanos: int) -> Money:
        """Convert the protobuf shape. Raises MoneyError when nanos is out of range, has the wrong sign, or is
        finer than one fen (a multiple of 10,000,000 nanos)."""
        if not -999_999_999 <= nanos <= 999_999_999:
            raise MoneyError("nanos must be between -999,999,999 and 999,999,999")
        if (units > 0 and nanos < 0) or (units < 0 and nanos > 0):
            raise MoneyError("nanos must have the sign of units")
        if nanos % _NANOS_PER_FEN:
            raise MoneyError("an amount finer than one fen (0.01) cannot be charged or refunded")
        return cls(currency, units * _FEN_PER_UNIT + nanos // _NANOS_PER_FEN)

    def to_units_nanos(self) -> tuple[int, int]:
        """The protobuf shape: whole units and nanos with the same sign."""
        magnitude = abs(self.fen)
        sign = -1 if self.fen < 0 else 1
        return sign * (magnitude // _FEN_PER_UNIT), sign * (magnitude % _FEN_PER_UNIT) * _NANOS_PER_FEN

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.currency, self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.currency, self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(self.currency, -self.fen)

    @property
    def is_positive(self) -> bool:
        return self.fen > 0

    def __str__(self) -> str:
        units, remainder = divmod(abs(self.fen), _FEN_PER_UNIT)
        sign = "-" if self.fen < 0 else ""
        return f"{sign}{units}.{remainder:02d} {self.currency}"


def total(amounts: list[Money] | tuple[Money, ...], currency: str) -> Money:
    """The sum of amounts, all in ``currency`` (MoneyError otherwise); zero for none."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
