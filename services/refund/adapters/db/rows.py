"""Row mapping of the refund tables: domain values to column values and back (times in µs, amounts in fen)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.common.timeconv import from_us, span_us, to_us
from services.refund.domain.appeals import Appeal, AppealState
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallOutcome, CallRecord
from services.refund.domain.cases import (
    Case,
    CaseState,
    Charge,
    ChargeKind,
    Closure,
    RefundReason,
    RejectionReason,
    Standing,
)
from services.refund.domain.ledger import Direction, LedgerEntry
from services.refund.domain.money import Money
from services.refund.domain.ports import StoredCase
from services.refund.domain.refunds import Refund
from services.refund.domain.rules import DEFAULT_RULES, RULE_FIELDS, RuleValue, StoredRules


def us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def when(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


def _value(enum: Any, value: Any) -> str | None:
    return None if value is None else str(enum(value).value)


# ---------------------------------------------------------------------------------------------- cases


def standing_values(standing: Standing) -> dict[str, Any]:
    return {
        "state": standing.state.value,
        "refund_reason": _value(RefundReason, standing.refund_reason),
        "rejection_reason": _value(RejectionReason, standing.rejection_reason),
        "decided_us": us(standing.decided_at),
        "settle_us": us(standing.settle_time),
        "next_change_us": us(standing.next_change_time),
    }


def closure_values(case: Case) -> dict[str, Any]:
    closure = case.closure
    return {
        "closed_us": us(closure.closed_at) if closure else None,
        "refund_id": closure.refund_id if closure else None,
        "deciding_call_id": closure.deciding_call_id if closure else None,
    }


def case_values(case: Case, standing: Standing, now: datetime, version: int) -> dict[str, Any]:
    charge = case.charge
    return {
        "case_id": case.case_id,
        "tenant_id": case.tenant_id,
        "lead_id": charge.lead_id,
        "submission_id": charge.submission_id,
        "account_id": charge.account_id,
        "kind": charge.kind.value,
        "currency": charge.amount.currency,
        "charge_fen": charge.amount.fen,
        "submit_us": to_us(charge.submit_time),
        "opened_us": to_us(case.opened_at),
        "updated_us": to_us(now),
        "version": version,
        **standing_values(standing),
        **closure_values(case),
    }


def stored_case(row: Any) -> StoredCase:
    refund_reason = RefundReason(row.refund_reason) if row.refund_reason else None
    rejection_reason = RejectionReason(row.rejection_reason) if row.rejection_reason else None
    standing = Standing(
        state=CaseState(row.state),
        refund_reason=refund_reason,
        rejection_reason=rejection_reason,
        decided_at=when(row.decided_us),
        settle_time=when(row.settle_us),
        next_change_time=when(row.next_change_us),
    )
    closure = None
    if row.closed_us is not None:
        closure = Closure(
            state=standing.state,
            decided_at=from_us(row.decided_us if row.decided_us is not None else row.closed_us),
            closed_at=from_us(row.closed_us),
            refund_reason=refund_reason,
            rejection_reason=rejection_reason,
            refund_id=row.refund_id,
            deciding_call_id=row.deciding_call_id,
        )
    charge = Charge(
        lead_id=row.lead_id,
        submission_id=row.submission_id,
        account_id=row.account_id,
        amount=Money(row.currency, int(row.charge_fen)),
        submit_time=from_us(row.submit_us),
        kind=ChargeKind(row.kind),
    )
    case = Case(row.case_id, row.tenant_id, charge, from_us(row.opened_us), closure)
    return StoredCase(case, standing, from_us(row.updated_us), int(row.version))


# ---------------------------------------------------------------------------------------------- calls


def call_values(tenant: str, call: CallRecord) -> dict[str, Any]:
    window = call.window
    return {
        "tenant_id": tenant,
        "call_id": call.call_id,
        "report_id": call.report_id,
        "lead_id": call.lead_id,
        "start_us": to_us(call.start_time),
        "outcome": call.outcome.value,
        "ring_us": span_us(call.ring_duration),
        "talk_us": span_us(call.talk_duration),
        "reported_us": us(call.reported_at),
        "revision": call.revision,
        "window_start_minute": window.start_minute if window else None,
        "window_end_minute": window.end_minute if window else None,
        "time_zone": window.time_zone if window else None,
    }


def call_record(row: Any) -> CallRecord:
    window = None
    if row.window_start_minute is not None:
        window = CallableWindow(row.window_start_minute, row.window_end_minute, row.time_zone)
    return CallRecord(
        call_id=row.call_id,
        lead_id=row.lead_id,
        start_time=from_us(row.start_us),
        outcome=CallOutcome(row.outcome),
        ring_duration=timedelta(microseconds=row.ring_us),
        talk_duration=timedelta(microseconds=row.talk_us),
        reported_at=when(row.reported_us),
        report_id=row.report_id,
        revision=int(row.revision),
        window=window,
    )


# ---------------------------------------------------------------------------------------------- rules

_DURATIONS = frozenset(
    name
    for name in RULE_FIELDS
    if isinstance(getattr(DEFAULT_RULES, name), timedelta) or name == "duplicate_charge_window"
)


def overrides_json(overrides: dict[str, RuleValue] | Any) -> dict[str, Any]:
    return {
        name: span_us(value) if isinstance(value, timedelta) else value
        for name, value in dict(overrides).items()
    }


def stored_rules(row: Any) -> StoredRules:
    overrides: dict[str, RuleValue] = {}
    for name, value in dict(row.overrides).items():
        if name not in RULE_FIELDS:
            continue  # a field a later release removed: its stored value no longer means anything
        overrides[name] = timedelta(microseconds=value) if name in _DURATIONS and value is not None else value
    return StoredRules(row.account_id, overrides, from_us(row.update_us), row.updated_by)


# ---------------------------------------------------------------------------------------------- refunds


def refund_values(refund: Refund, charge: Money) -> dict[str, Any]:
    return {
        "refund_id": refund.refund_id,
        "tenant_id": refund.tenant_id,
        "case_id": refund.case_id,
        "lead_id": refund.lead_id,
        "submission_id": refund.submission_id,
        "account_id": refund.account_id,
        "currency": refund.amount.currency,
        "amount_fen": refund.amount.fen,
        "charge_fen": charge.fen,
        "reason": refund.reason.value,
        "request_id": refund.request_id,
        "created_us": to_us(refund.created_at),
        "ledger_transaction_id": refund.ledger_transaction_id,
        "evidence_summary": refund.evidence_summary,
        "note": refund.note,
        "appeal_id": refund.appeal_id,
    }


def refund(row: Any) -> Refund:
    return Refund(
        refund_id=row.refund_id,
        tenant_id=row.tenant_id,
        case_id=row.case_id,
        lead_id=row.lead_id,
        submission_id=row.submission_id,
        account_id=row.account_id,
        amount=Money(row.currency, int(row.amount_fen)),
        reason=RefundReason(row.reason),
        request_id=row.request_id,
        created_at=from_us(row.created_us),
        ledger_transaction_id=row.ledger_transaction_id,
        evidence_summary=row.evidence_summary,
        note=row.note,
        appeal_id=row.appeal_id,
    )


# ---------------------------------------------------------------------------------------------- appeals


def appeal_values(tenant: str, appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal_id": appeal.appeal_id,
        "tenant_id": tenant,
        "case_id": appeal.case_id,
        "lead_id": appeal.lead_id,
        "account_id": appeal.account_id,
        "reason": appeal.reason,
        "state": appeal.state.value,
        "requested_by": appeal.requested_by,
        "request_id": appeal.request_id,
        "created_us": to_us(appeal.created_at),
        "decided_by": appeal.decided_by,
        "decision_note": appeal.decision_note,
        "decided_us": us(appeal.decided_at),
        "refund_id": appeal.refund_id,
    }


def appeal(row: Any) -> Appeal:
    return Appeal(
        appeal_id=row.appeal_id,
        case_id=row.case_id,
        lead_id=row.lead_id,
        account_id=row.account_id,
        reason=row.reason,
        state=AppealState(row.state),
        requested_by=row.requested_by,
        request_id=row.request_id,
        created_at=from_us(row.created_us),
        decided_by=row.decided_by,
        decision_note=row.decision_note,
        decided_at=when(row.decided_us),
        refund_id=row.refund_id,
    )


# ---------------------------------------------------------------------------------------------- ledger


def entry_values(tenant: str, entry: LedgerEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "tenant_id": tenant,
        "transaction_id": entry.transaction_id,
        "ledger_account": entry.ledger_account,
        "direction": entry.direction.value,
        "currency": entry.amount.currency,
        "amount_fen": entry.amount.fen,
        "account_id": entry.account_id,
        "refund_id": entry.refund_id,
        "case_id": entry.case_id,
        "reason": entry.reason.value,
        "posted_us": to_us(entry.posted_at),
        "reverses_entry_id": entry.reverses_entry_id,
    }


def ledger_entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        entry_id=row.entry_id,
        transaction_id=row.transaction_id,
        ledger_account=row.ledger_account,
        direction=Direction(row.direction),
        amount=Money(row.currency, int(row.amount_fen)),
        account_id=row.account_id,
        refund_id=row.refund_id,
        case_id=row.case_id,
        reason=RefundReason(row.reason),
        posted_at=from_us(row.posted_us),
        reverses_entry_id=row.reverses_entry_id,
    )
