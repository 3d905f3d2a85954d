"""The dedup gRPC servicer: proto -> domain command -> handler -> proto. No logic here.

The tenant and subject come from the verified token (``current_principal``); errors are domain errors that the
shared interceptor maps to gRPC status with ErrorInfo and BadRequest details. Handlers do their database work on
the database's own threads (``services.common.dbtx``).
"""

from __future__ import annotations

import grpc

from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.grpcserver.context import current_principal
from services.dedup import metrics
from services.dedup.converters import claims as claim_converters
from services.dedup.converters import policies as policy_converters
from services.dedup.handlers.claims import ClaimHandlers
from services.dedup.handlers.erasure import ErasureHandlers
from services.dedup.handlers.policies import PolicyHandlers


class DedupApi(dedup_service_pb2_grpc.DedupServiceServicer):
    def __init__(self, policies: PolicyHandlers, claims: ClaimHandlers, erasure: ErasureHandlers) -> None:
        self._policies = policies
        self._claims = claims
        self._erasure = erasure

    async def GetDedupPolicy(
        self, request: pb.GetDedupPolicyRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetDedupPolicyResponse:
        policy = await self._policies.get_policy(current_principal(), request.account_id)
        return pb.GetDedupPolicyResponse(policy=policy_converters.policy_message(policy))

    async def UpdateDedupPolicy(
        self, request: pb.UpdateDedupPolicyRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateDedupPolicyResponse:
        policy = await self._policies.update_policy(
            current_principal(), policy_converters.policy_patch(request)
        )
        return pb.UpdateDedupPolicyResponse(policy=policy_converters.policy_message(policy))

    async def ListPolicyHistory(
        self, request: pb.ListPolicyHistoryRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPolicyHistoryResponse:
        page = await self._policies.list_history(
            current_principal(), request.account_id, request.page_size, request.page_token
        )
        return pb.ListPolicyHistoryResponse(
            entries=[policy_converters.history_message(e) for e in page.items],
            next_page_token=page.next_page_token,
        )

    async def BindAccount(
        self, request: pb.BindAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.BindAccountResponse:
        binding = await self._policies.bind(
            current_principal(), request.parent_account_id, request.child_account_id
        )
        return pb.BindAccountResponse(binding=policy_converters.binding_message(binding))

    async def UnbindAccount(
        self, request: pb.UnbindAccountRequest, context: grpc.aio.ServicerContext
    ) -> pb.UnbindAccountResponse:
        binding = await self._policies.unbind(current_principal(), request.child_account_id)
        return pb.UnbindAccountResponse(binding=policy_converters.binding_message(binding))

    async def ListAccountBindings(
        self, request: pb.ListAccountBindingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListAccountBindingsResponse:
        page = await self._policies.list_bindings(
            current_principal(), request.parent_account_id, request.page_size, request.page_token
        )
        return pb.ListAccountBindingsResponse(
            bindings=[policy_converters.binding_message(b) for b in page.items],
            next_page_token=page.next_page_token,
        )

    async def ClaimLead(
        self, request: pb.ClaimLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ClaimLeadResponse:
        result = await self._claims.claim(current_principal(), claim_converters.claim_command(request))
        metrics.count_claims([result])
        return claim_converters.claim_response(result)

    async def BatchClaimLeads(
        self, request: pb.BatchClaimLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.BatchClaimLeadsResponse:
        commands = [claim_converters.claim_command_or_error(item) for item in request.requests]
        outcomes = await self._claims.batch_claim(current_principal(), commands)
        metrics.count_claims(outcomes)
        return claim_converters.batch_claim_response(outcomes)

    async def ExplainLead(
        self, request: pb.ExplainLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ExplainLeadResponse:
        keys = await self._claims.explain(current_principal(), request.lead_id)
        return pb.ExplainLeadResponse(
            lead_id=request.lead_id, keys=[claim_converters.index_key_message(k) for k in keys]
        )

    async def ForgetLead(
        self, request: pb.ForgetLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.ForgetLeadResponse:
        removed = await self._erasure.forget(current_principal(), request.lead_id, request.request_id)
        return pb.ForgetLeadResponse(removed_count=removed)
