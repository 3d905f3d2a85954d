"""Appeals: ListAppeals requests to queries, DecideAppeal's decision, appeals to ``leadflow.refund.v1.Appeal``."""

from __future__ import annotations

from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.protoconv import timestamp
from services.refund.converters.values import domain_enum, enum_number
from services.refund.domain.appeals import Appeal, AppealDecision, AppealState
from services.refund.domain.ports import AppealFilter
from services.refund.domain.views import ListQuery


def appeal_query(request: pb.ListAppealsRequest) -> ListQuery[AppealFilter]:
    where = AppealFilter(
        account_id=request.account_id,
        state=domain_enum(AppealState, pb.AppealState, "APPEAL_STATE_", request.state, "state"),
    )
    return ListQuery(where, request.page_size, request.page_token)


def decision(request: pb.DecideAppealRequest) -> AppealDecision | None:
    """None for UNSPECIFIED (the handler names ``decision`` as required)."""
    return domain_enum(AppealDecision, pb.AppealDecision, "APPEAL_DECISION_", request.decision, "decision")


def appeal_message(appeal: Appeal) -> pb.Appeal:
    message = pb.Appeal(
        id=appeal.appeal_id,
        case_id=appeal.case_id,
        lead_id=appeal.lead_id,
        account_id=appeal.account_id,
        reason=appeal.reason,
        state=enum_number(pb.AppealState, "APPEAL_STATE_", appeal.state),
        requested_by=appeal.requested_by,
        decided_by=appeal.decided_by,
        decision_note=appeal.decision_note,
        refund_id=appeal.refund_id or "",
        create_time=timestamp(appeal.created_at),
    )
    if appeal.decided_at is not None:
        message.decide_time.CopyFrom(timestamp(appeal.decided_at))
    return message
