"""The dedup gRPC servicer: proto -> domain command -> handler (in a worker thread) -> proto. No logic here.

The tenant and subject come from the verified token (``current_principal``); errors are domain errors that the
shared interceptor maps to gRPC status with ErrorInfo and BadRequest details.
"""

from __future__ import annotations

import asyncio

import grpc

from leadflow.common.v1 import errors_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.errors import DomainError, InvalidArgument
from services.common.grpc_errors import status_code_for
from services.common.grpcserver.context import current_principal
from services.dedup import converters
from services.dedup.domain.claims import ClaimCommand
from services.dedup.domain.model import ClaimResult
from services.dedup.handlers import DedupHandlers


def item_error(error: DomainError) -> errors_pb2.ItemError:
    violations = error.violations if isinstance(error, InvalidArgument) else []
    return errors_pb2.ItemError(
        code=status_code_for(error).name,
        reason=error.reason,
        message=error.message,
        field_violations=[
            errors_pb2.FieldViolation(field=v.field, description=v.description) for v in violations
        ],
    )


def _readable(item: pb.ClaimLeadRequest) -> ClaimCommand | DomainError:
    """A batch item as a command, or the error that fails it alone (a timestamp outside the protobuf range)."""
    try:
        return converters.claim_command(item)
    except DomainError as error:
        return error


class DedupApi(dedup_service_pb2_grpc.DedupServiceServicer):
    def __init__(self, handlers: DedupHandlers) -> None:
        self._h = handlers

    async def GetDedupPolicy(
        self, request: pb.GetDedupPolicyRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetDedupPolicyResponse:
        policy = await asyncio.to_thread(self._h.get_policy, current_principal(), request.account_id)
        return pb.GetDedupPolicyResponse(policy=converters.policy_message(policy))

    async def UpdateDedupPolicy(
        self, request: pb.UpdateDedupPolicyRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateDedupPolicyResponse:
        policy = await asyncio.to_thread(
            self._h.update_policy, current_principal(), converters.policy_patch(request)
        )
        return pb.UpdateDedupPolicyResponse(policy=converters.policy_message(policy))

    async def ListPolicyHistory(
        self, request: pb.ListPolicyHistoryRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPolicyHistoryResponse:
        entries, token = await asyncio.to_thread(
            self._h.list_history,
            current_principal(),
            request.account_id,
            request.page_size,
            request.page_token,
        )
        return pb.ListPolicyHistoryResponse(
            entries=[converters.history_message(e) for e in entries], next_page_token=token
        )

    async def BindAccount(
        self, request: pb.BindAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.BindAccountResponse:
        binding = await asyncio.to_thread(
            self._h.bind, current_principal(), request.parent_account_id, request.child_account_id
        )
        return pb.BindAccountResponse(binding=converters.binding_message(binding))

    async def UnbindAccount(
        self, request: pb.UnbindAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.UnbindAccountResponse:
        binding = await asyncio.to_thread(self._h.unbind, current_principal(), request.child_account_id)
        return pb.UnbindAccountResponse(binding=converters.binding_message(binding))

    async def ListAccountBindings(
        self, request: pb.ListAccountBindingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListAccountBindingsResponse:
        bindings, token = await asyncio.to_thread(
            self._h.list_bindings,
            current_principal(),
            request.parent_account_id,
            request.page_size,
            request.page_token,
        )
        return pb.ListAccountBindingsResponse(
            bindings=[converters.binding_message(b) for b in bindings], next_page_token=token
        )

    async def ClaimLead(
        self, request: pb.ClaimLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ClaimLeadResponse:
        result = await asyncio.to_thread(
            self._h.claim, current_principal(), converters.claim_command(request)
        )
        return converters.claim_response(result)

    async def BatchClaimLeads(
        self, request: pb.BatchClaimLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.BatchClaimLeadsResponse:
        commands = [_readable(item) for item in request.requests]
        outcomes = await asyncio.to_thread(self._h.batch_claim, current_principal(), commands)
        results = []
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, ClaimResult):
                results.append(pb.ClaimLeadResult(index=index, response=converters.claim_response(outcome)))
            else:
                results.append(pb.ClaimLeadResult(index=index, error=item_error(outcome)))
        return pb.BatchClaimLeadsResponse(results=results)

    async def ExplainLead(
        self, request: pb.ExplainLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ExplainLeadResponse:
        keys = await asyncio.to_thread(self._h.explain, current_principal(), request.lead_id)
        return pb.ExplainLeadResponse(
            lead_id=request.lead_id, keys=[converters.index_key_message(k) for k in keys]
        )

    async def ForgetLead(
        self, request: pb.ForgetLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ForgetLeadResponse:
        removed = await asyncio.to_thread(
            self._h.forget, current_principal(), request.lead_id, request.request_id
        )
        return pb.ForgetLeadResponse(removed_count=removed)
