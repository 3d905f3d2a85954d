"""Cases: GetEligibility and ListCases requests to queries, evaluated cases to ``leadflow.refund.v1.Case``."""

from __future__ import annotations

from leadflow.common.v1 import call_pb2
from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.protoconv import duration, timestamp
from services.refund.converters.values import (
    daily_window,
    domain_enum,
    enum_number,
    money_message,
    time_range,
)
from services.refund.domain.cases import CaseState, RefundReason, RejectionReason
from services.refund.domain.evaluation import CallEvidence, Requirement
from services.refund.domain.ports import CaseFilter
from services.refund.domain.views import CaseView, ListQuery


def case_query(request: pb.ListCasesRequest) -> ListQuery[CaseFilter]:
    start, end = time_range(request, "create_start_time", "create_end_time")
    where = CaseFilter(
        account_id=request.account_id,
        lead_id=request.lead_id,
        state=domain_enum(CaseState, pb.CaseState, "CASE_STATE_", request.state, "state"),
        reason=domain_enum(RefundReason, pb.RefundReason, "REFUND_REASON_", request.reason, "reason"),
        rejection_reason=domain_enum(
            RejectionReason,
            pb.RefundRejectionReason,
            "REFUND_REJECTION_REASON_",
            request.rejection_reason,
            "rejection_reason",
        ),
        create_start=start,
        create_end=end,
    )
    return ListQuery(where, request.page_size, request.page_token)


def case_message(view: CaseView) -> pb.Case:
    stored, evaluation, window = view.stored, view.evaluation, view.window
    case, timeline = stored.case, evaluation.timeline
    message = pb.Case(
        id=case.case_id,
        lead_id=case.lead_id,
        submission_id=case.submission_id,
        account_id=case.account_id,
        charge=money_message(case.charge.amount),
        state=enum_number(pb.CaseState, "CASE_STATE_", evaluation.state),
        reason=enum_number(pb.RefundReason, "REFUND_REASON_", evaluation.refund_reason),
        rejection_reason=enum_number(
            pb.RefundRejectionReason, "REFUND_REJECTION_REASON_", evaluation.rejection_reason
        ),
        calls=[call_message(evidence) for evidence in evaluation.evidence],
        missing=[requirement_message(r) for r in evaluation.requirements],
        summary=evaluation.summary,
        submit_time=timestamp(case.submit_time),
        create_time=timestamp(case.opened_at),
        expire_time=timestamp(timeline.expire_time),
        first_attempt_due_time=timestamp(timeline.first_attempt_due),
        reach_window_close_time=timestamp(timeline.reach_close),
        update_time=timestamp(stored.updated_at),
        refund_id=(case.closure.refund_id or "") if case.closure is not None else "",
        charge_kind=enum_number(pb.ChargeKind, "CHARGE_KIND_", case.charge.kind),
        callable_hours=daily_window(window),
        time_zone=window.time_zone,
        attempt_count=evaluation.progress.attempts,
        distinct_hour_count=evaluation.progress.distinct_hours,
        duplicate_of_submission_id=evaluation.duplicate_of_submission_id or "",
        deciding_call_id=evaluation.deciding_call_id or "",
    )
    for name, moment in (
        ("decide_time", evaluation.decided_at),
        ("settle_time", evaluation.settle_time),
        ("next_change_time", evaluation.next_change_time),
    ):
        if moment is not None:
            getattr(message, name).CopyFrom(timestamp(moment))
    return message


def call_message(evidence: CallEvidence) -> pb.CaseCall:
    call = evidence.call
    return pb.CaseCall(
        call_id=call.call_id,
        attempt_number=evidence.attempt_number or 0,
        start_time=timestamp(call.start_time),
        outcome=enum_number(call_pb2.CallOutcome, "CALL_OUTCOME_", call.outcome),
        talk_duration=duration(call.talk_duration),
        ring_duration=duration(call.ring_duration),
        counted_as_attempt=evidence.counted_as_attempt,
        exclusion=enum_number(pb.AttemptExclusion, "ATTEMPT_EXCLUSION_", evidence.not_counted),
        decisive=evidence.decisive,
        note=evidence.note,
    )


def requirement_message(requirement: Requirement) -> pb.MissingRequirement:
    return pb.MissingRequirement(
        kind=enum_number(pb.RequirementKind, "REQUIREMENT_KIND_", requirement.kind),
        remaining_count=requirement.remaining,
        due_time=timestamp(requirement.due),
        description=requirement.description,
    )
