"""The double-entry ledger of refunds: append-only entries, corrections only by reversal, balances derived.

Every refund posts one transaction of two entries of the same amount:

- DEBIT ``platform:refund_expense`` — the platform's refund expense grows;
- CREDIT ``advertiser:<account_id>:refunds`` — what is owed back to the advertiser grows.

Nothing is ever updated or deleted. A wrong posting is corrected by a reversal transaction that mirrors it entry
by entry (same ledger account and amount, opposite direction, ``reverses_entry_id`` pointing at the original); an
entry can be reversed once. Balances are sums over entries, never stored. The invariant — per currency, debits equal
credits — is checked on every posting (``check_posting``) and exposed as ``imbalance`` (the
``leadflow_refund_ledger_imbalance_fen{currency}`` gauge, 0 when balanced).

Amounts are ``Money`` in fen; an entry's amount is always positive, its direction gives the sign.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.refund.domain.cases import RefundReason
from services.refund.domain.errors import LedgerInvariantError
from services.refund.domain.money import Money
from services.refund.domain.refunds import Refund

PLATFORM_REFUND_EXPENSE = "platform:refund_expense"


def advertiser_account(account_id: str) -> str:
    """The ledger account of what is owed back to an advertiser account."""
    return f"advertiser:{account_id}:refunds"


class Direction(StrEnum):
    DEBIT = "DEBIT"
    CREDIT = "CREDIT"

    @property
    def opposite(self) -> Direction:
        return Direction.CREDIT if self is Direction.DEBIT else Direction.DEBIT


@dataclass(frozen=True)
class LedgerEntry:
    """One line of a transaction. ``account_id`` is the advertiser account the refund concerns (on both lines),
    ``reason`` the refund's reason, so that statements group by it without joining."""

    entry_id: str
    transaction_id: str
    ledger_account: str
    direction: Direction
    amount: Money
    account_id: str
    refund_id: str
    case_id: str
    reason: RefundReason
    posted_at: datetime
    reverses_entry_id: str | None = None

    @property
    def signed_fen(self) -> int:
        """Debit-positive amount in fen."""
        return self.amount.fen if self.direction is Direction.DEBIT else -self.amount.fen


@dataclass(frozen=True)
class LedgerTransaction:
    """Entries posted together; they must balance per currency."""

    transaction_id: str
    posted_at: datetime
    entries: tuple[LedgerEntry, ...]


def refund_transaction(refund: Refund, *, posted_at: datetime) -> LedgerTransaction:
    """The transaction that pays ``refund`` (its ``ledger_transaction_id``): debit expense, credit advertiser."""
    tx = refund.ledger_transaction_id

    def entry(suffix: str, ledger_account: str, direction: Direction) -> LedgerEntry:
        return LedgerEntry(
            entry_id=f"{tx}-{suffix}",
            transaction_id=tx,
            ledger_account=ledger_account,
            direction=direction,
            amount=refund.amount,
            account_id=refund.account_id,
            refund_id=refund.refund_id,
            case_id=refund.case_id,
            reason=refund.reason,
            posted_at=posted_at,
        )

    transaction = LedgerTransaction(
        tx,
        posted_at,
        (
            entry("D", PLATFORM_REFUND_EXPENSE, Direction.DEBIT),
            entry("C", advertiser_account(refund.account_id), Direction.CREDIT),
        ),
    )
    check_transaction(transaction)
    return transaction


def reversal_transaction(
    original: LedgerTransaction, *, transaction_id: str, posted_at: datetime
) -> LedgerTransaction:
    """The transaction that reverses every entry of ``original``, entry by entry."""
    entries = tuple(
        LedgerEntry(
            entry_id=f"{transaction_id}-{index}",
            transaction_id=transaction_id,
            ledger_account=e.ledger_account,
            direction=e.direction.opposite,
            amount=e.amount,
            account_id=e.account_id,
            refund_id=e.refund_id,
            case_id=e.case_id,
            reason=e.reason,
            posted_at=posted_at,
            reverses_entry_id=e.entry_id,
        )
        for index, e in enumerate(original.entries, start=1)
    )
    transaction = LedgerTransaction(transaction_id, posted_at, entries)
    check_transaction(transaction)
    return transaction


