"""The refund gRPC servicer: proto -> domain values -> handler -> proto. No logic here.

The tenant, subject and role come from the verified token (``current_principal``); errors are domain errors that
the shared interceptor maps to gRPC status with ErrorInfo and BadRequest details.
"""

from __future__ import annotations

from typing import TypeAlias

import grpc

from leadflow.refund.v1 import refund_service_pb2 as pb
from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.grpcserver.context import current_principal
from services.refund import metrics
from services.refund.converters import appeals as appeal_converters
from services.refund.converters import cases as case_converters
from services.refund.converters import ledger as ledger_converters
from services.refund.converters import refunds as refund_converters
from services.refund.converters import rules as rule_converters
from services.refund.handlers.appeals import AppealHandlers
from services.refund.handlers.cases import CaseHandlers
from services.refund.handlers.ledger import LedgerHandlers
from services.refund.handlers.refunds import RefundHandlers
from services.refund.handlers.rules import RulesHandlers

Context: TypeAlias = grpc.aio.ServicerContext


class RefundApi(refund_service_pb2_grpc.RefundServiceServicer):
    def __init__(
        self,
        cases: CaseHandlers,
        rules: RulesHandlers,
        refunds: RefundHandlers,
        appeals: AppealHandlers,
        ledger: LedgerHandlers,
    ) -> None:
        self._cases = cases
        self._rules = rules
        self._refunds = refunds
        self._appeals = appeals
        self._ledger = ledger

    async def GetEligibility(
        self, request: pb.GetEligibilityRequest, context: Context
    ) -> pb.GetEligibilityResponse:
        view = await self._cases.get_eligibility(current_principal(), request.lead_id, request.submission_id)
        return pb.GetEligibilityResponse(case=case_converters.case_message(view))

    async def ListCases(self, request: pb.ListCasesRequest, context: Context) -> pb.ListCasesResponse:
        page = await self._cases.list_cases(current_principal(), case_converters.case_query(request))
        return pb.ListCasesResponse(
            cases=[case_converters.case_message(view) for view in page.items],
            next_page_token=page.next_page_token,
            total_size=page.total_size,
        )

    async def GetRefundRules(
        self, request: pb.GetRefundRulesRequest, context: Context
    ) -> pb.GetRefundRulesResponse:
        rules = await self._rules.get_rules(current_principal(), request.account_id)
        return pb.GetRefundRulesResponse(rules=rule_converters.rules_message(rules))

    async def UpdateRefundRules(
        self, request: pb.UpdateRefundRulesRequest, context: Context
    ) -> pb.UpdateRefundRulesResponse:
        rules = await self._rules.update_rules(current_principal(), rule_converters.rules_patch(request))
        return pb.UpdateRefundRulesResponse(rules=rule_converters.rules_message(rules))

    async def RequestRefund(
        self, request: pb.RequestRefundRequest, context: Context
    ) -> pb.RequestRefundResponse:
        requested = await self._refunds.request_refund(
            current_principal(), refund_converters.refund_request(request)
        )
        if requested.fresh:
            metrics.count_refunds([requested.refund])
        return pb.RequestRefundResponse(refund=refund_converters.refund_message(requested.refund))

    async def GetRefund(self, request: pb.GetRefundRequest, context: Context) -> pb.GetRefundResponse:
        refund = await self._refunds.get_refund(current_principal(), request.refund_id)
        return pb.GetRefundResponse(refund=refund_converters.refund_message(refund))

    async def ListRefunds(self, request: pb.ListRefundsRequest, context: Context) -> pb.ListRefundsResponse:
        page = await self._refunds.list_refunds(current_principal(), refund_converters.refund_query(request))
        return pb.ListRefundsResponse(
            refunds=[refund_converters.refund_message(r) for r in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetStatement(
        self, request: pb.GetStatementRequest, context: Context
    ) -> pb.GetStatementResponse:
        result = await self._ledger.get_statement(
            current_principal(), request.account_id, request.year, request.month
        )
        return pb.GetStatementResponse(statement=ledger_converters.statement_message(result))

    async def AppealCase(self, request: pb.AppealCaseRequest, context: Context) -> pb.AppealCaseResponse:
        appeal = await self._appeals.appeal_case(
            current_principal(), request.case_id, request.reason, request.request_id
        )
        return pb.AppealCaseResponse(appeal=appeal_converters.appeal_message(appeal))

    async def ListAppeals(self, request: pb.ListAppealsRequest, context: Context) -> pb.ListAppealsResponse:
        page = await self._appeals.list_appeals(current_principal(), appeal_converters.appeal_query(request))
        return pb.ListAppealsResponse(
            appeals=[appeal_converters.appeal_message(a) for a in page.items],
            next_page_token=page.next_page_token,
        )

    async def DecideAppeal(
        self, request: pb.DecideAppealRequest, context: Context
    ) -> pb.DecideAppealResponse:
        decided = await self._appeals.decide_appeal(
            current_principal(),
            request.appeal_id,
            appeal_converters.decision(request),
            request.note,
            request.request_id,
        )
        response = pb.DecideAppealResponse(appeal=appeal_converters.appeal_message(decided.appeal))
        if decided.refund is not None:
            response.refund.CopyFrom(refund_converters.refund_message(decided.refund))
            if decided.fresh:
                metrics.count_refunds([decided.refund])
        return response

    async def ListLedgerEntries(
        self, request: pb.ListLedgerEntriesRequest, context: Context
    ) -> pb.ListLedgerEntriesResponse:
        page = await self._ledger.list_entries(current_principal(), ledger_converters.ledger_query(request))
        return pb.ListLedgerEntriesResponse(
            entries=[ledger_converters.entry_message(e) for e in page.items],
            next_page_token=page.next_page_token,
        )
