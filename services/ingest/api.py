"""The ingest gRPC servicer: proto -> domain command -> handler -> proto. No logic here.

The tenant comes from the verified token (``current_principal``); domain errors are mapped to gRPC status (with
ErrorInfo and BadRequest details) by the shared interceptor. Submissions run in the handlers' async pipeline
(their database steps in worker threads, the dedup call on the event loop); everything else runs in a worker
thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.errors import DomainError
from services.common.grpcserver.context import current_principal
from services.ingest import converters
from services.ingest.domain.model import SubmitResult, Verdict
from services.ingest.handlers import IngestHandlers
from services.ingest.push_converters import PushRpc

MAX_IMPORT_FAILURES = 1000


class IngestApi(ingest_service_pb2_grpc.IngestServiceServicer):
    def __init__(self, handlers: IngestHandlers, *, push: PushRpc, import_chunk: int = 200) -> None:
        self._h = handlers
        self._import_chunk = import_chunk
        self._push = push

    async def SubmitLead(
        self, request: pb.SubmitLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.SubmitLeadResponse:
        result = await self._h.submit(current_principal(), converters.submit_command(request))
        return converters.submit_response(result)

    async def BatchSubmitLeads(
        self, request: pb.BatchSubmitLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.BatchSubmitLeadsResponse:
        commands = [converters.submit_command_or_error(item) for item in request.requests]
        outcomes = await self._h.submit_batch(current_principal(), commands)
        return pb.BatchSubmitLeadsResponse(
            results=[converters.submit_result(index, outcome) for index, outcome in enumerate(outcomes)]
        )

    async def ImportLeads(
        self, request_iterator: AsyncIterator[pb.ImportLeadsRequest], context: grpc.aio.ServicerContext
    ) -> pb.ImportLeadsResponse:
        principal = current_principal()
        summary = pb.ImportLeadsResponse()
        chunk: list[Any] = []

        async def flush() -> None:
            first_index = summary.received_count - len(chunk)
            try:
                outcomes: list[SubmitResult | DomainError] = await self._h.submit_batch(
                    principal, chunk, check_size=False
                )
            except (
                DomainError
            ) as error:  # dedup unavailable for the whole chunk: each item failed, nothing stored
                outcomes = [error] * len(chunk)
            for offset, outcome in enumerate(outcomes):
                _count(summary, first_index + offset, outcome)
            chunk.clear()

        async for message in request_iterator:
            summary.received_count += 1
            chunk.append(converters.submit_command_or_error(message.request))
            if len(chunk) >= self._import_chunk:
                await flush()
        if chunk:
            await flush()
        return summary

    async def GetLead(
        self, request: pb.GetLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetLeadResponse:
        lead = await asyncio.to_thread(self._h.get_lead, current_principal(), request.lead_id)
        return pb.GetLeadResponse(lead=converters.lead_message(lead))

    async def ListLeads(
        self, request: pb.ListLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListLeadsResponse:
        leads, token, total = await asyncio.to_thread(
            self._h.list_leads,
            current_principal(),
            converters.lead_filter(request),
            request.page_size,
            request.page_token,
        )
        return pb.ListLeadsResponse(
            leads=[converters.lead_message(lead) for lead in leads], next_page_token=token, total_size=total
        )

    async def ListLeadSubmissions(
        self, request: pb.ListLeadSubmissionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListLeadSubmissionsResponse:
        rows, token = await asyncio.to_thread(
            self._h.list_submissions,
            current_principal(),
            converters.submission_filter(request),
            request.page_size,
            request.page_token,
        )
        return pb.ListLeadSubmissionsResponse(
            submissions=[converters.submission_message(s) for s in rows], next_page_token=token
        )

    async def SetBlocklist(
        self, request: pb.SetBlocklistRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetBlocklistResponse:
        phones, keywords, when = await asyncio.to_thread(
            self._h.set_blocklist, current_principal(), converters.blocklist_entries(request)
        )
        return pb.SetBlocklistResponse(
            phone_count=phones, keyword_count=keywords, update_time=converters.timestamp(when)
        )

    async def ListBlocklist(
        self, request: pb.ListBlocklistRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListBlocklistResponse:
        rows, token = await asyncio.to_thread(
            self._h.list_blocklist,
            current_principal(),
            int(request.kind),
            request.page_size,
            request.page_token,
        )
        return pb.ListBlocklistResponse(
            entries=[converters.blocklist_entry_message(e) for e in rows], next_page_token=token
        )

    async def GetIngestSettings(
        self, request: pb.GetIngestSettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetIngestSettingsResponse:
        settings, changed = await asyncio.to_thread(self._h.get_settings, current_principal())
        return pb.GetIngestSettingsResponse(settings=converters.settings_message(settings, changed))

    async def UpdateIngestSettings(
        self, request: pb.UpdateIngestSettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateIngestSettingsResponse:
        settings, mask = converters.settings_update(request)
        stored, changed = await asyncio.to_thread(
            self._h.update_settings, current_principal(), settings, mask
        )
        return pb.UpdateIngestSettingsResponse(settings=converters.settings_message(stored, changed))

    # Push rules and deliveries (线索推送): converted and run by the push module's PushRpc.

    async def SetPushRule(
        self, request: pb.SetPushRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetPushRuleResponse:
        return await self._push.set_push_rule(current_principal(), request)

    async def GetPushRule(
        self, request: pb.GetPushRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPushRuleResponse:
        return await self._push.get_push_rule(current_principal(), request)

    async def ListPushDeliveries(
        self, request: pb.ListPushDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPushDeliveriesResponse:
        return await self._push.list_push_deliveries(current_principal(), request)


def _count(summary: pb.ImportLeadsResponse, index: int, outcome: SubmitResult | DomainError) -> None:
    if isinstance(outcome, DomainError):
        summary.failed_count += 1
        if len(summary.failures) < MAX_IMPORT_FAILURES:
            summary.failures.append(pb.ImportFailure(index=index, error=converters.item_error(outcome)))
        return
    if outcome.verdict is Verdict.NEW:
        summary.new_count += 1
    elif outcome.verdict is Verdict.DUPLICATE:
        summary.duplicate_count += 1
    elif outcome.verdict is Verdict.RETURNING:
        summary.returning_count += 1
    else:
        summary.rejected_count += 1
