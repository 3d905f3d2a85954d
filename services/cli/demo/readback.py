"""The day as the services tell it: every figure of the final table read back through their list APIs (as the
tenant's administrator), never from the demo's own counters.

Only the day's records count: submissions and leads submitted from the day's start, assignments of those leads,
calls dialled from the day's start, and the cases, refunds and ledger entries opened or posted since then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from google.protobuf import timestamp_pb2

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.common.v1 import call_pb2, lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from services.cli.demo import cast
from services.cli.demo.connection import Connection
from services.cli.demo.submitting import fen_of

PAGE = 1000


def _stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _short(name: str, prefix: str) -> str:
    return name.removeprefix(prefix)


async def _pages(
    conn: Connection, method: Callable[..., Awaitable[Any]], request: Any, items: str
) -> AsyncIterator[Any]:
    while True:
        reply = await conn.call(method, request)
        for item in getattr(reply, items):
            yield item
        if not reply.next_page_token:
            return
        request.page_token = reply.next_page_token


@dataclass
class Readback:
    submissions: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    duplicate_dimensions: Counter[str] = field(default_factory=Counter)
    charged_fen: int = 0
    by_account: Counter[str] = field(default_factory=Counter)
    verdict_of: dict[str, str] = field(default_factory=dict)  # external id -> verdict
    lead_ids: set[str] = field(default_factory=set)
    lead_status: Counter[str] = field(default_factory=Counter)
    phone_from_wechat: int = 0
    with_alternate_phones: int = 0
    provinces: Counter[str] = field(default_factory=Counter)
    assignments: int = 0
    assigned_leads: int = 0
    per_agent: Counter[str] = field(default_factory=Counter)  # agent display name -> assignments
    per_rule: Counter[str] = field(default_factory=Counter)  # rule id, or the reason when no rule picked
    assignment_states: Counter[str] = field(default_factory=Counter)
    pooled: Counter[str] = field(default_factory=Counter)  # today's leads waiting in the pool, by reason
    follow_ups: Counter[str] = field(default_factory=Counter)  # agents' own follow-ups, by outcome
    call_follow_ups: int = 0  # follow-ups assign recorded from telephony's calls
    calls: int = 0
    call_states: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    corrected_outcomes: int = 0
    evidence: int = 0
    outcome_of: dict[str, str] = field(default_factory=dict)  # call id -> final outcome
    calls_per_agent: Counter[str] = field(default_factory=Counter)
    cases: Counter[str] = field(default_factory=Counter)
    case_rejections: Counter[str] = field(default_factory=Counter)
    refunds: Counter[str] = field(default_factory=Counter)
    refunded_fen: Counter[str] = field(default_factory=Counter)
    debits_fen: Counter[str] = field(default_factory=Counter)  # per currency
    credits_fen: Counter[str] = field(default_factory=Counter)
    ledger_entries: int = 0

    @property
    def refunds_total(self) -> int:
        return sum(self.refunds.values())

    @property
    def refunded_total_fen(self) -> int:
        return sum(self.refunded_fen.values())

    @property
    def balanced(self) -> bool:
        return self.debits_fen == self.credits_fen

    def fingerprint(self) -> tuple[Any, ...]:
        """What still moves while the stack settles (calls ending, cases deciding, refunds paid)."""
        return (
            self.submissions,
            self.assignments,
            tuple(sorted(self.call_states.items())),
            tuple(sorted(self.outcomes.items())),
            tuple(sorted(self.cases.items())),
            self.refunds_total,
        )


async def read_back(conn: Connection, since: datetime, agent_names: dict[str, str]) -> Readback:
    """Everything of the day since ``since``; ``agent_names`` maps agent ids to display names."""
    result = Readback()
    stubs = conn.stubs
    start = _stamp(since)
    for account in cast.ACCOUNTS:
        request = ingest_pb.ListLeadSubmissionsRequest(
            account_id=account, submit_start_time=start, page_size=PAGE
        )
        async for submission in _pages(conn, stubs.ingest.ListLeadSubmissions, request, "submissions"):
            verdict = _short(lead_pb2.LeadVerdict.Name(submission.verdict), "LEAD_VERDICT_")
            result.submissions += 1
            result.by_account[account] += 1
            result.verdicts[verdict] += 1
            result.verdict_of[submission.external_id] = verdict
            for reason in submission.rejection_reasons:
                result.rejections[_short(ingest_pb.RejectionCode.Name(reason.code), "REJECTION_CODE_")] += 1
            if verdict == "DUPLICATE":
                for dimension in submission.matched_dimensions:
                    result.duplicate_dimensions[
                        _short(lead_pb2.DedupDimension.Name(dimension), "DEDUP_DIMENSION_")
                    ] += 1
            if verdict != "REJECTED" and submission.HasField("cost"):
                result.charged_fen += fen_of(submission.cost)
    leads = ingest_pb.ListLeadsRequest(submit_start_time=start, page_size=PAGE)
    async for lead in _pages(conn, stubs.ingest.ListLeads, leads, "leads"):
        result.lead_ids.add(lead.id)
        result.lead_status[_short(lead_pb2.LeadStatus.Name(lead.status), "LEAD_STATUS_")] += 1
        result.phone_from_wechat += lead.phone_from_wechat
        result.with_alternate_phones += len(lead.alternate_phones) > 0
        result.provinces[lead.phone_region.province or "(unknown)"] += 1
    await _assignments(conn, result, since, agent_names)
    await _calls(conn, result, start, agent_names)
    await _refunds(conn, result, start)
    return result


async def _assignments(
    conn: Connection, result: Readback, since: datetime, agent_names: dict[str, str]
) -> None:
    # From an hour before the day: the first leads may be assigned on the stack's clock a moment before it.
    request = assign_pb.ListAssignmentsRequest(
        assign_start_time=_stamp(since - timedelta(hours=1)), page_size=PAGE
    )
    assigned: set[str] = set()
    async for assignment in _pages(conn, conn.stubs.assign.ListAssignments, request, "assignments"):
        if assignment.lead_id not in result.lead_ids:
            continue
        result.assignments += 1
        assigned.add(assignment.lead_id)
        result.per_agent[agent_names.get(assignment.agent_id, assignment.agent_id)] += 1
        reason = _short(assign_pb.AssignmentReason.Name(assignment.reason), "ASSIGNMENT_REASON_")
        result.per_rule[assignment.rule_id if reason == "RULE" else reason.lower().replace("_", " ")] += 1
        result.assignment_states[
            _short(assign_pb.AssignmentState.Name(assignment.state), "ASSIGNMENT_STATE_")
        ] += 1
    result.assigned_leads = len(assigned)
    for agent_id in agent_names:
        follow_ups = assign_pb.ListFollowUpsRequest(agent_id=agent_id, page_size=PAGE)
        async for follow_up in _pages(conn, conn.stubs.assign.ListFollowUps, follow_ups, "follow_ups"):
            if follow_up.lead_id not in result.lead_ids:
                continue
            if follow_up.kind == assign_pb.FOLLOW_UP_KIND_CALL and follow_up.call_id:
                result.call_follow_ups += 1
            else:
                outcome = assign_pb.FollowUpOutcome.Name(follow_up.outcome)
                result.follow_ups[_short(outcome, "FOLLOW_UP_OUTCOME_")] += 1
    pool = assign_pb.ListPoolRequest(page_size=PAGE)
    async for entry in _pages(conn, conn.stubs.assign.ListPool, pool, "entries"):
        if entry.lead_id in result.lead_ids:
            result.pooled[_short(assign_pb.PoolReason.Name(entry.reason), "POOL_REASON_")] += 1


async def _calls(
    conn: Connection, result: Readback, start: timestamp_pb2.Timestamp, agent_names: dict[str, str]
) -> None:
    request = telephony_pb.ListCallsRequest(dial_start_time=start, page_size=PAGE)
    async for call in _pages(conn, conn.stubs.telephony.ListCalls, request, "calls"):
        result.calls += 1
        result.calls_per_agent[agent_names.get(call.agent_id, call.agent_id)] += 1
        result.call_states[_short(telephony_pb.CallState.Name(call.state), "CALL_STATE_")] += 1
        if call.state == telephony_pb.CALL_STATE_ENDED:
            result.outcomes[_short(call_pb2.CallOutcome.Name(call.outcome), "CALL_OUTCOME_")] += 1
        result.corrected_outcomes += call.outcome_revision > 1
        result.evidence += len(call.evidence)
        result.outcome_of[call.id] = _short(call_pb2.CallOutcome.Name(call.outcome), "CALL_OUTCOME_")


async def _refunds(conn: Connection, result: Readback, start: timestamp_pb2.Timestamp) -> None:
    stubs = conn.stubs
    cases = refund_pb.ListCasesRequest(create_start_time=start, page_size=PAGE)
    async for case in _pages(conn, stubs.refund.ListCases, cases, "cases"):
        result.cases[_short(refund_pb.CaseState.Name(case.state), "CASE_STATE_")] += 1
        if case.rejection_reason:
            reason = refund_pb.RefundRejectionReason.Name(case.rejection_reason)
            result.case_rejections[_short(reason, "REFUND_REJECTION_REASON_")] += 1
    refunds = refund_pb.ListRefundsRequest(create_start_time=start, page_size=PAGE)
    async for refund in _pages(conn, stubs.refund.ListRefunds, refunds, "refunds"):
        reason = _short(refund_pb.RefundReason.Name(refund.reason), "REFUND_REASON_")
        result.refunds[reason] += 1
        result.refunded_fen[reason] += fen_of(refund.amount)
    entries = refund_pb.ListLedgerEntriesRequest(post_start_time=start, page_size=PAGE)
    async for entry in _pages(conn, stubs.refund.ListLedgerEntries, entries, "entries"):
        result.ledger_entries += 1
        side = (
            result.debits_fen if entry.direction == refund_pb.LEDGER_DIRECTION_DEBIT else result.credits_fen
        )
        side[entry.amount.currency_code] += fen_of(entry.amount)


async def agent_loads(conn: Connection, agent_ids: dict[str, str]) -> dict[str, int]:
    """Active assignments per agent key, as assign counts them now (one page of the tenant's active ones)."""
    keys = {agent_id: key for key, agent_id in agent_ids.items()}
    reply = await conn.call(
        conn.stubs.assign.ListAssignments,
        assign_pb.ListAssignmentsRequest(state=assign_pb.ASSIGNMENT_STATE_ACTIVE, page_size=PAGE),
    )
    loads = dict.fromkeys(agent_ids, 0)
    for assignment in reply.assignments:
        key = keys.get(assignment.agent_id)
        if key is not None:
            loads[key] += 1
    return loads
