"""Refunds: RequestRefund and ListRefunds requests to domain values, refunds to ``leadflow.refund.v1.Refund``."""

from __future__ import annotations

from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.protoconv import timestamp
from services.refund.converters.values import domain_enum, enum_number, money_message, money_value, time_range
from services.refund.domain.cases import RefundReason
from services.refund.domain.ports import RefundFilter
from services.refund.domain.refunds import Refund, RefundRequest
from services.refund.domain.views import ListQuery


def refund_request(request: pb.RequestRefundRequest) -> RefundRequest:
    return RefundRequest(
        case_id=request.case_id,
        request_id=request.request_id,
        reason=domain_enum(RefundReason, pb.RefundReason, "REFUND_REASON_", request.reason, "reason"),
        amount=money_value(request.amount, "amount") if request.HasField("amount") else None,
        note=request.note,
    )


def refund_query(request: pb.ListRefundsRequest) -> ListQuery[RefundFilter]:
    start, end = time_range(request, "create_start_time", "create_end_time")
    where = RefundFilter(
        account_id=request.account_id,
        lead_id=request.lead_id,
        reason=domain_enum(RefundReason, pb.RefundReason, "REFUND_REASON_", request.reason, "reason"),
        create_start=start,
        create_end=end,
    )
    return ListQuery(where, request.page_size, request.page_token)


def refund_message(refund: Refund) -> pb.Refund:
    return pb.Refund(
        id=refund.refund_id,
        case_id=refund.case_id,
        lead_id=refund.lead_id,
        submission_id=refund.submission_id,
        account_id=refund.account_id,
        amount=money_message(refund.amount),
        reason=enum_number(pb.RefundReason, "REFUND_REASON_", refund.reason),
        request_id=refund.request_id,
        evidence_summary=refund.evidence_summary,
        appeal_id=refund.appeal_id or "",
        ledger_transaction_id=refund.ledger_transaction_id,
        create_time=timestamp(refund.created_at),
        note=refund.note,
    )
