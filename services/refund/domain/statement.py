"""The monthly statement of an advertiser account, derived from the ledger so that it always equals it.

A statement covers one calendar month in the tenant's time zone ("Asia/Shanghai" by default), ``[first day 00:00,
next month's first day 00:00)``. It counts the entries on the advertiser's refunds account posted in that month:
a refund's credit adds one refund and its amount to the line of its reason and currency; a reversal's debit takes
them away again (a correction shows in the month it is posted, as on a bank statement). Lines are ordered by
reason (in ``RefundReason`` order, the proto's numbering) then currency; a line that nets to nothing is left out.
The totals per currency equal the movement of the advertiser's refunds account over the month, by construction and
by test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.common.errors import ViolationCollector
from services.refund.domain.cases import RefundReason
from services.refund.domain.ledger import Direction, LedgerEntry, advertiser_account
from services.refund.domain.money import Money

_REASON_ORDER = {reason: index for index, reason in enumerate(RefundReason)}


@dataclass(frozen=True)
class StatementLine:
    reason: RefundReason
    refund_count: int
    amount: Money


@dataclass(frozen=True)
class Statement:
    account_id: str
    year: int
    month: int
    lines: tuple[StatementLine, ...]
    refund_count: int
    totals: tuple[Money, ...]


def month_range(
    year: int, month: int, zone: ZoneInfo, errors: ViolationCollector | None = None
) -> tuple[datetime, datetime]:
    """The month as a half-open UTC range ``[start, end)``. Raises InvalidArgument naming year or month, with the
    violations already in ``errors``."""
    errors = errors or ViolationCollector()
    if not 1970 <= year <= 9998:
        errors.add("year", "must be between 1970 and 9998")
    if not 1 <= month <= 12:
        errors.add("month", "must be between 1 and 12")
    errors.raise_if_any()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class LedgerMovement:
    """The entries of one advertiser account with one reason, currency and direction, counted and summed (what
    the store aggregates for a statement, instead of returning every entry)."""

    reason: RefundReason
    currency: str
    direction: Direction
    entry_count: int
    fen: int


def movements(
    entries: Iterable[LedgerEntry], account_id: str, start: datetime, end: datetime
) -> list[LedgerMovement]:
    """The movements of the advertiser's refunds account over ``[start, end)`` from ``entries`` (any order)."""
    account = advertiser_account(account_id)
    counts: dict[tuple[RefundReason, str, Direction], int] = defaultdict(int)
    sums: dict[tuple[RefundReason, str, Direction], int] = defaultdict(int)
    for entry in entries:
        if entry.ledger_account != account or not start <= entry.posted_at < end:
            continue
        key = (entry.reason, entry.amount.currency, entry.direction)
        counts[key] += 1
        sums[key] += entry.amount.fen
    return [LedgerMovement(r, c, d, counts[(r, c, d)], sums[(r, c, d)]) for r, c, d in counts]


def build_statement(
    entries: Iterable[LedgerEntry], account_id: str, year: int, month: int, zone: ZoneInfo
) -> Statement:
    """The statement of ``account_id`` for ``year``-``month`` from the ledger ``entries`` (any order)."""
    start, end = month_range(year, month, zone)
    return assemble_statement(movements(entries, account_id, start, end), account_id, year, month)


def assemble_statement(
    account_movements: Iterable[LedgerMovement], account_id: str, year: int, month: int
) -> Statement:
    """The statement from the month's movements of the advertiser's refunds account (see ``movements``)."""
    counts: dict[tuple[RefundReason, str], int] = defaultdict(int)
    sums: dict[tuple[RefundReason, str], int] = defaultdict(int)
    for movement in account_movements:
        key = (movement.reason, movement.currency)
        # On the advertiser's (credit-normal) account a credit is a refund, a debit its reversal.
        sign = 1 if movement.direction is Direction.CREDIT else -1
        counts[key] += sign * movement.entry_count
        sums[key] += sign * movement.fen
    keys = sorted(
        (key for key in counts if counts[key] or sums[key]), key=lambda k: (_REASON_ORDER[k[0]], k[1])
    )
    lines = tuple(
        StatementLine(reason, counts[(reason, cur)], Money(cur, sums[(reason, cur)])) for reason, cur in keys
    )
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.amount.currency] += line.amount.fen
    return Statement(
        account_id=account_id,
        year=year,
        month=month,
        lines=lines,
        refund_count=sum(line.refund_count for line in lines),
        totals=tuple(Money(currency, fen) for currency, fen in sorted(totals.items())),
    )
