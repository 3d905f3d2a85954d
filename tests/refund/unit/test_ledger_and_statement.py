"""The double-entry ledger (append-only, reversals only, balanced per currency) and the statement derived from it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.refund.domain.cases import RefundReason
from services.refund.domain.errors import LedgerInvariantError
from services.refund.domain.ledger import (
    PLATFORM_REFUND_EXPENSE,
    Direction,
    Ledger,
    LedgerTransaction,
    advertiser_account,
    balances,
    imbalance,
    owed_to_advertiser,
    refund_transaction,
    reversal_transaction,
)
from services.refund.domain.money import Money
from services.refund.domain.refunds import Refund
from services.refund.domain.statement import build_statement, month_range
from tests.refund.unit.builders import ZONE, at


def refund(
    n: int,
    *,
    fen: int = 5_000,
    currency: str = "CNY",
    account: str = "acct-1",
    reason: RefundReason = RefundReason.EMPTY_NUMBER,
    when: datetime | None = None,
) -> Refund:
    return Refund(
        refund_id=f"r-{n}",
        tenant_id="tenant-1",
        case_id=f"case-{n}",
        lead_id=f"lead-{n}",
        submission_id=f"sub-{n}",
        account_id=account,
        amount=Money(currency, fen),
        reason=reason,
        request_id=f"settle:case-{n}",
        created_at=when or at(10, 12, 0),
        ledger_transaction_id=f"tx-{n}",
    )


def test_a_refund_debits_the_platform_expense_and_credits_the_advertiser() -> None:
    tx = refund_transaction(refund(1), posted_at=at(10, 12, 0))
    debit, credit = tx.entries
    assert (debit.ledger_account, debit.direction) == (PLATFORM_REFUND_EXPENSE, Direction.DEBIT)
    assert (credit.ledger_account, credit.direction) == (advertiser_account("acct-1"), Direction.CREDIT)
    assert debit.amount == credit.amount == Money("CNY", 5_000)
    ledger = Ledger().post(tx)
    assert imbalance(ledger.entries) == {"CNY": 0}
    assert balances(ledger.entries) == {
        (PLATFORM_REFUND_EXPENSE, "CNY"): 5_000,
        (advertiser_account("acct-1"), "CNY"): -5_000,
    }
    assert owed_to_advertiser(ledger.entries, "acct-1") == {"CNY": 5_000}


def test_a_correction_is_a_reversal_and_an_entry_is_reversed_once() -> None:
    ledger = Ledger().post(refund_transaction(refund(1), posted_at=at(10, 12, 0)))
    reversal = reversal_transaction(
        ledger.transaction("tx-1"), transaction_id="tx-rev", posted_at=at(11, 9, 0)
    )
    ledger = ledger.post(reversal)
    assert len(ledger.entries) == 4  # nothing was removed or changed
    assert owed_to_advertiser(ledger.entries, "acct-1") == {"CNY": 0}
    assert imbalance(ledger.entries) == {"CNY": 0}
    again = reversal_transaction(ledger.transaction("tx-1"), transaction_id="tx-rev2", posted_at=at(11, 9, 1))
    with pytest.raises(LedgerInvariantError, match="reversed already"):
        ledger.post(again)


def test_postings_that_break_double_entry_are_refused() -> None:
    good = refund_transaction(refund(1), posted_at=at(10, 12, 0))
    debit, credit = good.entries
    ledger = Ledger().post(good)
    with pytest.raises(LedgerInvariantError, match="posted already"):
        ledger.post(good)
    unbalanced = LedgerTransaction(
        "tx-x",
        at(10, 12),
        (
            replace(debit, entry_id="x-1", transaction_id="tx-x"),
            replace(credit, entry_id="x-2", transaction_id="tx-x", amount=Money("CNY", 4_999)),
        ),
    )
    with pytest.raises(LedgerInvariantError, match="unbalanced"):
        Ledger().post(unbalanced)
    mixed = LedgerTransaction(
        "tx-y",
        at(10, 12),
        (
            replace(debit, entry_id="y-1", transaction_id="tx-y"),
            replace(credit, entry_id="y-2", transaction_id="tx-y", amount=Money("USD", 5_000)),
        ),
    )
    with pytest.raises(LedgerInvariantError, match="unbalanced"):
        Ledger().post(mixed)
    with pytest.raises(LedgerInvariantError, match="fewer than two"):
        Ledger().post(LedgerTransaction("tx-z", at(10, 12), (replace(debit, transaction_id="tx-z"),)))
    zero = LedgerTransaction(
        "tx-0",
        at(10, 12),
        (
            replace(debit, transaction_id="tx-0", entry_id="0-1", amount=Money("CNY", 0)),
            replace(credit, transaction_id="tx-0", entry_id="0-2", amount=Money("CNY", 0)),
        ),
    )
    with pytest.raises(LedgerInvariantError, match="non-positive"):
        Ledger().post(zero)
    not_mirror = LedgerTransaction(
        "tx-m",
        at(10, 13),
        (
            replace(
                debit,
                transaction_id="tx-m",
                entry_id="m-1",
                direction=Direction.CREDIT,
                reverses_entry_id=debit.entry_id,
                amount=Money("CNY", 100),
            ),
            replace(
                credit,
                transaction_id="tx-m",
                entry_id="m-2",
                direction=Direction.DEBIT,
                reverses_entry_id=credit.entry_id,
                amount=Money("CNY", 100),
            ),
        ),
    )
    with pytest.raises(LedgerInvariantError, match="does not mirror"):
        ledger.post(not_mirror)
    unknown = reversal_transaction(good, transaction_id="tx-u", posted_at=at(10, 13))
    with pytest.raises(LedgerInvariantError, match="unknown entry"):
        Ledger().post(unknown)


# A random history: refunds in two currencies, accounts and reasons over two months, some reversed later.
histories = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=100_000),  # fen
        st.sampled_from(["CNY", "USD"]),
        st.sampled_from(["acct-1", "acct-2"]),
        st.sampled_from(list(RefundReason)),
        st.integers(min_value=0, max_value=60 * 24 * 60),  # minutes after 2026-02-15 00:00 local
        st.one_of(
            st.none(), st.integers(min_value=1, max_value=60 * 24 * 40)
        ),  # reversed this many minutes later
    ),
    max_size=25,
)


def post_history(history: list[tuple[int, str, str, RefundReason, int, int | None]]) -> Ledger:
    ledger = Ledger()
    base = datetime(2026, 2, 15, tzinfo=ZONE)
    for n, (fen, currency, account, reason, minutes, reversed_after) in enumerate(history):
        when = base + timedelta(minutes=minutes)
        tx = refund_transaction(
            refund(n, fen=fen, currency=currency, account=account, reason=reason, when=when), posted_at=when
        )
        ledger = ledger.post(tx)
        if reversed_after is not None:
            later = when + timedelta(minutes=reversed_after)
            ledger = ledger.post(reversal_transaction(tx, transaction_id=f"rev-{n}", posted_at=later))
    return ledger


@settings(max_examples=200, deadline=None)
@given(history=histories)
def test_debits_equal_credits_in_every_currency_and_balances_are_derived(history) -> None:  # type: ignore[no-untyped-def]
    ledger = post_history(history)
    assert all(value == 0 for value in imbalance(ledger.entries).values())
    for account in ("acct-1", "acct-2"):
        owed = owed_to_advertiser(ledger.entries, account)
        for currency in ("CNY", "USD"):
            kept = sum(
                fen
                for fen, cur, acct, _, _, rev in history
                if acct == account and cur == currency and rev is None
            )
            assert owed.get(currency, 0) == kept
    expense = {
        cur: fen for (acct, cur), fen in balances(ledger.entries).items() if acct == PLATFORM_REFUND_EXPENSE
    }
    owed_total = {cur: 0 for cur in expense}
    for account in ("acct-1", "acct-2"):
        for cur, fen in owed_to_advertiser(ledger.entries, account).items():
            owed_total[cur] = owed_total.get(cur, 0) + fen
    assert expense == owed_total


@settings(max_examples=200, deadline=None)
@given(
    history=histories,
    year_month=st.sampled_from([(2026, 2), (2026, 3), (2026, 4)]),
    account=st.sampled_from(["acct-1", "acct-2"]),
)
def test_the_statement_equals_the_ledger(history, year_month, account) -> None:  # type: ignore[no-untyped-def]
    ledger = post_history(history)
    year, month = year_month
    statement = build_statement(reversed(ledger.entries), account, year, month, ZONE)
    start, end = month_range(year, month, ZONE)
    in_month = [e for e in ledger.entries if start <= e.posted_at < end]
    movement = owed_to_advertiser(in_month, account)
    assert {m.currency: m.fen for m in statement.totals} == {c: f for c, f in movement.items() if f}
    # Counts: refunds credited in the month minus reversals debited in the month, per reason.
    adv = advertiser_account(account)
    for line in statement.lines:
        credits = sum(
            1
            for e in in_month
            if e.ledger_account == adv
            and e.reason is line.reason
            and e.amount.currency == line.amount.currency
            and e.direction is Direction.CREDIT
        )
        debits = sum(
            1
            for e in in_month
            if e.ledger_account == adv
            and e.reason is line.reason
            and e.amount.currency == line.amount.currency
            and e.direction is Direction.DEBIT
        )
        assert line.refund_count == credits - debits
    assert statement.refund_count == sum(line.refund_count for line in statement.lines)
    order = [(list(RefundReason).index(line.reason), line.amount.currency) for line in statement.lines]
    assert order == sorted(order)


def test_months_run_in_the_tenants_time_zone() -> None:
    last_of_march = refund(1, when=datetime(2026, 3, 31, 23, 30, tzinfo=ZONE))  # 15:30 UTC, still March here
    first_of_april = refund(2, when=datetime(2026, 4, 1, 0, 10, tzinfo=ZONE))  # 2026-03-31 16:10 UTC
    ledger = Ledger()
    for r in (last_of_march, first_of_april):
        ledger = ledger.post(refund_transaction(r, posted_at=r.created_at))
    march = build_statement(ledger.entries, "acct-1", 2026, 3, ZONE)
    april = build_statement(ledger.entries, "acct-1", 2026, 4, ZONE)
    assert (march.refund_count, april.refund_count) == (1, 1)
    assert march.lines[0].reason is RefundReason.EMPTY_NUMBER
    assert march.totals == (Money("CNY", 5_000),)


def test_a_reversal_shows_in_the_month_it_is_posted() -> None:
    r = refund(1, when=at(31, 12, 0))
    tx = refund_transaction(r, posted_at=r.created_at)
    ledger = (
        Ledger().post(tx).post(reversal_transaction(tx, transaction_id="rev", posted_at=at(2, 9, 0, month=4)))
    )
    assert build_statement(ledger.entries, "acct-1", 2026, 3, ZONE).refund_count == 1
    april = build_statement(ledger.entries, "acct-1", 2026, 4, ZONE)
    assert april.refund_count == -1
    assert april.totals == (Money("CNY", -5_000),)


@pytest.mark.parametrize(
    ("year", "month", "field"), [(2026, 0, "month"), (2026, 13, "month"), (1969, 5, "year")]
)
def test_statement_months_out_of_range_name_the_field(year: int, month: int, field: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        month_range(year, month, ZONE)
    assert [v.field for v in raised.value.violations] == [field]
