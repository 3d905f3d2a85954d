"""The ledger: ListLedgerEntries requests to queries, entries and statements to their messages."""

from __future__ import annotations

from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common.protoconv import timestamp
from services.refund.converters.values import enum_number, money_message, time_range
from services.refund.domain.ledger import LedgerEntry
from services.refund.domain.ports import LedgerFilter
from services.refund.domain.views import ListQuery, StatementView


def ledger_query(request: pb.ListLedgerEntriesRequest) -> ListQuery[LedgerFilter]:
    start, end = time_range(request, "post_start_time", "post_end_time")
    where = LedgerFilter(
        account_id=request.account_id, refund_id=request.refund_id, post_start=start, post_end=end
    )
    return ListQuery(where, request.page_size, request.page_token)


def entry_message(entry: LedgerEntry) -> pb.LedgerEntry:
    return pb.LedgerEntry(
        id=entry.entry_id,
        transaction_id=entry.transaction_id,
        ledger_account=entry.ledger_account,
        direction=enum_number(pb.LedgerDirection, "LEDGER_DIRECTION_", entry.direction),
        amount=money_message(entry.amount),
        account_id=entry.account_id,
        refund_id=entry.refund_id,
        case_id=entry.case_id,
        reason=enum_number(pb.RefundReason, "REFUND_REASON_", entry.reason),
        reverses_entry_id=entry.reverses_entry_id or "",
        post_time=timestamp(entry.posted_at),
    )


def statement_message(result: StatementView) -> pb.Statement:
    statement = result.statement
    return pb.Statement(
        account_id=statement.account_id,
        year=statement.year,
        month=statement.month,
        lines=[
            pb.StatementLine(
                reason=enum_number(pb.RefundReason, "REFUND_REASON_", line.reason),
                refund_count=line.refund_count,
                amount=money_message(line.amount),
            )
            for line in statement.lines
        ],
        refund_count=statement.refund_count,
        totals=[money_message(total) for total in statement.totals],
        generate_time=timestamp(result.generated_at),
    )
