"""Builders for refund domain tests: explicit local datetimes in Asia/Shanghai, cases, calls."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.refund.domain.callable_hours import DEFAULT_CALLABLE_WINDOW, CallableWindow
from services.refund.domain.calls import CallOutcome, CallRecord
from services.refund.domain.cases import Case, Charge, ChargeKind, open_case
from services.refund.domain.evaluation import Evaluation, evaluate
from services.refund.domain.money import Money
from services.refund.domain.rules import DEFAULT_RULES, RefundRules

WINDOW = DEFAULT_CALLABLE_WINDOW
ZONE = WINDOW.zone
LEAD = "lead-1"
ACCOUNT = "acct-1"
PRICE = Money("CNY", 5_000)


def at(
    day: int, hour: int, minute: int = 0, second: int = 0, *, month: int = 3, year: int = 2026
) -> datetime:
    """A wall-clock time in Asia/Shanghai (March 2026 unless told)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZONE)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def charge(
    submit_time: datetime,
    *,
    submission_id: str = "sub-1",
    account_id: str = ACCOUNT,
    amount: Money = PRICE,
    kind: ChargeKind = ChargeKind.LEAD,
    lead_id: str = LEAD,
) -> Charge:
    return Charge(lead_id, submission_id, account_id, amount, submit_time, kind)


def case_at(submit_time: datetime, *, case_id: str = "case-1", **charge_fields: object) -> Case:
    return open_case(case_id, "tenant-1", charge(submit_time, **charge_fields), submit_time)  # type: ignore[arg-type]


def call(
    call_id: str,
    start: datetime,
    outcome: CallOutcome,
    *,
    ring: float = 20,
    talk: float = 0,
    reported_at: datetime | None = None,
    report_id: str = "",
    lead_id: str = LEAD,
) -> CallRecord:
    return CallRecord(
        call_id=call_id,
        lead_id=lead_id,
        start_time=start,
        outcome=outcome,
        ring_duration=seconds(ring),
        talk_duration=seconds(talk),
        reported_at=reported_at,
        report_id=report_id,
    )


def no_answer(call_id: str, start: datetime) -> CallRecord:
    return call(call_id, start, CallOutcome.NO_ANSWER)


def judge(
    case: Case,
    calls: list[CallRecord] | tuple[CallRecord, ...],
    now: datetime,
    *,
    rules: RefundRules = DEFAULT_RULES,
    window: CallableWindow = WINDOW,
    lead_charges: tuple[Charge, ...] = (),
) -> Evaluation:
    return evaluate(case, calls, rules, window, now, lead_charges=lead_charges)