def check_transaction(transaction: LedgerTransaction) -> None:
    """Raise LedgerInvariantError unless the transaction has at least two entries, all of it, with positive
    amounts and unique ids, and its debits equal its credits in every currency."""
    entries = transaction.entries
    if len(entries) < 2:
        raise LedgerInvariantError(f"transaction {transaction.transaction_id} has fewer than two entries")
    if len({e.entry_id for e in entries}) != len(entries):
        raise LedgerInvariantError(f"transaction {transaction.transaction_id} repeats an entry id")
    for e in entries:
        if e.transaction_id != transaction.transaction_id:
            raise LedgerInvariantError(f"entry {e.entry_id} belongs to another transaction")
        if not e.amount.is_positive:
            raise LedgerInvariantError(f"entry {e.entry_id} has a non-positive amount")
    unbalanced = {currency: fen for currency, fen in imbalance(entries).items() if fen}
    if unbalanced:
        raise LedgerInvariantError(f"transaction {transaction.transaction_id} is unbalanced: {unbalanced}")


def check_posting(existing: Iterable[LedgerEntry], transaction: LedgerTransaction) -> None:
    """Raise LedgerInvariantError unless ``transaction`` may be appended to ``existing``: balanced, no entry id
    already used, and each reversal mirrors an existing entry that was not reversed before."""
    check_transaction(transaction)
    by_id = {e.entry_id: e for e in existing}
    reversed_ids = {e.reverses_entry_id for e in by_id.values() if e.reverses_entry_id}
    for entry in transaction.entries:
        if entry.entry_id in by_id:
            raise LedgerInvariantError(f"entry {entry.entry_id} was posted already")
        target_id = entry.reverses_entry_id
        if target_id is None:
            continue
        target = by_id.get(target_id)
        if target is None:
            raise LedgerInvariantError(f"entry {entry.entry_id} reverses unknown entry {target_id}")
        if target_id in reversed_ids:
            raise LedgerInvariantError(f"entry {target_id} was reversed already")
        mirrors = (
            target.ledger_account == entry.ledger_account
            and target.amount == entry.amount
            and target.direction is entry.direction.opposite
        )
        if not mirrors:
            raise LedgerInvariantError(f"entry {entry.entry_id} does not mirror entry {target_id}")
        reversed_ids.add(target_id)


@dataclass(frozen=True)
class Ledger:
    """An append-only sequence of entries (the in-memory shape; the store keeps the same rows, insert-only)."""

    entries: tuple[LedgerEntry, ...] = field(default=())

    def post(self, transaction: LedgerTransaction) -> Ledger:
        check_posting(self.entries, transaction)
        return Ledger(self.entries + transaction.entries)

    def transaction(self, transaction_id: str) -> LedgerTransaction:
        entries = tuple(e for e in self.entries if e.transaction_id == transaction_id)
        if not entries:
            raise KeyError(transaction_id)
        return LedgerTransaction(transaction_id, entries[0].posted_at, entries)


def balances(entries: Iterable[LedgerEntry]) -> dict[tuple[str, str], int]:
    """Debit-positive balance in fen per (ledger account, currency)."""
    result: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        result[(e.ledger_account, e.amount.currency)] += e.signed_fen
    return dict(result)


def imbalance(entries: Iterable[LedgerEntry]) -> dict[str, int]:
    """Debits minus credits in fen per currency; every value is 0 in a balanced ledger."""
    result: dict[str, int] = defaultdict(int)
    for e in entries:
        result[e.amount.currency] += e.signed_fen
    return dict(result)


def owed_to_advertiser(entries: Sequence[LedgerEntry], account_id: str) -> dict[str, int]:
    """The credit balance (fen per currency) of the advertiser's refunds account: refunds net of reversals."""
    account = advertiser_account(account_id)
    return {
        currency: -fen
        for (ledger_account, currency), fen in balances(entries).items()
        if ledger_account == account
    }
